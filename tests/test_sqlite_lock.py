"""The SQLite backend's write lock (decision 0023): write transactions of different connections, in
threads of one process and in separate processes, wait for each other on the file lock instead of
SQLite's busy handler. SQLite's own busy timeout is 0 here, so any overlap the lock did not prevent
would fail at once with "database is locked" (the control with Django's plain backend shows it)."""

from __future__ import annotations

import secrets
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connections, transaction

ENGINE = "bangban.db.sqlite3"
ROOT = Path(__file__).resolve().parent.parent
HOLD = 0.03  # seconds a transaction keeps the lock
ROUNDS = 8


def make_database(path: Path) -> sqlite3.Connection:
    """A WAL database with one table, and a connection to it that the caller keeps open meanwhile,
    as a server's workers do: the last connection to close removes the WAL index, and the next one
    to open rebuilds it under a lock (which, with a busy timeout of 0, fails whoever opens beside
    it)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, writer TEXT)")
    db.commit()
    return db


def options(timeout: float = 10) -> dict:
    return {
        "timeout": timeout,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA busy_timeout=0;",  # no sleeping and retrying in SQLite
    }


@pytest.fixture
def alias(tmp_path, django_db_blocker):
    """A database alias of this backend on a new file database, for this test only."""
    path = tmp_path / "lock.sqlite3"
    keeper = make_database(path)
    names = []

    def make(timeout: float = 10, engine: str = ENGINE) -> str:
        name = f"locktest_{secrets.token_hex(4)}"
        settings = {"ENGINE": engine, "NAME": str(path), "OPTIONS": options(timeout)}
        configured = connections.configure_settings({"default": {}, name: settings})
        connections.settings[name] = configured[name]
        names.append(name)
        return name

    with django_db_blocker.unblock():
        yield make
        for name in names:
            connections[name].close()
            del connections[name]  # this thread's wrapper (the others' closed with their threads)
            del connections.settings[name]
    keeper.close()


def write(name: str, writer: str, start: threading.Barrier | None = None) -> None:
    if start is not None:
        start.wait()
    try:
        for _ in range(ROUNDS):
            with transaction.atomic(using=name), connections[name].cursor() as cursor:
                cursor.execute("INSERT INTO t (writer) VALUES (%s)", [writer])
                time.sleep(HOLD)
    finally:
        connections[name].close()


def rows(name: str) -> dict[str, int]:
    with connections[name].cursor() as cursor:
        cursor.execute("SELECT writer, COUNT(*) FROM t GROUP BY writer")
        return dict(cursor.fetchall())


def run_threads(name: str, count: int) -> list:
    start = threading.Barrier(count, timeout=10)
    errors: list = []

    def run(writer):
        try:
            write(name, writer, start)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(f"w{i}",)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def test_threads_of_one_process_write_at_once_and_all_succeed(alias):
    name = alias()
    assert run_threads(name, 3) == []
    assert rows(name) == {"w0": ROUNDS, "w1": ROUNDS, "w2": ROUNDS}


def test_without_the_lock_the_same_writes_collide(alias):
    """The control: Django's own backend, SQLite's busy timeout 0 → "database is locked"."""
    name = alias(engine="django.db.backends.sqlite3")
    errors = run_threads(name, 3)
    assert errors and all("database is locked" in str(e) for e in errors)


PROCESS = (
    textwrap.dedent(
        """
    import sys, time
    import django
    from django.conf import settings

    path, writer, start, engine, options = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], eval(sys.argv[5])
    settings.configure(
        DATABASES={"default": {"ENGINE": engine, "NAME": path, "OPTIONS": options}}, USE_TZ=True
    )
    django.setup()
    from django.db import connection, transaction

    time.sleep(max(0, start - time.time()))
    for _ in range({rounds}):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO t (writer) VALUES (%s)", [writer])
            time.sleep({hold})
    """
    )
    .replace("{rounds}", str(ROUNDS))
    .replace("{hold}", str(HOLD))
)


def run_processes(path: Path, engine: str) -> list[subprocess.CompletedProcess]:
    start = time.time() + 2  # both processes begin writing at this moment
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                PROCESS,
                str(path),
                f"p{i}",
                str(start),
                engine,
                repr(options()),
            ],
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT / "src")},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def test_two_processes_write_at_once_and_both_succeed(tmp_path):
    path = tmp_path / "lock.sqlite3"
    db = make_database(path)
    results = run_processes(path, ENGINE)
    assert [r.returncode for r in results] == [0, 0], [r.stderr[-500:] for r in results]
    assert dict(db.execute("SELECT writer, COUNT(*) FROM t GROUP BY writer")) == {
        "p0": ROUNDS,
        "p1": ROUNDS,
    }
    db.close()


def test_two_processes_collide_without_the_lock(tmp_path):
    path = tmp_path / "lock.sqlite3"
    db = make_database(path)
    results = run_processes(path, "django.db.backends.sqlite3")
    db.close()
    assert any("database is locked" in r.stderr for r in results)


def test_the_lock_is_given_back_after_a_rollback_and_a_close(alias):
    """A second connection with a lock timeout of 0.2 s begins at once after each way out."""
    first, second = alias(), alias(timeout=0.2)
    with pytest.raises(ZeroDivisionError), transaction.atomic(using=first):
        connections[first].cursor().execute("INSERT INTO t (writer) VALUES ('a')")
        1 / 0  # noqa: B018 - the error that rolls back
    with transaction.atomic(using=second):
        connections[second].cursor().execute("INSERT INTO t (writer) VALUES ('b')")

    # Closed in the middle of a transaction (a worker's connection dropped): released too.
    atomic = transaction.atomic(using=first)
    atomic.__enter__()
    connections[first].cursor().execute("INSERT INTO t (writer) VALUES ('c')")
    # The first holds the lock: the second gives up after 0.2 s.
    with (
        pytest.raises(OperationalError, match="database is locked"),
        transaction.atomic(using=second),
    ):
        connections[second].cursor().execute("INSERT INTO t (writer) VALUES ('x')")
    connections[first].close()
    atomic.__exit__(None, None, None)
    with transaction.atomic(using=second):
        connections[second].cursor().execute("INSERT INTO t (writer) VALUES ('d')")
    assert rows(second) == {"b": 1, "d": 1}


def test_an_in_memory_database_takes_no_lock(db, django_user_model):
    """The tests' in-memory database: nothing to serialise across processes, no lock file."""
    from django.db import connection

    with transaction.atomic():
        django_user_model.objects.create(username="writer")
    assert connection.vendor != "sqlite" or (
        connection.is_in_memory_db() and connection._lock_fd is None
    )


def test_a_connection_dropped_without_closing_leaks_no_descriptor(alias):
    """A persistent connection (decision 0073) of a thread that ends without closing it, as in
    Django's development server: when its wrapper is collected, the lock file's descriptor closes."""
    import gc
    import os

    name = alias()
    opened: list[int] = []

    def work() -> None:
        with transaction.atomic(using=name):
            connections[name].cursor().execute("INSERT INTO t (writer) VALUES ('t')")
        opened.append(connections[name]._lock_fd)  # the thread ends; its wrapper is dropped

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    del thread
    gc.collect()
    assert opened and opened[0] is not None
    with pytest.raises(OSError):
        os.fstat(opened[0])


# --- The transaction begins at its first write (decision 0074) -------------------------------------


def assert_kept_waiting(second: str) -> None:
    """`second` (a lock timeout of 0.2 s) cannot write: another connection holds the lock."""
    with (
        pytest.raises(OperationalError, match="database is locked"),
        transaction.atomic(using=second),
    ):
        connections[second].cursor().execute("INSERT INTO t (writer) VALUES ('x')")


def test_a_transaction_takes_the_lock_at_its_first_write_not_before(alias):
    """Reads inside `atomic` take no lock, and each sees what others committed meanwhile (as at
    PostgreSQL's READ COMMITTED); the first write takes it, to the end of the transaction."""
    first, second = alias(), alias(timeout=0.2)
    with transaction.atomic(using=first):
        cursor = connections[first].cursor()
        cursor.execute("SELECT COUNT(*) FROM t")
        assert cursor.fetchone() == (0,)
        assert connections[first]._lock_held is False
        with transaction.atomic(using=second):  # not kept waiting by the reading transaction
            connections[second].cursor().execute("INSERT INTO t (writer) VALUES ('b')")
        cursor.execute("SELECT COUNT(*) FROM t")
        assert cursor.fetchone() == (1,)
        cursor.execute("INSERT INTO t (writer) VALUES ('a')")
        assert connections[first]._lock_held is True
        assert_kept_waiting(second)
    assert connections[first]._lock_held is False
    assert rows(second) == {"a": 1, "b": 1}


def test_a_select_for_update_takes_the_lock_as_a_write_does(alias):
    """The ORM's `select_for_update` (no `FOR UPDATE` on SQLite) is marked by the compiler, in a
    query and in a statement compiled once, and begins the transaction: what it read cannot change
    before the transaction ends."""
    from django.contrib.auth.models import User

    from bangban.db.sqlite3.compiler import LOCKING
    from bangban.kernel.statements import Param, Statement

    first, second = alias(), alias(timeout=0.2)
    locking = User.objects.using(first).select_for_update().filter(pk=1)
    assert str(locking.query.get_compiler(using=first).as_sql()[0]).startswith(LOCKING)
    plain = User.objects.using(first).filter(pk=1)
    assert str(plain.query.get_compiler(using=first).as_sql()[0]).startswith("SELECT")
    statement = Statement(
        lambda: User.objects.select_for_update().filter(pk=Param("pk")).values_list("pk")
    )
    assert statement.compiled(first, ()).sql.startswith(LOCKING)

    with transaction.atomic(using=first):
        cursor = connections[first].cursor()
        cursor.execute(f"{LOCKING}SELECT writer FROM t")  # noqa: S608 - a constant
        assert connections[first]._lock_held is True
        assert_kept_waiting(second)
    assert connections[first]._lock_held is False


def test_savepoints_asked_for_before_the_first_write_behave_as_savepoints(alias):
    """Savepoints of nested `atomic`s before the transaction began are made when it begins, in
    order, so that rolling back to one undoes what was written after it; one rolled back or
    released with nothing written is forgotten."""
    name = alias()

    class Boom(Exception):
        pass

    with transaction.atomic(using=name):
        with pytest.raises(Boom), transaction.atomic(using=name):  # nothing written: forgotten
            raise Boom
        with transaction.atomic(using=name):  # released with nothing written
            connections[name].cursor().execute("SELECT 1")
        assert connections[name].begin_pending is True
        with transaction.atomic(using=name):
            with pytest.raises(Boom), transaction.atomic(using=name):
                # begins: BEGIN, then the two savepoints asked for, then the write
                connections[name].cursor().execute("INSERT INTO t (writer) VALUES ('undone')")
                raise Boom
            connections[name].cursor().execute("INSERT INTO t (writer) VALUES ('kept')")
        with pytest.raises(Boom), transaction.atomic(using=name):  # after the beginning
            connections[name].cursor().execute("INSERT INTO t (writer) VALUES ('undone too')")
            raise Boom
        connections[name].cursor().execute("INSERT INTO t (writer) VALUES ('last')")
    assert rows(name) == {"kept": 1, "last": 1}

    with pytest.raises(Boom), transaction.atomic(using=name):  # the whole transaction rolled back
        with transaction.atomic(using=name):
            connections[name].cursor().execute("INSERT INTO t (writer) VALUES ('gone')")
        raise Boom
    assert rows(name) == {"kept": 1, "last": 1}
    assert connections[name]._lock_held is False


def test_closing_an_in_memory_database_keeps_its_pending_transaction(db, django_user_model):
    """Django ignores `close()` on an in-memory database (the tests'), so a transaction still
    pending there goes on: its first write begins it, and a rollback undoes it."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's backend")
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        connection.close()  # ignored
        assert connection.connection is not None
        django_user_model.objects.create(username="rolled-back")
        1 / 0  # noqa: B018 - the error that rolls back
    assert not django_user_model.objects.filter(username="rolled-back").exists()
