# ruff: noqa: F811 - the fixtures imported from tests.feedback.rectifying
"""The rectification's table, looped over (like the ledger's tests/cases/test_state_machine.py):
random sequences of every action — the handler's, the rater's follow-up, the system's jobs, the
bureau's overturn — by the handler, the person rated (who also holds a town-admin membership of
the same town), another town's administrator and the bureau. An action the table allows the one
acting (`RECTIFICATION.permitted`) is performed; one it does not allow is refused, changing
nothing. After every step the state is one of the table's, each performed action left exactly one
event of its own, the person rated never acted, and the rating is still there."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from bangban.feedback import actions
from bangban.feedback.actions import FeedbackError
from bangban.feedback.models import Appeal, Rating, Rectification, RectificationEvent
from bangban.feedback.workflow import RECTIFICATION, Step
from bangban.network.accounts import grant_membership
from bangban.network.models import Role
from bangban.workdays import calendar
from tests.feedback.rectifying import (  # noqa: F401 - fixtures
    bad_review,
    bureau,
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    register,
    station,
    town_admin,
)

pytestmark = pytest.mark.django_db

#: The fields an action may refuse for its own input; any other refusal of an allowed action is
#: the table's, and a wrong one.
OWN_INPUT = {"record", "at", "note", "measures", "due", "explanation", "text", "evidence"}


def test_every_action_is_allowed_iff_performed(
    bad_review, town_admin, helper, bureau, make_account, yiyuan
):
    grant_membership(helper, role=Role.TOWN_ADMIN, binding=yiyuan.town("鲁村镇"), by=None)
    rated = type(helper).objects.get(pk=helper.pk)
    people = {
        "handler": town_admin,
        "rated": rated,
        "other_town": make_account(Role.TOWN_ADMIN, yiyuan.town("南麻街道")),
        "bureau": bureau,
    }
    who = st.sampled_from(["handler", "handler", "handler", "rated", "other_town", "bureau"])
    texts = st.sampled_from(["已处理", "", "   "])

    class Table(RuleBasedStateMachine):
        @initialize(anonymous=st.booleans())
        def reviewed(self, anonymous):
            self.rect = bad_review(anonymous=anonymous)
            self.events = 1
            self.by = None

        def fresh(self) -> Rectification:
            return Rectification.objects.select_related("county").get(pk=self.rect.pk)

        def _act(self, name: str, perform, by) -> bool:
            before = self.fresh()
            allowed = bool(RECTIFICATION.permitted(before, by, actions=[name]))
            try:
                perform()
            except FeedbackError as error:
                after = self.fresh()
                assert (after.status, after.updated_at) == (before.status, before.updated_at)
                fields = set(error.errors)
                if allowed:
                    assert fields <= OWN_INPUT, f"{name} allowed in {before.status}: {error}"
                else:
                    table = {"status", "by"} | {
                        c.field for c in RECTIFICATION.transition(name).conditions
                    }
                    assert fields & table, f"{name} refused for another reason: {error}"
                return False
            assert allowed, f"{name} not allowed in {before.status} to {by} but performed"
            assert by != rated
            self.events += 1
            last = RectificationEvent.objects.filter(rectification=self.rect).last()
            assert (last.action, last.from_status) == (name, before.status)
            assert last.to_status == RECTIFICATION.target_of(name, before.status)
            return True

        @rule(name=who, reached=st.booleans(), record=texts)
        def call(self, name, reached, record):
            rect = self.fresh()
            action = "call_back" if reached or rect.failed_calls + 1 >= 3 else "call_attempt"
            self._act(
                action,
                lambda: actions.record_call(rect, reached=reached, record=record, by=people[name]),
                people[name],
            )

        @rule(name=who, note=texts)
        def verify(self, name, note):
            by = people[name]
            self._act(
                "verify",
                lambda: actions.verify(
                    self.rect,
                    is_true=True,
                    is_reasonable=False,
                    is_malicious=False,
                    note=note,
                    by=by,
                ),
                by,
            )

        @rule(name=who, text=texts, how=st.sampled_from(["fix", "rectify", "explain", "finish"]))
        def decide(self, name, text, how):
            by = people[name]
            perform = {
                "fix": lambda: actions.fix(self.rect, measures=text, by=by),
                "rectify": lambda: actions.rectify(self.rect, measures=text, by=by),
                "explain": lambda: actions.explain(self.rect, explanation=text, by=by),
                "finish": lambda: actions.finish(self.rect, note=text, by=by),
            }[how]
            self._act(how, perform, by)

        @rule(name=who, text=texts)
        def reply(self, name, text):
            by = people[name]
            action = "reply_final" if self.fresh().reopened else "reply"
            self._act(action, lambda: actions.reply(self.rect, text=text, by=by), by)

        @rule(level=st.integers(min_value=1, max_value=5))
        def follow_up(self, level):
            before = self.fresh()
            rating = self.rect.rating
            try:
                actions.rate_occasion(rating.occasion, level=level, channel="qr", follow_up=True)
            except FeedbackError as error:
                assert before.status != Step.REPLIED, error
                assert set(error.errors) == {"follow_up"}
                return
            assert before.status == Step.REPLIED
            expected = "satisfied" if level > 2 else "close" if before.reopened else "reopen"
            assert RECTIFICATION.permitted(before, None, actions=[expected])
            after = self.fresh()
            assert after.events.last().action == expected
            assert after.status == RECTIFICATION.target_of(expected, before.status)
            self.events += 1

        @rule()
        def window_ends(self):
            before = self.fresh()
            day = (before.follow_up_due or before.opened_on) + dt.timedelta(days=1)
            allowed = (
                before.follow_up_due is not None
                and RECTIFICATION.check(before, "close", None) is None
            )
            actions.close_expired(day)  # every example's rectifications: count this one's
            after = self.fresh()
            assert (after.status == Step.CLOSED != before.status) == allowed
            self.events += int(allowed)

        @rule()
        def overdue(self):
            before = self.fresh()
            day = before.opened_on + dt.timedelta(days=90)
            allowed = RECTIFICATION.check(before, "escalate", None) is None
            actions.escalate_overdue(day)
            after = self.fresh()
            assert (after.escalated_on != before.escalated_on) == allowed
            self.events += int(allowed)

        @rule(overturn=st.booleans())
        def appeal(self, overturn):
            rating = Rating.objects.get(pk=self.rect.rating_id)
            if rating.overturned:
                return
            appeal = actions.file_appeal(rating, reason="恶意差评", by=rated)
            before = self.fresh()
            allowed = RECTIFICATION.check(before, "overturn", bureau) is None
            decision = Appeal.Decision.OVERTURNED if overturn else Appeal.Decision.UPHELD
            actions.decide_appeal(appeal, decision=decision, note="复核", by=bureau)
            if overturn and allowed:
                self.events += 1
                assert self.fresh().status == Step.OVERTURNED
            else:
                assert self.fresh().status == before.status

        @invariant()
        def kept(self):
            rect = self.fresh()
            assert rect.status in Step.values
            assert rect.events.count() == self.events
            assert not rect.events.filter(by=rated).exists()
            assert Rating.objects.filter(pk=rect.rating_id).exists()
            if rect.status == Step.CLOSED:
                assert rect.closed_on is not None

    run = settings(
        max_examples=25,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )(Table)
    try:
        run.TestCase().runTest()
    finally:
        calendar.invalidate()
