"""What is owed to the 12345 platform (`HotlineOutbox`): rows written in the transaction of the
action they tell about (`queue`), one per (ticket, action, sequence), delivered by the task worker."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from ..models import Complaint, HotlineOutbox, Source


def enabled() -> bool:
    """Whether the adapter is on: `BANGBAN_HOTLINE_URL` set."""
    return bool(getattr(settings, "BANGBAN_HOTLINE_URL", ""))


def queue(complaint: Complaint, action: str, payload: dict) -> HotlineOutbox | None:
    """Owe the platform `action` on `complaint`'s ticket (a hotline ticket only, and only while the
    adapter is on), in the caller's transaction; the n-th of its kind for the ticket."""
    if complaint.source != Source.HOTLINE or not enabled():
        return None
    sequence = (
        HotlineOutbox.objects.filter(ticket_no=complaint.ticket_no, action=action).count() + 1
    )
    return HotlineOutbox.objects.create(
        complaint=complaint,
        ticket_no=complaint.ticket_no,
        action=action,
        sequence=sequence,
        payload={"ticketNo": complaint.ticket_no, **payload},
        next_attempt_at=timezone.now(),
    )
