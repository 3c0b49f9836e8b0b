"""The task worker's jobs for the provincial adapter (imported by `FeedbackConfig.ready`, as huey
only discovers modules named `tasks`). Each does nothing while the adapter is off.

- every minute: queue the new occasions' service records, then deliver what is due;
- `province_deliver`: also enqueued when a rating is queued, on commit;
- every five minutes: pull the ratings the province holds after our cursor;
- every two minutes: ask the province whether it answers, so the public pages know without asking.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import province
from .province import health

BATCH = 100
BATCHES = 20


def _deliver() -> None:
    for _i in range(BATCHES):
        if province.deliver_due(limit=BATCH).attempted < BATCH:
            break


@db_task()
def province_deliver() -> None:
    _deliver()


@db_periodic_task(crontab(minute="*"))
def province_sweep() -> None:
    if not province.enabled():
        return
    province.queue_new_services()
    _deliver()


@db_periodic_task(crontab(minute="*/5"))
def province_pull() -> None:
    if not province.enabled():
        return
    from .province.mirror import pull_ratings

    pull_ratings()


@db_periodic_task(crontab(minute="*/2"))
def province_probe() -> None:
    if not province.enabled():
        return
    health.probe(province.gateway_for())
