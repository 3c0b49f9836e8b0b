"""Writes that overlap, on SQLite and on PostgreSQL: registrations get distinct, gap-free numbers, and
of two simultaneous answers to one transfer exactly one succeeds (the other gets 409 through the API).

Each test's threads have their own database connections, as gunicorn's workers do. On PostgreSQL
that is the test database itself. SQLite's test database lives in memory with a shared cache, where
threads lock whole tables instead of the database and `BEGIN IMMEDIATE` never waits as it does in
production; so for these tests the database is copied to a file and the connections of every thread
are pointed at it (`file_database`): WAL, `transaction_mode=IMMEDIATE` and the busy timeout of
settings.py then apply exactly as they do on a county's server. A barrier makes the writes collide:
every thread has passed its reads and the scope check before any of them writes.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import timezone

from bangban.cases import actions
from bangban.cases.actions import CaseError, next_sequence
from bangban.cases.models import Case, CaseEvent, IdempotencyKey, Transfer
from bangban.network.api import digest
from bangban.network.models import ApiToken

from .conftest import person

API = "/api/v1"
TIMEOUT = 30

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def file_database(yiyuan_committed, tmp_path):
    """On SQLite, every thread's connection goes to a file copy of the test database for the
    test's duration (the in-memory database is kept open and given back afterwards, then flushed
    as after every transactional test). On PostgreSQL, nothing to do."""
    wrapper = connections["default"]
    if wrapper.vendor != "sqlite":
        yield yiyuan_committed
        return
    # New threads build their connections from this very dict.
    assert connections.settings["default"] is wrapper.settings_dict
    wrapper.ensure_connection()
    memory = wrapper.connection
    path = tmp_path / "concurrency.sqlite3"
    target = sqlite3.connect(path)
    memory.backup(target)
    target.close()
    name = wrapper.settings_dict["NAME"]
    wrapper.connection = None  # detached, not closed: closing would drop the in-memory database
    wrapper.settings_dict["NAME"] = str(path)
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
        yield yiyuan_committed
    finally:
        wrapper.close()
        wrapper.settings_dict["NAME"] = name
        wrapper.connection = memory


def run_together(target, argument_lists) -> list:
    """Run `target(*args)` in one thread per argument list; their results (or exceptions), in
    order. Each thread closes its database connection at the end."""
    results: list = [None] * len(argument_lists)

    def run(index, args):
        try:
            results[index] = target(*args)
        except Exception as error:  # reported by the caller
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, args)) for i, args in enumerate(argument_lists)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads)
    return results


def collide(monkeypatch, name: str, parties: int) -> threading.Barrier:
    """Make every call of `actions.<name>` wait until `parties` calls have arrived, so that they
    enter their transactions together."""
    barrier = threading.Barrier(parties, timeout=TIMEOUT)
    original = getattr(actions, name)

    def waiting(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(actions, name, waiting)
    return barrier


def bearer(user) -> dict:
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, digest=digest(token), expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    return {"authorization": f"Bearer {token}"}


# --- Numbers ---------------------------------------------------------------------------------------


def test_overlapping_sequences_are_distinct_and_gap_free(file_database):
    county = file_database.county.pk
    day = dt.date(2026, 11, 25)
    start = threading.Barrier(8, timeout=TIMEOUT)

    def twenty():
        start.wait()
        numbers = []
        for _ in range(20):
            with transaction.atomic():
                numbers.append(next_sequence(county, day))
        return numbers

    results = run_together(twenty, [()] * 8)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(n for numbers in results for n in numbers) == list(range(1, 161))


def test_concurrent_registrations_through_the_api_get_distinct_gap_free_numbers(
    file_database, make_helper, make_item, monkeypatch
):
    station = file_database.station("鲁村镇")
    helpers = [make_helper(station).user for _ in range(4)]
    item = make_item()
    headers = [bearer(user) for user in helpers]
    rounds = 5
    collide(monkeypatch, "register_case", len(helpers))

    def register(headers):
        client = Client()
        answers = []
        for _ in range(rounds):
            response = client.post(
                f"{API}/cases",
                {
                    "point": station.pk,
                    "applicant": {"name": "张秀英", "number": person().number},
                    "item": item.pk,
                    "kind": "assisted",
                    "mode": "on_site",
                },
                content_type="application/json",
                headers=headers,
            )
            answers.append((response.status_code, response.json().get("number")))
        return answers

    results = run_together(register, [(h,) for h in headers])
    assert not [r for r in results if isinstance(r, Exception)], results
    answers = [answer for answers in results for answer in answers]
    assert {status for status, _ in answers} == {201}, answers
    total = len(helpers) * rounds
    sequences = sorted(int(number.rsplit("-", 1)[1]) for _, number in answers)
    assert sequences == list(range(1, total + 1))
    assert Case.objects.count() == total
    assert CaseEvent.objects.filter(action="register").count() == total


# --- Transfers -------------------------------------------------------------------------------------


@pytest.fixture
def offered(file_database, make_helper, make_item):
    """(transfer, two helpers of the receiving sub-zone): a village case offered to 医保."""
    station = file_database.station("鲁村镇")
    helper = make_helper(station).user
    subzone = file_database.subzone("medical_insurance")
    receivers = [make_helper(subzone).user, make_helper(subzone).user]
    case = actions.register_case(
        station,
        registration=actions.Registration(
            applicant=person(),
            item=make_item(),
            kind="assisted",
            mode="on_site",
            channel="walk_in",
            received_on=timezone.localdate(),
            responsible=helper,
        ),
        by=helper,
    )
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    return transfer, receivers


def test_two_simultaneous_accepts_give_one_success_and_one_refusal(offered, monkeypatch):
    transfer, receivers = offered
    collide(monkeypatch, "accept_transfer", 2)

    def accept(user):
        try:
            actions.accept_transfer(transfer, by=user)
        except CaseError as error:
            return sorted(error.errors)
        return "accepted"

    results = run_together(accept, [(u,) for u in receivers])
    assert sorted(results, key=str) == [["transfer"], "accepted"], results
    assert Transfer.objects.get(pk=transfer.pk).status == Transfer.Status.ACCEPTED
    assert CaseEvent.objects.filter(case=transfer.case, action="accept_transfer").count() == 1


def test_two_simultaneous_accepts_through_the_api_give_200_and_409(offered, monkeypatch):
    transfer, receivers = offered
    headers = [bearer(user) for user in receivers]
    collide(monkeypatch, "accept_transfer", 2)

    def accept(headers):
        response = Client().post(
            f"{API}/transfers/{transfer.pk}/accept",
            content_type="application/json",
            headers=headers,
        )
        return response.status_code, response.json()

    results = run_together(accept, [(h,) for h in headers])
    assert not [r for r in results if isinstance(r, Exception)], results
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], results
    (refusal,) = [body for status, body in results if status == 409]
    assert refusal["detail"][0]["loc"] == ["path", "transfer_id"]
    assert refusal["detail"][0]["type"] == "conflict"
    case = Case.objects.get(pk=transfer.case_id)
    assert case.handling_point_id == transfer.to_point_id
    assert CaseEvent.objects.filter(case=case, action="accept_transfer").count() == 1


# --- Idempotent retries (decision 0033) ------------------------------------------------------------


def test_a_retry_sent_while_the_first_request_runs_gives_its_answer_and_writes_nothing(
    file_database, make_helper, make_item, monkeypatch
):
    """Two requests with one key at once: the first registers the case and, still inside its
    transaction, waits until the retry is seen waiting for it — on SQLite for the write lock, at its
    first write; on PostgreSQL for the row of the day's counter the first holds. Then the first
    commits; the retry registers too, finds the first's key when it writes its own, rolls all of it
    back and gives the first answer: one case, and no number used."""
    from bangban.db.sqlite3.base import DatabaseWrapper

    station = file_database.station("鲁村镇")
    headers = {**bearer(make_helper(station).user), "Idempotency-Key": "partner-0001"}
    data = {
        "point": station.pk,
        "applicant": {"name": "张秀英", "number": person().number},
        "item": make_item().pk,
        "kind": "assisted",
        "mode": "on_site",
    }
    acquiring = []  # threads inside the SQLite backend's wait for its write lock
    original_acquire = DatabaseWrapper._acquire_write_lock

    def counted_acquire(self):
        acquiring.append(threading.get_ident())
        try:
            original_acquire(self)
        finally:
            acquiring.remove(threading.get_ident())

    def another_waits() -> bool:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_locks WHERE NOT granted LIMIT 1")
                return cursor.fetchone() is not None
        return any(ident != threading.get_ident() for ident in acquiring)

    original_register = actions.register_case
    seen_waiting = []
    registered = []

    def register_then_wait(*args, **kwargs):
        case = original_register(*args, **kwargs)
        registered.append(case.number)
        if len(registered) > 1:  # the retry: on to its end
            return case
        deadline = time.monotonic() + TIMEOUT
        while not another_waits():
            assert time.monotonic() < deadline, "the retry never waited for the first request"
            time.sleep(0.005)
        seen_waiting.append(True)
        return case

    monkeypatch.setattr(DatabaseWrapper, "_acquire_write_lock", counted_acquire)
    monkeypatch.setattr(actions, "register_case", register_then_wait)

    def post():
        response = Client().post(
            f"{API}/cases", data, content_type="application/json", headers=headers
        )
        return response.status_code, response.content, response.get("Idempotent-Replayed")

    results = run_together(post, [(), ()])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert seen_waiting == [True]  # the retry overlapped the first
    assert [status for status, _, _ in results] == [201, 201], results
    assert results[0][1] == results[1][1]
    assert sorted(str(replayed) for _, _, replayed in results) == ["None", "true"]
    # The retry's own registration ran after the first's commit, and was rolled back.
    assert len(registered) == 2 and registered[0] != registered[1]
    (case,) = Case.objects.all()
    assert case.number == registered[0] and case.sequence == 1
    assert CaseEvent.objects.filter(action="register").count() == 1
    assert IdempotencyKey.objects.filter(key="partner-0001").count() == 1
