"""Yellow and red cards and the on-time rate (DOMAIN.md "Warnings and on-time"), at their boundaries.
The reads are tested on deadlines written straight into the rows; how deadlines arise is
test_clock.py's business."""

from __future__ import annotations

import datetime as dt

import pytest

from bangban.cases.models import Case, next_working_day
from bangban.cases.workflow import State

D = dt.date


@pytest.fixture
def case(register):
    case = register()
    Case.objects.filter(pk=case.pk).update(
        status=State.IN_PROGRESS, accepted_on=case.received_on, promised_deadline=D(2026, 10, 8)
    )
    return case


@pytest.mark.parametrize(
    ("today", "yellow", "red"),
    [
        (D(2026, 9, 29), False, False),
        (D(2026, 9, 30), True, False),  # the last working day before the National Day holiday
        (D(2026, 10, 3), True, False),  # through the holiday
        (D(2026, 10, 8), True, False),  # the deadline day itself
        (D(2026, 10, 9), False, True),  # the deadline day has ended
    ],
)
def test_a_deadline_on_8_october_is_yellow_from_30_september_and_red_after(
    case, today, yellow, red
):
    assert Case.objects.near_deadline(today).filter(pk=case.pk).exists() is yellow
    assert Case.objects.overdue(today).filter(pk=case.pk).exists() is red


def test_a_closed_case_is_never_yellow_or_red(case):
    Case.objects.filter(pk=case.pk).update(status=State.WITHDRAWN)
    assert not Case.objects.near_deadline(D(2026, 10, 8)).exists()
    assert not Case.objects.overdue(D(2026, 12, 1)).exists()


def test_the_next_working_day_skips_weekends_and_holidays(db):
    assert next_working_day(D(2026, 9, 30)) == D(2026, 10, 8)  # over the National Day holiday
    assert next_working_day(D(2026, 11, 6)) == D(2026, 11, 9)  # Friday → Monday
    assert next_working_day(D(2026, 11, 7)) == D(2026, 11, 9)  # Saturday → Monday


def test_the_on_time_rate_counts_completed_cases_only(register):
    def closed(status, completed_on, deadline):
        c = register()
        Case.objects.filter(pk=c.pk).update(
            status=status,
            accepted_on=c.received_on,
            promised_deadline=deadline,
            completed_on=completed_on,
        )

    closed(State.COMPLETED, D(2026, 11, 16), D(2026, 11, 16))  # on the deadline day: on time
    closed(State.COMPLETED, D(2026, 11, 17), D(2026, 11, 16))  # a day late
    closed(State.COMPLETED, D(2026, 10, 30), D(2026, 11, 16))  # outside the period
    closed(State.WITHDRAWN, None, D(2026, 11, 16))  # not completed: not counted
    assert Case.objects.on_time_rate(D(2026, 11, 1), D(2026, 11, 30)) == (1, 2)
