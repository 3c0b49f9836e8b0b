"""The warnings of a bad review's rectification (黄牌 / 红牌), read without writing, by the ledger's
rule (`cases.models.clock.warning_of`): yellow while the deadline is today or the next working day,
red once the deadline day has ended; and red, too, for a named review not called back by its
call-back day. Only while the work is the handler's (`workflow.WORKING`: not while the rater may
give the follow-up rating). The list page shows them in real time; `actions.deadlines` texts them
each morning and escalates the overdue; both read them here.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Q

from bangban.cases import identifiers
from bangban.cases.models import next_working_day
from bangban.network.models import Role
from bangban.staff.models import Helper

from .workflow import WORKING, Step

RED, YELLOW = "red", "yellow"
#: Why a rectification is red: the call-back or the deadline.
CALL_BACK, DUE = "call_back", "due"


def _late_call_back(on: dt.date) -> Q:
    return Q(status=Step.OPENED, anonymous=False, call_back_due__lt=on)


def warning_q(level: str, on: dt.date) -> Q:
    """The rectifications carrying warning `level` on `on`, as a filter (index ranges)."""
    if level == RED:
        return Q(status__in=WORKING) & (Q(due__lt=on) | _late_call_back(on))
    until = next_working_day(on)
    return Q(status__in=WORKING, due__gte=on, due__lte=until) & ~_late_call_back(on)


def overdue_q(on: dt.date) -> Q:
    """Past a deadline on `on` and not escalated yet: what the system escalates."""
    return warning_q(RED, on) & Q(escalated_on__isnull=True)


def late(rect, on: dt.date) -> tuple[str, dt.date] | None:
    """Why `rect` is red on `on` — (CALL_BACK, the call-back day) or (DUE, the deadline) — or None."""
    if rect.status not in WORKING:
        return None
    if rect.status == Step.OPENED and not rect.anonymous and rect.call_back_due < on:
        return CALL_BACK, rect.call_back_due
    if rect.due < on:
        return DUE, rect.due
    return None


def card_of(rect, on: dt.date, near_until: dt.date) -> str:
    """RED, YELLOW or "" for one row already read (`near_until`: the next working day after `on`,
    read once for a whole page)."""
    if rect.status not in WORKING:
        return ""
    if late(rect, on) is not None:
        return RED
    return YELLOW if rect.due <= near_until else ""


def handlers_q(rect, red: bool) -> Q:
    """The accounts to warn about `rect`: its handlers — the town's administrators or the bureau
    (the county's region administrators) — and, when red, the level above (the bureau for a town,
    the city's region administrators for the bureau). Never the person rated."""
    county = Q(memberships__role=Role.REGION_ADMIN, memberships__region_id=rect.county_id)
    if rect.level == "town":
        people = Q(memberships__role=Role.TOWN_ADMIN, memberships__point_id=rect.town_id)
        if red:
            people |= county
    else:
        people = county
        if red and rect.county.parent_id is not None:
            people |= Q(
                memberships__role=Role.REGION_ADMIN, memberships__region_id=rect.county.parent_id
            )
    return people


def phones_to_warn(rect, red: bool) -> list[str]:
    """The mobile work phones (`staff.Helper.work_phone`) of the people `handlers_q` names."""
    users = (
        get_user_model()
        .objects.filter(handlers_q(rect, red), is_active=True)
        .exclude(pk=rect.helper_id or 0)
        .values("pk")
    )
    phones = (
        Helper.objects.filter(user_id__in=users)
        .exclude(work_phone="")
        .values_list("work_phone", flat=True)
    )
    return sorted({identifiers.normalise_phone(p) for p in phones if identifiers.is_mobile(p)})
