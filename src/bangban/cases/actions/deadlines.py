"""Deadlines kept by the system: corrected when the working-day calendar changes (期限更正), and
warned about as they near or pass (黄牌 / 红牌), each once per level and deadline."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.utils import timezone

from bangban.network.models import Role
from bangban.staff.models import Helper

from .. import events, identifiers, notifications, workflow
from ..models import DEEMABLE, Case, deadline_values
from ..rules import recomputed_deadlines
from .core import _apply, _check, _locked
from .deemed import _deem_first


def correct_deadlines(first: dt.date, last: dt.date) -> int:
    """期限更正 (by the system) after the calendar changed for the days `first`..`last` — typically an
    admin entering next year's holidays, which turns provisional deadlines final. Every open,
    accepted case whose clock spans those days is counted afresh; each one whose deadlines change
    gets one `correct_deadline` event with before and after (the only way a deadline may move
    earlier), and the applicant is told the new promised day. Closed cases keep their history.
    The `deemed_deadline` of a case still awaiting acceptance is counted afresh too, quietly: it is
    no deadline of the case yet, only what the warnings filter reads until it is deemed accepted
    (which counts its deadlines again). Returns the number of cases corrected."""
    _recount_deemed_deadlines(first, last)
    candidates = (
        Case.objects.open()
        .filter(accepted_on__isnull=False, accepted_on__lte=last)
        .filter(models.Q(promised_deadline__gte=first) | models.Q(legal_deadline__gte=first))
        .values_list("pk", flat=True)
    )
    corrected = 0
    for pk in list(candidates):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            if case.status not in workflow.OPEN or case.accepted_on is None:
                continue
            changes = {
                name: value
                for name, value in recomputed_deadlines(case).items()
                if getattr(case, name) != value
            }
            if not changes:
                continue
            _check(case, "correct_deadline", None)
            data = {"calendar_from": first.isoformat(), "calendar_to": last.isoformat()}
            moved = "promised_deadline" in changes
            case = _apply(case, "correct_deadline", None, changes, data)
            if moved:
                notifications.tell_applicant(
                    case, notifications.deadline_corrected(case.promised_deadline)
                )
            corrected += 1
    return corrected


def _recount_deemed_deadlines(first: dt.date, last: dt.date) -> None:
    """`deemed_deadline` counted afresh for the cases that may still be deemed accepted and whose
    count from the day of receipt spans the days `first`..`last`."""
    pending = Case.objects.filter(
        status__in=DEEMABLE,
        deemed_deadline__gte=first,
        received_on__lte=last,
    ).select_related("revision")
    for case in pending.iterator(chunk_size=500):
        counted = deadline_values(case.revision, case.received_on)["promised_deadline"]
        if counted != case.deemed_deadline:
            Case.objects.filter(pk=case.pk, deemed_deadline__isnull=False).update(
                deemed_deadline=counted
            )


def _warning_recipients(case: Case, red: bool) -> list[str]:
    """The mobile work phones to warn: the handling and the first responsible helper; when overdue
    also the handling point's leads, the town admins above it and the county's admins."""
    people = models.Q(user_id__in=[case.responsible_id, case.handling_helper_id])
    if red:
        point = case.handling_point
        above = [int(pk) for pk in point.ancestry.strip("/").split("/") if pk]
        people |= models.Q(user__memberships__role=Role.POINT_LEAD, user__memberships__point=point)
        people |= models.Q(
            user__memberships__role=Role.TOWN_ADMIN,
            user__memberships__point_id__in=[*above, point.pk],
        )
        people |= models.Q(
            user__memberships__role=Role.REGION_ADMIN, user__memberships__region=case.county_id
        )
    phones = (
        Helper.objects.filter(people).exclude(work_phone="").values_list("work_phone", flat=True)
    )
    return sorted({identifiers.normalise_phone(p) for p in phones if identifiers.is_mobile(p)})


def send_warnings(*, today: dt.date | None = None) -> int:
    """Warn about every open case that turned yellow (the deadline is today or the next working day)
    or red (the deadline day has ended), once per level and deadline: one `warning` event on the
    case (level, deadline, how many were texted) and a text to each person to warn
    (`_warning_recipients`). A deadline that moves (extension, suspension, correction) warns again.
    A case due for deemed acceptance is deemed first (`_deem_first`), so it is warned about the
    deadline it now has. Returns the number of warnings recorded."""
    today = today or timezone.localdate()
    due = [
        ("red", Case.objects.overdue(today)),
        ("yellow", Case.objects.near_deadline(today)),
    ]
    sent = 0
    for level, cases in due:
        for case in cases.select_related("handling_point").iterator(chunk_size=500):
            deadline = (case.promised_deadline or case.deemed_deadline).isoformat()
            with transaction.atomic():
                case = _deem_first(_locked(case), today)
                if case.status not in workflow.OPEN or case.promised_deadline is None:
                    continue
                already = case.events.filter(
                    action=events.Kind.WARNING, data__level=level, data__deadline=deadline
                )
                if case.promised_deadline.isoformat() != deadline or already.exists():
                    continue
                recipients = _warning_recipients(case, level == "red")
                events.record(
                    case,
                    events.Kind.WARNING,
                    by=None,
                    data={"level": level, "deadline": deadline, "recipients": len(recipients)},
                )
                body = notifications.warning(level, case.number, case.revision.name, deadline)
                for phone in recipients:
                    notifications.send(case, phone, body)
                sent += 1
    return sent
