"""The workflow table itself: every transition names real states, closed cases take no action."""

from __future__ import annotations

import pytest

from bangban.cases import workflow
from bangban.cases.workflow import CLOSED, OPEN, State


def test_open_and_closed_states_cover_the_table_exactly_once():
    assert set(State) == OPEN | CLOSED and not OPEN & CLOSED


@pytest.mark.parametrize("transition", workflow.TRANSITIONS, ids=lambda t: t.action)
def test_every_transition_leaves_from_open_states_only(transition):
    assert transition.sources and transition.sources <= OPEN
    assert transition.actors


@pytest.mark.parametrize("state", sorted(CLOSED))
def test_a_closed_case_takes_no_action(state):
    assert workflow.allowed_from(state) == []


@pytest.mark.parametrize("state", sorted(OPEN))
def test_an_open_case_can_always_be_withdrawn(state):
    assert "withdraw" in [t.action for t in workflow.allowed_from(state)]


def test_an_action_that_keeps_the_state_keeps_it():
    assert workflow.target_of("transfer", State.IN_PROGRESS) == State.IN_PROGRESS
    assert workflow.target_of("accept", State.AWAITING_MATERIALS) == State.IN_PROGRESS
