"""What is owed to the 12345 platform (`HotlineOutbox`), and its delivery.

Rows are written in the transaction of the action they tell about (`queue`: a signing, a return, an
extension request, an answer), one per (ticket, action, sequence). `deliver_due` sends the due rows
through the delivery loop every outbox shares (`kernel.outbox`: lease, back-off 1, 2, 4 … minutes
up to an hour, give-up after `BANGBAN_HOTLINE_GIVE_UP_HOURS`, failed rows kept), in order per
ticket: a row waits until every earlier row of its ticket is sent (the signing before the answer).
Each push carries (ticketNo, action, sequence), the key the platform is idempotent on, so a push
whose acknowledgement was lost is sent again and acknowledged without acting twice.
`retry_failed` (the command `hotline-retry --failed`) puts failed rows back.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from bangban.kernel import outbox as loop
from bangban.kernel.outbox import Delivery

from ..models import Complaint, HotlineOutbox, Source
from .gateway import HotlineError, gateway_for

__all__ = ["Delivery", "deliver_due", "enabled", "queue", "record_of", "retry_failed"]

logger = logging.getLogger("bangban.supervision.hotline")

Status = HotlineOutbox.Status


def enabled() -> bool:
    """Whether the adapter is on: `BANGBAN_HOTLINE_URL` set."""
    return bool(getattr(settings, "BANGBAN_HOTLINE_URL", ""))


def give_up_window() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.BANGBAN_HOTLINE_GIVE_UP_HOURS))


def due(now: dt.datetime):
    """Pending rows due at `now` whose ticket has no earlier row unsent, in the order to send."""
    waiting = HotlineOutbox.objects.filter(
        ticket_no=models.OuterRef("ticket_no"), pk__lt=models.OuterRef("pk")
    ).exclude(status=Status.SENT)
    return (
        HotlineOutbox.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .exclude(models.Exists(waiting))
        .order_by("next_attempt_at", "pk")
    )


OUTBOX = loop.Outbox(
    model=HotlineOutbox,
    due=due,
    give_up_window=give_up_window,
    expected=HotlineError,
    logger=logger,
)


def queue(complaint: Complaint, action: str, payload: dict) -> HotlineOutbox | None:
    """Owe the platform `action` on `complaint`'s ticket (a hotline ticket only, and only while the
    adapter is on), in the caller's transaction; the n-th of its kind for the ticket. Delivery is
    asked for once the transaction commits (the minute sweep does it anyway)."""
    if complaint.source != Source.HOTLINE or not enabled():
        return None
    sequence = (
        HotlineOutbox.objects.filter(ticket_no=complaint.ticket_no, action=action).count() + 1
    )
    now = timezone.now()
    row = HotlineOutbox.objects.create(
        complaint=complaint,
        ticket_no=complaint.ticket_no,
        action=action,
        sequence=sequence,
        payload={"ticketNo": complaint.ticket_no, **payload},
        next_attempt_at=now,
        give_up_at=now + give_up_window(),
    )
    transaction.on_commit(schedule_delivery, robust=True)
    return row


def schedule_delivery() -> None:
    """Ask the task worker to deliver now."""
    from ..hotline_tasks import hotline_deliver

    hotline_deliver()


def record_of(row: HotlineOutbox) -> dict:
    """What is pushed for `row`: its payload with the key the platform is idempotent on."""
    return {
        **row.payload,
        "ticketNo": row.ticket_no,
        "action": row.action,
        "sequence": row.sequence,
    }


def deliver_due(now: dt.datetime | None = None, limit: int = 100) -> Delivery:
    """Send up to `limit` due rows, one at a time; nothing when the adapter is off."""
    if not enabled():
        return Delivery()
    gateway = gateway_for()
    return loop.deliver(OUTBOX, lambda row: gateway.push(record_of(row)), now=now, limit=limit)


def retry_failed(*, by=None) -> int:
    """Put every failed row back to pending, with a new give-up window and the back-off from the
    start. Returns how many."""
    return loop.retry_failed(OUTBOX, by=by)
