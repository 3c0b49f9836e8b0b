"""The case's clock, read without writing: deemed acceptance (行政许可法 §32), the deadlines counted
from acceptance, and the warnings (黄牌, 红牌) of docs/domain.md "Warnings and on-time". Pure rules on
the workdays calendar; the models and the reads use them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q

from bangban.kernel.models import InWritten
from bangban.workdays import calendar

from ..workflow import OPEN, transition


def next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after `day` (the workdays engine's calendar)."""
    return calendar.deadline(day, 1 if calendar.is_workday(day) else 0).date


# --- The clock before acceptance: deemed acceptance (行政许可法 §32) -------------------------------

#: A notice within this many working days of receipt keeps acceptance for the day the materials are
#: complete; later, the application counts as accepted on the day of receipt (行政许可法 §32).
NOTICE_WINDOW = 5
#: The states in which a case may still be deemed accepted (the table's `deem_accepted`).
DEEMABLE = transition("deem_accepted").sources
#: The open states in a fixed order: the open cases' index is partial on this very list, and a
#: query is served by it when it names them as the index does, written into its SQL (`InWritten`).
OPEN_STATES = tuple(sorted(OPEN))


def notice_in_time(received_on: dt.date, on: dt.date) -> bool:
    """Is `on` within the one-time-notice window of a case received on `received_on`: at most
    NOTICE_WINDOW working days after it (`working_days_between`)?"""
    return calendar.working_days_between(received_on, on) <= NOTICE_WINDOW


def deemed_cutoff(on: dt.date) -> dt.date:
    """The last day of receipt whose notice window has passed by `on`: a case received on or before
    it and neither accepted nor given a notice in time counts as accepted on its day of receipt
    (`notice_in_time` is false exactly for the days of receipt up to it). One date for a whole page
    or job, so the filters stay a range on `received_on`: the day before the (NOTICE_WINDOW + 1)-th
    working day counted back from `on`, `on` included."""
    day, found = on, 0
    while True:
        if calendar.is_workday(day):
            found += 1
            if found > NOTICE_WINDOW:
                return day - dt.timedelta(days=1)
        day -= dt.timedelta(days=1)


def deadline_values(revision, accepted_on: dt.date) -> dict:
    """The promised and legal deadlines counted from an acceptance day by the limits of `revision`
    (anything with the four limit fields of an item revision): the one place they are counted."""
    promised = calendar.deadline(accepted_on, revision.promised_limit, revision.promised_limit_unit)
    legal = calendar.deadline(accepted_on, revision.legal_limit, revision.legal_limit_unit)
    return {
        "promised_deadline": promised.date,
        "promised_provisional": promised.provisional,
        "legal_deadline": legal.date,
        "legal_provisional": legal.provisional,
    }


def deemed_due(status: str, deemed_deadline: dt.date | None, received_on, cutoff) -> bool:
    """For a row already read: does the case count as accepted on its day of receipt by now, though
    nobody has recorded it yet (the hourly job, or the next action on the case, will)? Its
    `deemed_deadline` is set while it may still be deemed (not accepted, no notice in time)."""
    return status in DEEMABLE and deemed_deadline is not None and received_on <= cutoff


@dataclass(frozen=True)
class Clock:
    """A case's acceptance day and deadlines as they stand on a day (`clock_of`)."""

    accepted_on: dt.date | None
    acceptance_deemed: bool
    promised_deadline: dt.date | None
    promised_provisional: bool
    legal_deadline: dt.date | None
    legal_provisional: bool


def clock_of(case, cutoff: dt.date) -> Clock:
    """The acceptance day and deadlines of `case` (its revision read along) as a reader sees them
    on the day of `cutoff` (`deemed_cutoff`): those stored, or — for a case whose notice window has
    passed without a notice and that nobody has deemed accepted yet — those of deemed acceptance,
    counted here and not written (reads never write)."""
    if deemed_due(case.status, case.deemed_deadline, case.received_on, cutoff):
        return Clock(case.received_on, True, **deadline_values(case.revision, case.received_on))
    return Clock(
        case.accepted_on,
        case.acceptance_deemed,
        case.promised_deadline,
        case.promised_provisional,
        case.legal_deadline,
        case.legal_provisional,
    )


@dataclass(frozen=True)
class ReadingDay:
    """What reading cases on a day needs of the calendar, worked out once per page or answer: the
    day, the end of its yellow card (the next working day) and its deemed-acceptance cutoff."""

    on: dt.date
    near_until: dt.date
    cutoff: dt.date

    @classmethod
    def of(cls, on: dt.date) -> ReadingDay:
        return cls(on, next_working_day(on), deemed_cutoff(on))


#: The two warnings of docs/domain.md "Warnings and on-time", on the promised deadline.
OVERDUE, NEAR_DEADLINE = "overdue", "near_deadline"


def _due(level: str, on: dt.date) -> tuple[Q, Q]:
    """(a case's promised deadline carrying warning `level` on `on`, a case pending deemed
    acceptance whose deemed deadline carries it): the two parts of `warning_q`."""
    pending = Q(status__in=DEEMABLE, received_on__lte=deemed_cutoff(on))
    if level == OVERDUE:
        return Q(promised_deadline__lt=on), pending & Q(deemed_deadline__lt=on)
    until = next_working_day(on)
    return (
        Q(promised_deadline__gte=on, promised_deadline__lte=until),
        pending & Q(deemed_deadline__gte=on, deemed_deadline__lte=until),
    )


def warning_q(level: str, on: dt.date) -> Q:
    """The cases carrying warning `level` on `on`, as a filter. 红牌 (overdue): open after the
    deadline day has ended. 黄牌 (near_deadline): open, and `on` lies between the last working day
    before the deadline and the deadline day, both included — a deadline is a working day, so the
    deadline is today or no later than the next working day.

    A case due for deemed acceptance that nobody has recorded yet (`deemed_due`) is judged by the
    deadline it will get (`deemed_deadline`): two index ranges, one on the stored deadline and one
    on the deemed one, however large the ledger."""
    promised, deemed = _due(level, on)
    return (Q(status__in=OPEN) & promised) | deemed


def open_warning_q(level: str, on: dt.date) -> Q:
    """`warning_q` said as the open cases' partial index says its condition (`case_open_figures`,
    decision 0072): the open states written into the SQL once, above both parts — the same cases,
    since a case pending deemed acceptance is open. A scope's cards are then read from that index
    alone, in the ledger's order, where SQLite walked every case of the scope (a city's 红牌 at
    1,000,000 cases: 64 ms → 0.1 ms). For the ledger's filter; the figures' counts keep
    `warning_q` inside their one query's aggregates."""
    promised, deemed = _due(level, on)
    return Q(InWritten(F("status"), OPEN_STATES)) & (promised | deemed)


def warning_of(status: str, deadline: dt.date | None, on: dt.date, near_until: dt.date) -> str:
    """`warning_q` for one row already read: OVERDUE, NEAR_DEADLINE or "" (`deadline`: the promised
    deadline of its `clock_of`; `near_until`: the next working day after `on`, read once for a whole
    page)."""
    if status not in OPEN or deadline is None:
        return ""
    if deadline < on:
        return OVERDUE
    return NEAR_DEADLINE if deadline <= near_until else ""
