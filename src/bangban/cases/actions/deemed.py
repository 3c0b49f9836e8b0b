"""Deemed acceptance (视为受理, 行政许可法 §32): a case neither accepted nor given a one-time notice
within 5 working days of receipt counts as accepted on the day of receipt (decision 0028). Every
action applies it first to the case it has locked (`_deem_first`), and so do registration and the
scheduled jobs, so that whoever comes first sees the case as the law has it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ..models import DEEMABLE, Case, notice_in_time
from .core import _apply, _check, _deadline_values, _locked

#: What deemed acceptance sets (besides clearing `deemed_deadline`).
DEEMED_FIELDS = (
    "accepted_on",
    "acceptance_deemed",
    "promised_deadline",
    "promised_provisional",
    "legal_deadline",
    "legal_provisional",
)


def _deemed(case: Case, today: dt.date) -> dict:
    """The changes of deemed acceptance on the day of receipt, when the window has passed without a
    notice and the case is not accepted yet (`models.deemed_due`: a case keeps its
    `deemed_deadline` exactly while it may still be deemed); nothing otherwise. No query."""
    if case.accepted_on is not None or case.status not in DEEMABLE:
        return {}
    if case.deemed_deadline is None or notice_in_time(case.received_on, today):
        return {}
    return {
        "accepted_on": case.received_on,
        "acceptance_deemed": True,
        **_deadline_values(case, case.received_on),
        "deemed_deadline": None,
    }


def _no_longer_deemable(case: Case) -> dict:
    """The change that says a case can no longer be deemed accepted (accepted, noticed in time,
    closed): its `deemed_deadline` cleared, when it has one."""
    return {"deemed_deadline": None} if case.deemed_deadline is not None else {}


def _deem_first(case: Case, today: dt.date | None = None) -> Case:
    """视为受理 where it is due, before anything else is done to a (locked) case: every action, the
    hourly job and registration call it first, so an action after the window sees the case
    accepted as the law has it (docs/domain.md "The clock of a case"). Its own event, by the system,
    the same whoever comes first; no query when nothing is due."""
    changes = _deemed(case, today or timezone.localdate())
    if not changes:
        return case
    _check(case, "deem_accepted", None)
    return _apply(case, "deem_accepted", None, changes)


def apply_deemed_acceptance(case: Case, *, today: dt.date | None = None) -> Case:
    """视为受理 (the scheduled job, by the system): a case neither accepted nor given a notice within
    5 working days of receipt counts as accepted on the day of receipt, its clock running since."""
    with transaction.atomic():
        return _deem_first(_locked(case), today)
