"""The transactional outbox: a message exists iff its transaction committed, is delivered on commit,
survives a gateway that is down, and is sent exactly once when the gateway recovers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from bangban.messaging import actions, tasks
from bangban.messaging.actions import (
    MessageError,
    backoff,
    deliver_due,
    queue_message,
    retry_message,
)
from bangban.messaging.models import Message

from .conftest import T0

pytestmark = pytest.mark.django_db

REFERENCE = "case:370323-20261125-0042"
PHONE = "13812341234"
Status = Message.Status


class Boom(Exception):
    pass


def queue(**overrides) -> Message:
    return queue_message(
        **{"recipient": PHONE, "body": "您的事项已受理。", "reference": REFERENCE, **overrides}
    )


def test_a_message_queued_in_a_transaction_that_rolls_back_does_not_exist(
    gateway, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        queue()
        raise Boom
    assert not Message.objects.exists()
    assert callbacks == []
    assert gateway.calls == 0


def test_a_committed_message_is_delivered_through_the_gateway(
    gateway, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = queue()
        assert gateway.calls == 0  # nothing is sent before the commit

    assert gateway.sent == [{"to": PHONE, "text": "您的事项已受理。", "reference": REFERENCE}]
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.sent_at == T0
    assert message.attempts == 1
    assert message.gateway_id == "rec-1"
    assert message.next_attempt_at is None


def test_a_queued_message_waits_pending_until_its_transaction_commits(gateway, clock):
    message = queue()
    assert message.status == Status.PENDING
    assert message.attempts == 0
    assert message.next_attempt_at == T0
    assert message.give_up_at == T0 + dt.timedelta(hours=24)


def test_an_unreachable_queue_at_commit_leaves_the_message_for_the_sweep(
    gateway, clock, django_capture_on_commit_callbacks, monkeypatch
):
    def queue_down():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks, "deliver_messages", queue_down)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = queue()
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert gateway.calls == 0

    tasks.sweep_messages.call_local()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(gateway.sent) == 1


def test_a_message_the_gateway_refuses_stays_pending_with_the_error_and_a_later_attempt(
    gateway, clock
):
    message = queue()
    gateway.down = True

    delivery = deliver_due()

    assert (delivery.sent, delivery.retrying, delivery.failed) == (0, 1, 0)
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.attempts == 1
    assert message.last_error == "recording gateway: down"
    assert T0 + dt.timedelta(minutes=1) <= message.next_attempt_at
    assert message.next_attempt_at <= T0 + dt.timedelta(minutes=1, seconds=6)


def test_each_failure_doubles_the_wait(gateway, clock):
    message = queue()
    gateway.down = True
    waits = []
    for _ in range(4):
        deliver_due()
        message.refresh_from_db()
        now = dt.datetime.now(tz=T0.tzinfo)
        waits.append(message.next_attempt_at - now)
        clock.move_to(message.next_attempt_at)
    for wait, minutes in zip(waits, [1, 2, 4, 8], strict=True):
        plain = dt.timedelta(minutes=minutes)
        assert plain <= wait <= plain * 1.1
    assert message.attempts == 4


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 60), (8, 60), (50, 60)],
)
def test_the_back_off_doubles_from_a_minute_up_to_an_hour(attempts, minutes):
    assert backoff(attempts) == dt.timedelta(minutes=minutes)


def test_a_pending_message_is_not_tried_again_before_its_next_attempt(gateway, clock):
    queue()
    gateway.down = True
    deliver_due()
    gateway.down = False
    clock.move_to(T0 + dt.timedelta(seconds=59))

    assert deliver_due().attempted == 0
    assert gateway.calls == 1


def test_when_the_gateway_recovers_the_sweep_delivers_the_message_exactly_once(gateway, clock):
    message = queue()
    gateway.down = True
    deliver_due()
    gateway.down = False
    clock.move_to(T0 + dt.timedelta(minutes=2))

    tasks.sweep_messages.call_local()
    tasks.sweep_messages.call_local()
    deliver_due()

    assert len(gateway.sent) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 2
    assert message.sent_at == T0 + dt.timedelta(minutes=2)
    assert message.last_error == "recording gateway: down"  # what happened on the way


def test_a_message_being_sent_is_not_taken_by_a_second_worker(gateway, clock):
    """The second deliver_due runs while the first is inside the gateway's send."""
    queue()
    second_runs = []
    send = gateway.send

    def send_while_another_worker_sweeps(recipient, body, *, reference=""):
        if not second_runs:
            second_runs.append(deliver_due())
        return send(recipient, body, reference=reference)

    gateway.send = send_while_another_worker_sweeps
    first = deliver_due()

    assert first.sent == 1
    assert second_runs[0].attempted == 0
    assert len(gateway.sent) == 1


def test_a_worker_that_died_mid_send_leaves_the_message_due_after_the_lease(gateway, clock):
    message = queue()
    actions._claim_next(T0)  # claimed, then the worker died before sending
    assert deliver_due().attempted == 0

    clock.move_to(T0 + actions.LEASE)
    assert deliver_due().sent == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 2


def test_deliver_due_sends_at_most_limit_messages_oldest_first(gateway, clock):
    for n in range(5):
        queue(recipient=f"1381234000{n}")
    assert deliver_due(limit=3).sent == 3
    assert [m["to"] for m in gateway.sent] == ["13812340000", "13812340001", "13812340002"]
    assert deliver_due(limit=3).sent == 2


def test_one_failing_message_does_not_hold_up_the_others(gateway, clock):
    first = queue(recipient="13812340001")
    second = queue(recipient="13812340002")
    gateway.fail_next(1)

    delivery = deliver_due()

    assert (delivery.sent, delivery.retrying) == (1, 1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.PENDING
    assert second.status == Status.SENT


def test_a_broken_gateway_is_recorded_as_a_failure_not_raised(settings, clock):
    class Broken:
        def send(self, recipient, body, *, reference=""):
            raise ValueError("bad configuration")

    settings.BANGBAN_SMS_BACKEND = Broken()
    message = queue()
    assert deliver_due().retrying == 1
    message.refresh_from_db()
    assert message.last_error == "ValueError: bad configuration"


def give_up(gateway, clock, message: Message) -> Message:
    """Keep the gateway down and the worker sweeping until the message is given up."""
    gateway.down = True
    for _ in range(100):
        deliver_due()
        message.refresh_from_db()
        if message.status != Status.PENDING:
            return message
        clock.move_to(message.next_attempt_at)
    raise AssertionError("never given up")


def test_a_message_still_unsent_after_the_give_up_window_is_marked_failed_and_kept(gateway, clock):
    message = give_up(gateway, clock, queue())

    assert message.status == Status.FAILED
    assert message.next_attempt_at is None
    assert message.last_error == "recording gateway: down"
    # 1+2+4+8+16+32 minutes, then hourly, and a last attempt when the window closes.
    assert dt.datetime.now(tz=T0.tzinfo) == T0 + dt.timedelta(hours=24)
    assert 25 <= message.attempts <= 30
    assert Message.objects.filter(pk=message.pk, status=Status.FAILED).exists()


def test_the_give_up_window_is_a_setting(gateway, clock, settings):
    settings.BANGBAN_MESSAGE_GIVE_UP_HOURS = 1
    message = queue()
    assert message.give_up_at == T0 + dt.timedelta(hours=1)
    give_up(gateway, clock, message)
    assert dt.datetime.now(tz=T0.tzinfo) == T0 + dt.timedelta(hours=1)


def test_retrying_a_failed_message_delivers_it(gateway, clock, django_capture_on_commit_callbacks):
    message = give_up(gateway, clock, queue())
    gateway.down = False
    now = dt.datetime.now(tz=T0.tzinfo)

    with django_capture_on_commit_callbacks(execute=True):
        retried = retry_message(message, by=None)

    assert retried.give_up_at == now + dt.timedelta(hours=24)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 1
    assert message.sent_at == now
    assert len(gateway.sent) == 1


@pytest.mark.parametrize("status", [Status.PENDING, Status.SENT])
def test_only_a_failed_message_can_be_retried(gateway, clock, status):
    message = queue()
    if status == Status.SENT:
        deliver_due()
    with pytest.raises(MessageError) as refused:
        retry_message(message)
    assert refused.value.errors == {"status": ["只有发送失败的消息可以重新发送。"]}


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("recipient", {"recipient": "  "}),
        ("recipient", {"recipient": "1" * 33}),
        ("recipient", {"recipient": "138\x001234"}),
        ("body", {"body": ""}),
        ("body", {"body": "已受理\x00"}),
        ("reference", {"reference": ""}),
        ("reference", {"reference": "case:" + "1" * 100}),
        ("channel", {"channel": "carrier_pigeon"}),
    ],
)
def test_a_message_without_what_it_needs_is_refused_naming_the_field(field, overrides):
    with pytest.raises(MessageError) as refused:
        queue(**overrides)
    assert list(refused.value.errors) == [field]
    assert not Message.objects.exists()


def test_a_body_may_have_several_lines():
    assert queue(body="您的事项已办结。\n请到村便民服务站领取。").pk
