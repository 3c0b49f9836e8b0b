"""Writes of the outbox: queueing a message, delivering due ones, putting a failed one back.

`queue_message` runs inside the caller's transaction (a case action): the row exists if and only if
the business change committed, and delivery is asked for on commit. `deliver_due` is what the task
worker runs, on commit of a queued message and every minute (tasks.py); a gateway that is down only
delays a message: it is retried with exponential back-off (1, 2, 4 … minutes, at most an hour, with a
little jitter so retries do not arrive in step) until `BANGBAN_MESSAGE_GIVE_UP_HOURS` after it was
queued, and then marked failed, kept, and can be put back with `retry_message`.

No transaction is held open while a gateway is called (on SQLite that would hold the write lock of
every other writer for up to the gateway's timeout): a message is claimed in one short transaction —
its `next_attempt_at` moved a lease ahead, so no other worker takes it — sent, then marked in another.
A worker that dies between sending and marking leaves the message due again after the lease, so that
message may be sent twice: at least once, never lost. Two workers running `deliver_due` at once never
send the same message twice (on PostgreSQL `select_for_update(skip_locked=True)` lets them share the
work; on SQLite the write lock of the claim serialises them).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.kernel import protection
from bangban.kernel.errors import RuleError

from .gateways import GatewayError, gateway_for
from .models import Channel, Message, mask_phone

logger = logging.getLogger("bangban.messaging")

FIRST_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(hours=1)
JITTER = 0.1  # up to 10 % later than the plain back-off
LEASE = dt.timedelta(minutes=5)  # longer than any gateway timeout
RECIPIENT_LENGTH = 32
REFERENCE_LENGTH = 100
ERROR_LENGTH = 1000

_random = secrets.SystemRandom()


class MessageError(RuleError):
    """A rule of the outbox was broken: {field: [Chinese messages]}."""


@dataclass
class Delivery:
    """What one `deliver_due` run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


def give_up_window() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.BANGBAN_MESSAGE_GIVE_UP_HOURS))


def backoff(attempts: int) -> dt.timedelta:
    """The plain delay after the `attempts`-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return min(FIRST_DELAY * 2 ** min(max(attempts - 1, 0), 20), MAX_DELAY)


def _has_control_characters(text: str, *, allow_newlines: bool = False) -> bool:
    allowed = {"\n", "\r", "\t"} if allow_newlines else set()
    return any((ord(c) < 32 or ord(c) == 127) and c not in allowed for c in text)


def queue_message(
    *, recipient: str, body: str, reference: str, channel: str = Channel.SMS
) -> Message:
    """Put a message in the outbox, in the caller's transaction; delivery is asked for when that
    transaction commits (nothing is sent if it rolls back)."""
    recipient = (recipient or "").strip()
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = [_("不支持的消息渠道。")]
    if not recipient:
        errors["recipient"] = [_("请填写接收号码。")]
    elif len(recipient) > RECIPIENT_LENGTH or _has_control_characters(recipient):
        errors["recipient"] = [_("接收号码无效。")]
    if not (body or "").strip():
        errors["body"] = [_("消息内容不能为空。")]
    elif _has_control_characters(body, allow_newlines=True):
        errors["body"] = [_("消息内容含有无效字符。")]
    if not reference or len(reference) > REFERENCE_LENGTH or _has_control_characters(reference):
        errors["reference"] = [
            _("关联对象必须填写，且不超过 %(n)s 个字符。") % {"n": REFERENCE_LENGTH}
        ]
    if errors:
        raise MessageError(errors)
    now = timezone.now()
    message = Message.objects.create(
        channel=channel,
        recipient_encrypted=protection.encrypt(recipient),
        recipient_masked=mask_phone(recipient),
        body=body,
        reference=reference,
        status=Message.Status.PENDING,
        next_attempt_at=now,
        give_up_at=now + give_up_window(),
        created_at=now,
    )
    transaction.on_commit(schedule_delivery, robust=True)
    return message


def schedule_delivery() -> None:
    """Ask the task worker to deliver due messages now. If the queue cannot be reached (Redis down),
    the minute sweep delivers them anyway, so this only logs (on_commit(robust=True))."""
    from .tasks import deliver_messages

    deliver_messages()


def deliver_due(now: dt.datetime | None = None, limit: int = 100) -> Delivery:
    """Send up to `limit` pending messages whose next attempt is due at `now` (default: the current
    time), one at a time, through their channel's gateway."""
    clock: Callable[[], dt.datetime] = (lambda: now) if now is not None else timezone.now
    delivery = Delivery()
    gateways = {}
    for _i in range(limit):
        message = _claim_next(clock())
        if message is None:
            break
        recipient = ""
        try:
            if message.channel not in gateways:
                gateways[message.channel] = gateway_for(message.channel)
            # Decrypted here, at send time, and nowhere else (decision 0030).
            recipient = message.decrypted_recipient()
            gateway_id = gateways[message.channel].send(
                recipient, message.body, reference=message.reference
            )
        except protection.UnreadableNumber:
            logger.error(
                "Message %s: its recipient cannot be decrypted with any data key.", message.pk
            )
            outcome = _record_failure(message, "recipient unreadable: data key missing", clock())
        except GatewayError as exc:
            error = _scrubbed(str(exc), recipient) or type(exc).__name__
            outcome = _record_failure(message, error, clock())
        except Exception as exc:  # a broken gateway or configuration must not stop the others
            error = _scrubbed(f"{type(exc).__name__}: {exc}", recipient)
            # No traceback: its frames would show the recipient in full.
            logger.error("Sending message %s failed unexpectedly: %s", message.pk, error)
            outcome = _record_failure(message, error, clock())
        else:
            _mark_sent(message, gateway_id, clock())
            outcome = "sent"
        setattr(delivery, outcome, getattr(delivery, outcome) + 1)
    return delivery


def _scrubbed(text: str, recipient: str) -> str:
    """An error's text as it may be kept and logged: the recipient, should a gateway name it,
    masked."""
    return text.replace(recipient, mask_phone(recipient)) if recipient else text


def _claim_next(now: dt.datetime) -> Message | None:
    """Take the next due message: count the attempt and move it a lease ahead, in one short
    transaction, so no other worker takes it while it is being sent."""
    with transaction.atomic():
        message = Message.objects.due(now).select_for_update(skip_locked=True).first()
        if message is None:
            return None
        message.attempts += 1
        message.next_attempt_at = now + LEASE
        Message.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1, next_attempt_at=message.next_attempt_at
        )
    return message


def _mark_sent(message: Message, gateway_id: str | None, now: dt.datetime) -> None:
    message.status = Message.Status.SENT
    message.sent_at = now
    message.next_attempt_at = None
    message.gateway_id = (gateway_id or "")[:100]
    with transaction.atomic():
        Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
            status=message.status,
            sent_at=message.sent_at,
            next_attempt_at=None,
            gateway_id=message.gateway_id,
        )


def _record_failure(message: Message, error: str, now: dt.datetime) -> str:
    """Keep the error; try again after the back-off, or give up once the window has closed (the
    last attempt is made when it closes). Returns "retrying" or "failed"."""
    message.last_error = error[:ERROR_LENGTH]
    if now >= message.give_up_at:
        message.status = Message.Status.FAILED
        message.next_attempt_at = None
        logger.warning(
            "Message %s (%s) failed after %s attempts: %s",
            message.pk,
            message.reference,
            message.attempts,
            message.last_error,
        )
        outcome = "failed"
    else:
        delay = backoff(message.attempts)
        delay += delay * _random.uniform(0, JITTER)
        message.next_attempt_at = min(now + delay, message.give_up_at)
        outcome = "retrying"
    with transaction.atomic():
        Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
            status=message.status,
            next_attempt_at=message.next_attempt_at,
            last_error=message.last_error,
        )
    return outcome


def retry_message(message: Message, *, by=None) -> Message:
    """Put a failed message back to pending, with a new give-up window and the back-off from the
    start; delivery is asked for on commit."""
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if locked.status != Message.Status.FAILED:
            raise MessageError({"status": [_("只有发送失败的消息可以重新发送。")]})
        now = timezone.now()
        locked.status = Message.Status.PENDING
        locked.attempts = 0
        locked.next_attempt_at = now
        locked.give_up_at = now + give_up_window()
        locked.save(update_fields=["status", "attempts", "next_attempt_at", "give_up_at"])
        logger.info("Message %s put back to pending by %s.", locked.pk, by or "the system")
        transaction.on_commit(schedule_delivery, robust=True)
    return locked
