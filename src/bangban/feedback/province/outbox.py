"""What is owed to the province (`ProvinceOutbox`), and its delivery.

Rows are written in the transaction of what they tell about (`queue_rating`, in the rating's) or by a
periodic sweep (`queue_new_services`: every occasion not yet queued), one per (kind, projectNo,
assessNumber), so queueing twice writes nothing twice. `deliver_due` sends the due rows in order —
an occasion's service record before its ratings, the first rating before the follow-up — through
the delivery loop every outbox shares (`kernel.outbox`), with the discipline of
`messaging.actions.deliver_due`: a row is claimed in one short transaction (its
`next_attempt_at` moved a lease ahead, so no other worker takes it), sent with no transaction open,
then marked in another. A failure is retried after 1, 2, 4 … minutes (at most an hour) until
`BANGBAN_PROVINCE_GIVE_UP_HOURS` after the row was queued; then it is marked failed, with its last
error, and kept; `retry_failed` (the command `province-retry`) puts it back. A worker that dies
between sending and marking leaves its row due again after the lease: the province, idempotent on
(projectNo, assessNumber), acknowledges the repeat without creating anything.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bangban.cases.models import Occasion
from bangban.kernel import outbox as loop
from bangban.kernel.outbox import LEASE, Delivery, backoff

from ..models import Channel, ProvinceCursor, ProvinceOutbox, Rating
from . import health
from .fields import rating_record, service_record
from .gateway import ProvinceError, gateway_for

__all__ = ["LEASE", "Delivery", "backoff", "deliver_due", "enabled", "retry_failed"]

logger = logging.getLogger("bangban.feedback.province")

#: Occasions queued per sweep; a county's backlog when the adapter is first turned on is taken over
#: a few minutes.
SERVICE_BATCH = 1000
SERVICE_BATCHES = 5
#: An occasion is queued once it is this old: a transaction still writing a lower id commits first.
SETTLE = dt.timedelta(seconds=30)

Status = ProvinceOutbox.Status
Kind = ProvinceOutbox.Kind


def enabled() -> bool:
    """Whether the adapter is on: `BANGBAN_PROVINCE_URL` set."""
    return bool(settings.BANGBAN_PROVINCE_URL)


def give_up_window() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.BANGBAN_PROVINCE_GIVE_UP_HOURS))


OUTBOX = loop.Outbox(
    model=ProvinceOutbox,
    due=lambda now: ProvinceOutbox.objects.due(now),
    give_up_window=give_up_window,
    expected=ProvinceError,
    logger=logger,
)


# --- Queueing --------------------------------------------------------------------------------------


def _service_occasions():
    return Occasion.objects.select_related(
        "case__item",
        "case__revision__department",
        "case__applicant",
        "case__handling_helper",
        "point__county",
        "helper",
    )


def _service_row(occasion: Occasion, now: dt.datetime) -> ProvinceOutbox:
    return ProvinceOutbox(
        kind=Kind.SERVICE,
        project_no=occasion.number,
        assess_number=0,
        payload=service_record(occasion),
        status=Status.PENDING,
        next_attempt_at=now,
        give_up_at=now + give_up_window(),
    )


def queue_rating(rating: Rating) -> None:
    """Owe the province `rating`, in the rating's transaction, when the adapter is on: its row, and
    its occasion's service record if the sweep has not queued it yet (so the record goes first). A
    rating that came from the province is not sent back."""
    if not enabled() or rating.channel == Channel.PROVINCE:
        return
    now = timezone.now()
    occasion = _service_occasions().get(pk=rating.occasion_id)
    rating.occasion = occasion
    ProvinceOutbox.objects.bulk_create(
        [
            _service_row(occasion, now),
            ProvinceOutbox(
                kind=Kind.RATING,
                project_no=occasion.number,
                assess_number=rating.assess,
                payload=rating_record(rating),
                status=Status.PENDING,
                next_attempt_at=now,
                give_up_at=now + give_up_window(),
            ),
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(schedule_delivery, robust=True)


def schedule_delivery() -> None:
    """Ask the task worker to deliver now (the minute sweep does it anyway)."""
    from ..province_tasks import province_deliver

    province_deliver()


def queue_new_services(now: dt.datetime | None = None) -> int:
    """Queue the service record of every occasion not yet queued (after the cursor, by id), in
    batches, with `ignore_conflicts` (two sweeps at once write nothing twice). Returns how many
    occasions it went past. Nothing when the adapter is off."""
    if not enabled():
        return 0
    now = now or timezone.now()
    settled = now - SETTLE
    seen = 0
    for _i in range(SERVICE_BATCHES):
        cursor, _created = ProvinceCursor.objects.get_or_create(name="services")
        batch = list(
            _service_occasions().filter(pk__gt=cursor.position).order_by("pk")[:SERVICE_BATCH]
        )
        ready = []
        for occasion in batch:
            if occasion.at and occasion.at > settled:
                break
            ready.append(occasion)
        if not ready:
            break
        with transaction.atomic():
            ProvinceOutbox.objects.bulk_create(
                [_service_row(occasion, now) for occasion in ready], ignore_conflicts=True
            )
            ProvinceCursor.objects.filter(name="services", position__lt=ready[-1].pk).update(
                position=ready[-1].pk
            )
        seen += len(ready)
        if len(ready) < SERVICE_BATCH:
            break
    return seen


# --- Delivery --------------------------------------------------------------------------------------


def deliver_due(now: dt.datetime | None = None, limit: int = 100) -> Delivery:
    """Send up to `limit` due rows, one at a time; nothing when the adapter is off."""
    if not enabled():
        return Delivery()
    gateway = gateway_for()

    def send(row: ProvinceOutbox) -> None:
        if row.kind == Kind.SERVICE:
            gateway.push_service(row.payload)
        else:
            gateway.push_rating(row.payload)

    return loop.deliver(OUTBOX, send, now=now, limit=limit, noted=health.note)


def _claim_next(now: dt.datetime) -> ProvinceOutbox | None:
    return loop.claim_next(OUTBOX, now)


def retry_failed(*, by=None) -> int:
    """Put every failed row back to pending, with a new give-up window (counted from now) and the
    back-off from the start. Returns how many."""
    return loop.retry_failed(OUTBOX, by=by)
