"""Two workers delivering at the same moment send every message exactly once (PostgreSQL: on SQLite
the write lock serialises the claims, and the in-memory test database is one connection's)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection

from bangban.messaging import tasks
from bangban.messaging.actions import deliver_due, queue_message
from bangban.messaging.gateways import RecordingGateway
from bangban.messaging.models import Message

pytestmark = [
    # Skipped before the database is touched: a transactional test flushes it afterwards.
    pytest.mark.skipif(
        django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="PostgreSQL only",
    ),
    pytest.mark.django_db(transaction=True),
]


class MeetingGateway(RecordingGateway):
    """Holds the first send of each worker until the other worker is sending too."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.meeting = threading.Barrier(2, timeout=10)
        self.met: set[int] = set()

    def send(self, recipient, body, *, reference=""):
        me = threading.get_ident()
        if me not in self.met:
            self.met.add(me)
            self.meeting.wait()
        with self.lock:
            return super().send(recipient, body, reference=reference)


def test_two_workers_at_once_send_every_message_exactly_once(settings, monkeypatch):
    gateway = MeetingGateway()
    settings.BANGBAN_SMS_BACKEND = gateway
    monkeypatch.setattr(tasks, "deliver_messages", lambda: None)  # only the two workers send
    for n in range(30):
        queue_message(recipient=f"138000000{n:02d}", body="通知", reference=f"case:{n}")
    errors = []

    def worker():
        try:
            deliver_due()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(30)

    assert errors == []
    assert len(gateway.met) == 2  # both workers sent
    recipients = [m["to"] for m in gateway.sent]
    assert sorted(recipients) == sorted(set(recipients))
    assert len(recipients) == 30
    assert not Message.objects.pending().exists()
