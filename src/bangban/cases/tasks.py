"""The task worker's jobs for the ledger (`bangban run_huey` finds this module by its name).

`deem_acceptances` runs every hour: a case neither accepted nor given a notice within 5 working days
of receipt counts as accepted on the day of receipt (行政许可法 §32), so its clock and its warnings
run without anyone having to remember it. `escalate` runs every hour too: a transfer unanswered by
the end of the working day after it was sent goes to the receiving point's lead.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .actions import NOTICE_WINDOW, apply_deemed_acceptance, escalate_transfers
from .models import Case, Notice
from .workflow import State


def deem_due(today=None) -> int:
    """Apply deemed acceptance to every case it is due for; the number of cases it changed."""
    today = today or timezone.localdate()
    # Only cases that can be due: more than 5 working days need at least 6 calendar days, and a
    # notice in time keeps a case from deemed acceptance for good.
    noticed_in_time = Notice.objects.filter(case=OuterRef("pk"), within_window=True)
    waiting = (
        Case.objects.filter(
            status__in=[State.REGISTERED, State.AWAITING_MATERIALS],
            accepted_on__isnull=True,
            received_on__lte=today - dt.timedelta(days=NOTICE_WINDOW + 1),
        )
        .exclude(Exists(noticed_in_time))
        .only("pk")
    )
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
