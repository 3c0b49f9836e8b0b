"""The task worker's jobs for the 12345 hotline adapter (imported by `SupervisionConfig.ready`, as
huey only discovers modules named `tasks`). Each does nothing while the adapter is off.

- every minute: deliver what is due to the platform;
- `hotline_deliver`: also enqueued when an action queues a row, on commit;
- every five minutes: pull the tickets dispatched to us after our cursor (the platform also calls
  them back; receipt is idempotent, the pull is the safety net).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .hotline import outbox

BATCH = 100
BATCHES = 20


def _deliver() -> None:
    for _i in range(BATCHES):
        if outbox.deliver_due(limit=BATCH).attempted < BATCH:
            break


@db_task()
def hotline_deliver() -> None:
    _deliver()


@db_periodic_task(crontab(minute="*"))
def hotline_sweep() -> None:
    if outbox.enabled():
        _deliver()


@db_periodic_task(crontab(minute="*/5"))
def hotline_pull() -> None:
    if not outbox.enabled():
        return
    from .hotline.intake import pull_tickets

    pull_tickets()
