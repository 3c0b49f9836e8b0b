"""The outbox in Django admin: superusers read it, nobody edits it, failed messages can be put back."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.urls import reverse

from bangban.messaging.actions import queue_message
from bangban.messaging.models import Message

pytestmark = pytest.mark.django_db

PHONE = "13812341234"
CHANGELIST = "admin:messaging_message_changelist"


@pytest.fixture
def operator(client):
    user = get_user_model().objects.create_superuser("ops", password="Secure-pass-123")
    client.force_login(user)
    return user


def queue(reference="case:370323-20261125-0042", status=Message.Status.PENDING) -> Message:
    message = queue_message(recipient=PHONE, body="您的事项已受理。", reference=reference)
    if status == Message.Status.FAILED:
        Message.objects.filter(pk=message.pk).update(status=status, next_attempt_at=None)
    return message


def test_the_operator_lists_messages_with_the_phone_masked(client, operator):
    queue()
    page = client.get(reverse(CHANGELIST))
    assert page.status_code == 200
    assert "138****1234" in page.text
    assert PHONE not in page.text


def test_the_operator_filters_by_status_and_searches_by_reference(client, operator):
    queue("case:370323-20261125-0042")
    queue("case:370323-20261125-0099", status=Message.Status.FAILED)

    failed = client.get(reverse(CHANGELIST), {"status__exact": "failed"})
    assert "0099" in failed.text and "0042" not in failed.text
    found = client.get(reverse(CHANGELIST), {"q": "20261125-0042"})
    assert "0042" in found.text and "0099" not in found.text


def test_a_message_page_is_read_only_with_the_phone_masked(client, operator):
    message = queue()
    page = client.get(reverse("admin:messaging_message_change", args=[message.pk]))
    assert page.status_code == 200
    assert "138****1234" in page.text
    assert PHONE not in page.text
    assert 'name="_save"' not in page.text


@pytest.mark.parametrize(
    "url",
    [
        lambda m: reverse("admin:messaging_message_add"),
        lambda m: reverse("admin:messaging_message_delete", args=[m.pk]),
    ],
    ids=["add", "delete"],
)
def test_nobody_adds_or_deletes_a_message_in_admin(client, operator, url):
    message = queue()
    assert client.get(url(message)).status_code == 403
    assert Message.objects.filter(pk=message.pk).exists()


def test_a_staff_member_who_is_not_a_superuser_is_sent_to_the_login(client):
    user = get_user_model().objects.create_user("clerk", password="Secure-pass-123")
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert client.get(reverse(CHANGELIST)).status_code == 302


def test_the_operator_puts_failed_messages_back_to_pending(
    client, operator, gateway, django_capture_on_commit_callbacks
):
    failed = queue(status=Message.Status.FAILED)
    pending = queue("case:2")

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse(CHANGELIST),
            {"action": "retry_failed", "_selected_action": [failed.pk, pending.pk]},
            follow=True,
        )

    assert "1 条消息已重新排队发送。" in answer.text
    failed.refresh_from_db()
    assert failed.status == Message.Status.SENT
    entry = LogEntry.objects.get(object_id=str(failed.pk))
    assert entry.user == operator
