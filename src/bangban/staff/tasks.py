"""The task worker's jobs for the staff app (`bangban run_huey` finds this module by its name):
`refresh_compliance` recomputes the compliance summary rows of every county just after midnight
Beijing time, so the first province page of the day reads them instead of recomputing
(docs/decisions/0063-compliance-summary.md). Only a head start: a page finding a county stale
recomputes it itself, so the figures are exact whether this ran or not."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import compliance_summary


@db_periodic_task(crontab(hour="16", minute="5"))
def refresh_compliance() -> None:
    """Every county's summary rows for the new day, at 00:05 Beijing time (16:05 UTC: the worker
    counts in UTC)."""
    compliance_summary.fresh("", timezone.localdate())
