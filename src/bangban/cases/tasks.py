"""The task worker's jobs for the ledger (`bangban run_huey` finds this module by its name).

`deem_acceptances` runs every hour: a case neither accepted nor given a notice within 5 working days
of receipt counts as accepted on the day of receipt (行政许可法 §32), so its clock and its warnings
run without anyone having to remember it (registration and every action apply it first too, and the
pages show it meanwhile: decision 0028). `escalate` runs every hour too: a transfer unanswered by
the end of the working day after it was sent goes to the receiving point's lead. When the calendar
changes (an admin enters next year's holidays), `correct_deadlines_after` recounts the open deadlines
that span the changed days, in the background; a requested ledger export is written here too
(`export_requested`, sent by `actions.request_export`). Every hour, too, `sweep_pending_scans`
deletes the authorisation scans kept across a failed registration and never used (`cases.uploads`),
and `forget_idempotency_keys` the API's idempotency keys older than their 24 hours.
"""

from __future__ import annotations

import datetime as dt

from django.dispatch import receiver
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from bangban.workdays.signals import calendar_changed

from .actions import (
    apply_deemed_acceptance,
    correct_deadlines,
    escalate_transfers,
    send_warnings,
)
from .idempotency import forget_expired
from .models import DEEMABLE, Case, deemed_cutoff
from .signals import export_requested


def deem_due(today=None) -> int:
    """Apply deemed acceptance to every case it is due for; the number of cases it changed."""
    today = today or timezone.localdate()
    # The cases that may still be deemed keep their deemed deadline (a notice in time clears it):
    # those received on or before the cutoff are due. An index range, however large the ledger.
    waiting = Case.objects.filter(
        status__in=DEEMABLE, deemed_deadline__isnull=False, received_on__lte=deemed_cutoff(today)
    ).only("pk")
    changed = 0
    for case in waiting.iterator(chunk_size=500):
        if apply_deemed_acceptance(case, today=today).accepted_on is not None:
            changed += 1
    return changed


@db_periodic_task(crontab(minute="7"))
def deem_acceptances() -> None:
    deem_due()


@db_periodic_task(crontab(minute="17"))
def escalate() -> None:
    escalate_transfers()


@db_periodic_task(crontab(minute="47"))
def forget_idempotency_keys() -> None:
    """The API's idempotency keys past their window (decision 0033; already treated as new)."""
    forget_expired()


@db_periodic_task(crontab(hour="0", minute="30"))
def warn() -> None:
    """Yellow and red cards each morning at 8:30 Beijing time (00:30 UTC: the worker counts in UTC),
    when people are at work."""
    send_warnings()


@db_periodic_task(crontab(minute="27"))
def sweep_pending_scans() -> None:
    """Delete the authorisation scans kept across a failed registration and never used
    (`cases.uploads`)."""
    from .uploads import sweep

    sweep()


@db_task()
def correct_deadlines_after(first: dt.date, last: dt.date) -> int:
    return correct_deadlines(first, last)


@receiver(calendar_changed, dispatch_uid="cases.correct_deadlines")
def _calendar_changed(sender, first: dt.date, last: dt.date, **kwargs) -> None:
    correct_deadlines_after(first, last)


@db_task()
def export_ledger(export_id: int) -> None:
    """Write a background ledger export (`actions.request_export`): the rows re-scoped to the
    requester as they stand now, in the county office's layout (cases.spreadsheets)."""
    from .spreadsheets import produce_export

    produce_export(export_id)


@receiver(export_requested, dispatch_uid="cases.export_ledger")
def _export_requested(sender, export_id: int, **kwargs) -> None:
    export_ledger(export_id)
