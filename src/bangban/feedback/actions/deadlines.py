"""The system's steps of a rectification, run by the task worker (`feedback.tasks`): the follow-up
window's end (`close_expired`), escalation to the level above once a deadline has passed
(`escalate_overdue`), and the morning texts of the yellow and red cards (`send_warnings`, on the
ledger's schedule and in its style: `cases.actions.deadlines.send_warnings`). Each rectification in
its own transaction, its row locked and the table asked again, so that a job that runs twice, or
beside a handler, changes nothing twice."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from bangban.cases import notifications

from .. import warnings
from ..events import Kind, record
from ..models import Rectification
from ..workflow import RECTIFICATION, Step
from .core import _apply, _locked

__all__ = ["close_expired", "escalate_overdue", "send_warnings"]


def _each(queryset):
    return list(queryset.values_list("pk", flat=True).order_by("pk"))


def close_expired(today: dt.date | None = None) -> int:
    """追评期满办结: every replied rectification whose follow-up window ended before `today` is
    closed by the system. The number closed."""
    today = today or timezone.localdate()
    closed = 0
    for pk in _each(Rectification.objects.filter(status=Step.REPLIED, follow_up_due__lt=today)):
        with transaction.atomic():
            rect = _locked(Rectification(pk=pk))
            if rect.follow_up_due is None or rect.follow_up_due >= today:
                continue
            if RECTIFICATION.check(rect, "close", None) is not None:
                continue
            data = {"follow_up_due": rect.follow_up_due.isoformat()}
            _apply(rect, "close", None, {"closed_on": today}, data)
            closed += 1
    return closed


def escalate_overdue(today: dt.date | None = None) -> int:
    """逾期上报: every rectification past its call-back day or its deadline (`warnings.late`) on
    `today` and not escalated yet is escalated once: `escalated_on`, an event naming the deadline;
    from then on the level above may act (`workflow._is_handler`). The number escalated."""
    today = today or timezone.localdate()
    escalated = 0
    for pk in _each(Rectification.objects.filter(warnings.overdue_q(today))):
        with transaction.atomic():
            rect = _locked(Rectification(pk=pk))
            why = warnings.late(rect, today)
            if why is None or RECTIFICATION.check(rect, "escalate", None) is not None:
                continue
            data = {"reason": why[0], "deadline": why[1].isoformat()}
            _apply(rect, "escalate", None, {"escalated_on": today}, data)
            escalated += 1
    return escalated


def send_warnings(today: dt.date | None = None) -> int:
    """Warn about every rectification that turned yellow or red (`warnings.warning_q`), once per
    level and deadline: one `warning` event (level, why, deadline, how many were texted) and a text
    to each person to warn (`warnings.phones_to_warn`: the handlers, and when red the level above).
    A deadline that moves (a rectification's own deadline, a reopening) warns again. The number of
    warnings recorded."""
    today = today or timezone.localdate()
    sent = 0
    near_until = warnings.next_working_day(today)
    for level in (warnings.RED, warnings.YELLOW):
        for pk in _each(Rectification.objects.filter(warnings.warning_q(level, today))):
            with transaction.atomic():
                rect = _locked(Rectification(pk=pk))
                if warnings.card_of(rect, today, near_until) != level:
                    continue
                why, day = warnings.late(rect, today) or (warnings.DUE, rect.due)
                deadline = day.isoformat()
                already = rect.events.filter(
                    action=Kind.WARNING,
                    data__level=level,
                    data__why=why,
                    data__deadline=deadline,
                )
                if already.exists():
                    continue
                phones = warnings.phones_to_warn(rect, level == warnings.RED)
                record(
                    rect,
                    Kind.WARNING,
                    by=None,
                    from_status=rect.status,
                    data={
                        "level": level,
                        "why": why,
                        "deadline": deadline,
                        "recipients": len(phones),
                    },
                )
                point = rect.point.name
                body = notifications.rectification_warning(
                    level, point, deadline, call_back=why == warnings.CALL_BACK
                )
                for phone in phones:
                    notifications.tell_staff(phone, body, f"rectification:{rect.pk}")
                sent += 1
    return sent
