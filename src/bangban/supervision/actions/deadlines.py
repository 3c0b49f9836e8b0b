"""The morning warnings of complaints (黄牌 / 红牌), run by the task worker (`supervision.tasks`) on
the ledger's schedule and in its style: every open complaint that is yellow or red on the day
(`rules.warning_q`) texts its handlers — the town administrators of the town, or for the bureau's
complaints the county's region administrators — once a day, recorded as a `warning` event on its
timeline so that a job run twice the same day sends nothing twice. Never to the person accused."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bangban.cases import identifiers, notifications
from bangban.cases.models import next_working_day
from bangban.network.models import Role
from bangban.staff.models import Helper

from ..events import Kind, record
from ..models import Complaint
from ..rules import RED, YELLOW, card_of, warning_q
from .core import _locked

__all__ = ["handler_phones", "send_warnings"]


def _handlers_q(complaint: Complaint) -> Q:
    if complaint.level == Complaint.Level.TOWN:
        return Q(memberships__role=Role.TOWN_ADMIN, memberships__point_id=complaint.town_id)
    return Q(memberships__role=Role.REGION_ADMIN, memberships__region_id=complaint.county_id)


def handler_phones(complaint: Complaint) -> list[str]:
    """The mobile work phones (`staff.Helper.work_phone`) of the complaint's handlers, the person
    accused left out whatever memberships they hold."""
    users = (
        get_user_model()
        .objects.filter(_handlers_q(complaint), is_active=True)
        .exclude(pk=complaint.helper_id or 0)
        .values("pk")
    )
    phones = (
        Helper.objects.filter(user_id__in=users)
        .exclude(work_phone="")
        .values_list("work_phone", flat=True)
    )
    return sorted({identifiers.normalise_phone(p) for p in phones if identifiers.is_mobile(p)})


def send_warnings(on: dt.date | None = None) -> int:
    """Text the handlers of every complaint yellow or red on `on` (default today), once per
    complaint and day: one `warning` event (level, day, answer day, how many were texted), one text
    to each handler. The number of complaints warned."""
    on = on or timezone.localdate()
    near_until = next_working_day(on)
    warned = 0
    for level in (RED, YELLOW):
        pks = Complaint.objects.filter(warning_q(level, on)).order_by("pk").values_list("pk")
        for (pk,) in list(pks):
            with transaction.atomic():
                complaint = _locked(Complaint(pk=pk))
                if card_of(complaint, on, near_until) != level:
                    continue
                if complaint.events.filter(action=Kind.WARNING, data__on=on.isoformat()).exists():
                    continue
                phones = handler_phones(complaint)
                due = complaint.due.isoformat()
                data = {"level": level, "on": on.isoformat(), "due": due, "recipients": len(phones)}
                record(complaint, Kind.WARNING, by=None, from_status=complaint.status, data=data)
                body = notifications.complaint_warning(
                    level, complaint.number, complaint.title, due
                )
                for phone in phones:
                    notifications.tell_staff(phone, body, f"complaint:{complaint.pk}")
                warned += 1
    return warned
