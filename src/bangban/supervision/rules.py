"""The rules of complaints that write nothing: the 12345 hotline's time limits on the working-day
calendar, who handles a complaint, and the warnings (黄牌 / 红牌). The actions ask them before they
write; the pages and the morning warnings read the same.

Time limits (Shandong's 12345 rules): the clock starts on the day the ticket is dispatched to us
(`received_on`; the platform's own due time wins when it sends one); the answer is due by the 5th
working day after (`ANSWER_DAYS`); an extension of at most 10 more working days (`EXTENSION_MAX`)
is a request the hotline centre approves; a ticket that is not ours goes back within 2 working days
(`RETURN_DAYS`); a 求助 that becomes a case counts as answered on the case's registration. Yellow
while the due day is today or the next working day (the ledger's rule), red from the first day
past it. The director's mailbox and window complaints keep the same limits (the county's choice,
decision 0054).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from bangban.cases.models import next_working_day
from bangban.feedback.rules import answerable
from bangban.network.models import ServicePoint
from bangban.workdays import calendar

from .models import Category, Kind, PointLevel
from .workflow import OPEN, Step

ANSWER_DAYS = 5
EXTENSION_MAX = 10
RETURN_DAYS = 2

RED, YELLOW = "red", "yellow"


def answer_due(received_on: dt.date, platform_due_at: dt.datetime | None = None) -> dt.date:
    """The last day to answer: the platform's own due day when it sends one, else the 5th working
    day after the dispatch."""
    if platform_due_at is not None:
        return timezone.localdate(platform_due_at)
    return calendar.deadline(received_on, ANSWER_DAYS).date


def return_due(received_on: dt.date) -> dt.date:
    """The last day a ticket that is not ours may be sent back: the 2nd working day after."""
    return calendar.deadline(received_on, RETURN_DAYS).date


def extended_due(due: dt.date, days: int) -> dt.date:
    """The answer's new due day after an approved extension of `days` working days."""
    return calendar.deadline(due, days).date


def is_confidential(kind: str, category: str) -> bool:
    """A 举报 or a fee complaint goes to the bureau and is never shown to the point accused."""
    return kind == Kind.REPORT or category == Category.FEE


def handler_of(
    point: ServicePoint | None, *, confidential: bool
) -> tuple[str, ServicePoint | None]:
    """Who handles a complaint about `point`: ("bureau", None) when it is confidential or names no
    point; else as a bad review of that point (`feedback.rules.answerable`)."""
    if confidential or point is None:
        return "bureau", None
    return answerable(point)


def warning_q(level: str, on: dt.date) -> Q:
    """The open complaints carrying warning `level` on `on`: red once the due day has passed;
    yellow while it is today or the next working day."""
    if level == RED:
        return Q(status__in=OPEN, due__lt=on)
    until = next_working_day(on)
    return Q(status__in=OPEN, due__gte=on, due__lte=until)


def card_of(complaint, on: dt.date, near_until: dt.date) -> str:
    """RED, YELLOW or "" for one complaint already read (`near_until`: the next working day after
    `on`, read once per page)."""
    if complaint.status not in OPEN:
        return ""
    if complaint.due < on:
        return RED
    if complaint.due <= near_until:
        return YELLOW
    return ""


def on_time(complaint) -> bool | None:
    """Whether `complaint` was answered (or returned) within its limit; None while open."""
    if complaint.status == Step.ANSWERED:
        return complaint.answered_on is not None and complaint.answered_on <= complaint.due
    if complaint.status == Step.RETURNED:
        return complaint.returned_on is not None and complaint.returned_on <= complaint.return_due
    return None


#: Which checklist items apply to a point (`ChecklistItem.applies_to`): the county centre, its zones,
#: sub-zones and windows are county level; a town centre town; a village station village; a partner
#: station partner.
POINT_LEVELS = {
    ServicePoint.Kind.COUNTY_CENTRE: PointLevel.COUNTY,
    ServicePoint.Kind.DEDICATED_ZONE: PointLevel.COUNTY,
    ServicePoint.Kind.DOMAIN_SUBZONE: PointLevel.COUNTY,
    ServicePoint.Kind.DEPARTMENT_WINDOW: PointLevel.COUNTY,
    ServicePoint.Kind.TOWN_CENTRE: PointLevel.TOWN,
    ServicePoint.Kind.VILLAGE_STATION: PointLevel.VILLAGE,
    ServicePoint.Kind.PARTNER_STATION: PointLevel.PARTNER,
}


def point_level(point: ServicePoint) -> str:
    """The `PointLevel` of `point`: which of a checklist's items apply to it."""
    return POINT_LEVELS[point.kind]
