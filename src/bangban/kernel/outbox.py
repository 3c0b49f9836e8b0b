"""The delivery loop of an outbox to a partner platform (the provincial 好差评 system, the 12345
hotline; decisions 0052 and 0056), with the discipline of `messaging.actions.deliver_due`.

An app's outbox model has `status` (pending / sent / failed: its `Status`), `attempts`,
`next_attempt_at`, `last_error`, `created_at`, `give_up_at` and `sent_at`; it describes itself in an
`Outbox` (the model, the queryset of the rows due at a moment in the order to send them, the give-up
window, the error a platform's refusal raises). `deliver` then sends the due rows one at a time: a row
is claimed in one short transaction (its `next_attempt_at` moved a lease ahead, so no other worker
takes it), sent with no transaction open, then marked in another. A failure is retried after 1, 2,
4 … minutes (at most an hour, with a little jitter) until the row's give-up time; then it is marked
failed, with its last error, and kept; `retry_failed` puts failed rows back. A worker that dies
between sending and marking leaves its row due again after the lease: the platform, idempotent on
the row's key, acknowledges the repeat without creating anything.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

__all__ = [
    "LEASE",
    "Delivery",
    "Outbox",
    "backoff",
    "claim_next",
    "deliver",
    "mark_sent",
    "record_failure",
    "retry_failed",
]

FIRST_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(hours=1)
JITTER = 0.1
LEASE = dt.timedelta(minutes=2)  # far longer than a request's timeout (a few seconds)
ERROR_LENGTH = 1000

_random = secrets.SystemRandom()


@dataclass(frozen=True)
class Outbox:
    """One app's outbox: its `model`, `due(now)` (the pending rows due at `now` whose predecessors
    are sent, in order), `give_up_window()` (from the settings, read at each use), the `expected`
    error of a platform that did not take a row, and where to log."""

    model: type[models.Model]
    due: Callable[[dt.datetime], models.QuerySet]
    give_up_window: Callable[[], dt.timedelta]
    expected: type[Exception]
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("bangban.outbox"))

    @property
    def Status(self):  # noqa: N802 - the model's choices, by their model's name
        return self.model.Status


@dataclass
class Delivery:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


def backoff(attempts: int) -> dt.timedelta:
    """The delay after the `attempts`-th failure: 1, 2, 4 … minutes, at most an hour."""
    return min(FIRST_DELAY * 2 ** min(max(attempts - 1, 0), 20), MAX_DELAY)


def deliver(
    outbox: Outbox,
    send: Callable[[models.Model], object],
    *,
    now: dt.datetime | None = None,
    limit: int = 100,
    noted: Callable[[bool], None] | None = None,
) -> Delivery:
    """Send up to `limit` due rows of `outbox`, one at a time, each by `send(row)`; `noted(ok)` is
    told of each platform's answer (for a health cache). An unexpected exception is logged and
    counted as a failure of that row only: a broken record must not stop the others."""
    delivery = Delivery()
    clock = (lambda: now) if now is not None else timezone.now
    for _i in range(limit):
        row = claim_next(outbox, clock())
        if row is None:
            break
        try:
            send(row)
        except outbox.expected as exc:
            if noted:
                noted(False)
            outcome = record_failure(outbox, row, str(exc) or type(exc).__name__, clock())
        except Exception as exc:
            outbox.logger.error("Pushing %s failed unexpectedly: %r", row, exc)
            outcome = record_failure(outbox, row, f"{type(exc).__name__}: {exc}", clock())
        else:
            if noted:
                noted(True)
            mark_sent(outbox, row, clock())
            outcome = "sent"
        setattr(delivery, outcome, getattr(delivery, outcome) + 1)
    return delivery


def claim_next(outbox: Outbox, now: dt.datetime):
    """The next due row, leased to this worker (None when nothing is due)."""
    with transaction.atomic():
        row = outbox.due(now).select_for_update(skip_locked=True).first()
        if row is None:
            return None
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        outbox.model.objects.filter(pk=row.pk).update(
            attempts=F("attempts") + 1, next_attempt_at=row.next_attempt_at
        )
    return row


def mark_sent(outbox: Outbox, row, now: dt.datetime) -> None:
    with transaction.atomic():
        outbox.model.objects.filter(pk=row.pk, status=outbox.Status.PENDING).update(
            status=outbox.Status.SENT, sent_at=now, next_attempt_at=None, last_error=""
        )


def record_failure(outbox: Outbox, row, error: str, now: dt.datetime) -> str:
    """The row retried after its back-off, or failed once its give-up time has come: "retrying" or
    "failed"."""
    give_up_at = row.give_up_at or row.created_at + outbox.give_up_window()
    error = error[:ERROR_LENGTH]
    if now >= give_up_at:
        status, next_at, outcome = outbox.Status.FAILED, None, "failed"
        outbox.logger.warning("%s failed after %s attempts: %s", row, row.attempts, error)
    else:
        delay = backoff(row.attempts)
        delay += delay * _random.uniform(0, JITTER)
        status, next_at, outcome = outbox.Status.PENDING, min(now + delay, give_up_at), "retrying"
    with transaction.atomic():
        outbox.model.objects.filter(pk=row.pk, status=outbox.Status.PENDING).update(
            status=status, next_attempt_at=next_at, last_error=error
        )
    return outcome


def retry_failed(outbox: Outbox, *, by=None) -> int:
    """Put every failed row back to pending, with a new give-up window (counted from now) and the
    back-off from the start. Returns how many."""
    now = timezone.now()
    with transaction.atomic():
        count = outbox.model.objects.filter(status=outbox.Status.FAILED).update(
            status=outbox.Status.PENDING,
            attempts=0,
            next_attempt_at=now,
            give_up_at=now + outbox.give_up_window(),
        )
    outbox.logger.info("%s rows put back to pending by %s.", count, by or "the system")
    return count
