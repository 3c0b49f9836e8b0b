"""The task worker's jobs for 好差评 (`bangban run_huey` finds this module by its name), each calling
an action of `feedback.actions.deadlines`, like the ledger's (`cases.tasks`).

Every hour `close_follow_ups` closes the rectifications whose follow-up window has ended and
`escalate_rectifications` escalates those past their call-back day or deadline to the level above;
`warn_rectifications` texts the yellow and red cards each morning at 8:30 Beijing time (00:30 UTC),
with the ledger's warnings. The provincial system's jobs are in their own module.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .actions import close_expired, escalate_overdue, send_warnings


@db_periodic_task(crontab(minute="12"))
def close_follow_ups() -> None:
    close_expired()


@db_periodic_task(crontab(minute="22"))
def escalate_rectifications() -> None:
    escalate_overdue()


@db_periodic_task(crontab(hour="0", minute="30"))
def warn_rectifications() -> None:
    """Yellow and red cards each morning at 8:30 Beijing time (00:30 UTC: the worker counts in
    UTC), when people are at work."""
    send_warnings()
