"""The task worker's jobs for the outbox (`bangban run_huey` finds this module by its name).

`deliver_messages` is enqueued when a transaction that queued a message commits; `sweep_messages`
runs every minute and delivers whatever is due — retries after a failure, and anything queued while
the worker was stopped or the queue unreachable — so a message is never lost.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .actions import deliver_due

SWEEP_BATCH = 100
SWEEP_BATCHES = 50  # at most 5,000 messages a minute; the next sweep takes the rest


@db_task()
def deliver_messages() -> None:
    deliver_due(limit=SWEEP_BATCH)


@db_periodic_task(crontab(minute="*"))
def sweep_messages() -> None:
    for _i in range(SWEEP_BATCHES):
        if deliver_due(limit=SWEEP_BATCH).attempted < SWEEP_BATCH:
            break
