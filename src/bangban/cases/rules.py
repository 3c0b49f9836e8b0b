"""Rules of the ledger that write nothing and are not the workflow table (`cases.workflow`) nor the
clock's counting from the acceptance day (`cases.models`: `deadline_values`, `clock_of`): the
direction of a transfer, and a case's deadlines counted afresh from its events on the calendar as it
is now. The actions (`cases.actions`) and the pages ask them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bangban.network.models import ServicePoint
from bangban.workdays import calendar
from bangban.workdays.arithmetic import Deadline

from .events import Kind
from .models import LEVEL_OF_KIND, Case, Transfer, deadline_values


def direction_between(a: ServicePoint, b: ServicePoint) -> str:
    """Vertical between levels of the network (county ↔ town ↔ village), horizontal within one."""
    same = LEVEL_OF_KIND[ServicePoint.Kind(a.kind)] == LEVEL_OF_KIND[ServicePoint.Kind(b.kind)]
    return Transfer.Direction.HORIZONTAL if same else Transfer.Direction.VERTICAL


def recomputed_deadlines(case: Case) -> dict:
    """The deadlines of an accepted case counted afresh on the calendar as it is now: the limits from
    the acceptance day, then each completed suspension and each extension in the order they happened
    (their events). What the deadline fields would hold had today's calendar been known all along."""
    values = deadline_values(case.revision, case.accepted_on)
    promised = Deadline(values["promised_deadline"], values["promised_provisional"])
    legal = Deadline(values["legal_deadline"], values["legal_provisional"])
    for event in case.events.filter(action__in=(Kind.RESUME, Kind.EXTEND)).order_by("at", "pk"):
        if event.action == Kind.EXTEND:
            promised = calendar.after_extension(promised, int(event.data["working_days"]))
            continue
        suspended = dt.date.fromisoformat(event.data["suspended_on"])
        resumed = event.data.get("on") or timezone.localdate(event.at).isoformat()
        resumed = dt.date.fromisoformat(resumed)
        promised = calendar.after_suspension(promised, suspended, resumed)
        legal = calendar.after_suspension(legal, suspended, resumed)
    return {
        "promised_deadline": promised.date,
        "promised_provisional": promised.provisional,
        "legal_deadline": legal.date,
        "legal_provisional": legal.provisional,
    }
