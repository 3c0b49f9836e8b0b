"""The task worker's jobs for complaints (`bangban run_huey` finds this module by its name), each
calling an action, like 好差评's (`feedback.tasks`): `warn_complaints` texts the yellow and red cards
of complaints each morning at 8:30 Beijing time (00:30 UTC), with the ledger's and the
rectifications' warnings."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .actions.deadlines import send_warnings


@db_periodic_task(crontab(hour="0", minute="30"))
def warn_complaints() -> None:
    """Yellow and red cards each morning at 8:30 Beijing time (00:30 UTC: the worker counts in
    UTC), when people are at work."""
    send_warnings()
