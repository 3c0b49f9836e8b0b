"""Reading the outbox: the messages about one thing, the pending ones, the due ones."""

from __future__ import annotations

import datetime as dt

import pytest

from bangban.messaging.actions import deliver_due, queue_message
from bangban.messaging.models import Message

from .conftest import T0

pytestmark = pytest.mark.django_db


def queue(reference: str, recipient: str = "13812341234") -> Message:
    return queue_message(recipient=recipient, body="通知", reference=reference)


def test_about_lists_the_messages_of_one_reference_oldest_first(clock):
    first = queue("case:370323-20261125-0042")
    queue("case:370323-20261125-0043")
    clock.move_to(T0 + dt.timedelta(minutes=5))
    second = queue("case:370323-20261125-0042")

    assert list(Message.objects.about("case:370323-20261125-0042")) == [first, second]
    assert not Message.objects.about("case:370323-20261125-004").exists()


def test_pending_leaves_out_sent_and_failed_messages(gateway, clock):
    sent = queue("case:1")
    deliver_due()
    waiting = queue("case:2")
    failed = queue("case:3")
    Message.objects.filter(pk=failed.pk).update(status=Message.Status.FAILED, next_attempt_at=None)

    assert list(Message.objects.pending()) == [waiting]
    assert sent not in Message.objects.pending()


def test_due_is_the_pending_messages_whose_attempt_has_come_in_order(clock):
    later = queue("case:1")
    Message.objects.filter(pk=later.pk).update(next_attempt_at=T0 + dt.timedelta(minutes=2))
    now = queue("case:2")
    earlier = queue("case:3")
    Message.objects.filter(pk=earlier.pk).update(next_attempt_at=T0 - dt.timedelta(minutes=1))

    assert list(Message.objects.due(T0)) == [earlier, now]
    assert list(Message.objects.due(T0 + dt.timedelta(minutes=2))) == [earlier, now, later]


def test_querysets_chain(clock):
    mine = queue("case:1")
    queue("case:2")
    assert list(Message.objects.about("case:1").pending().due(T0)) == [mine]
