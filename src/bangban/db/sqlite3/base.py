"""SQLite with write transactions serialised by a blocking file lock (decision 0023).

`BEGIN IMMEDIATE` (settings.py) makes a second writer wait for the first, but SQLite's busy handler
waits by sleeping and retrying (1, 2, 5, 10 … 100 ms), so two gunicorn workers registering at once
spend most of their time asleep. Here every transaction Django begins takes an exclusive `flock` on
`<database>.lock` first, which the kernel hands to the next waiter the moment the holder commits or
rolls back; SQLite's own lock is then free and `BEGIN IMMEDIATE` never sleeps.

- One open file description per connection (each thread and process its own `open`), since `flock`
  locks belong to it: two connections of one process exclude each other like two processes do. A
  descriptor opened before a `fork` is not reused by the child.
- Released after COMMIT and ROLLBACK (also when they fail), when BEGIN fails, and when the connection
  is closed; and a process that dies releases it with its descriptors.
- Waiting is bounded by the connection's `timeout` (SQLite's own, 20 s in settings.py): then
  "database is locked", as SQLite itself would say. The waiter polls every 0.2–1 ms.
- Writes outside a transaction (autocommit) and in-memory databases (the tests') take no lock.
- The descriptor is closed with the connection, or when the wrapper is garbage-collected: a
  persistent connection (decision 0073) of a thread that ends without closing it (Django's
  development server) leaks no descriptor.

The transaction begins at its first write (decision 0074). Django's `atomic` begins at once; here
`BEGIN IMMEDIATE`, and the lock before it, wait for the first statement that is not a plain read:
anything but `SELECT` and `EXPLAIN` (an INSERT, an UPDATE, a DELETE, a savepoint's release, DDL,
pragmas), and a `SELECT` the ORM made for `select_for_update`, which the compiler marks
(`compiler.LOCKING`). Until then each read runs on its own and sees what others have committed, as
every statement of a PostgreSQL transaction does at READ COMMITTED; from the first write on, the
transaction holds the write lock to its end, so nothing changes under it. Savepoints asked for
before it are made when it begins, in order; one rolled back or released before it, with nothing
written since, is simply forgotten. A request's checks and reads (the token, the body, the item,
the helper's qualification) then no longer keep the other workers' writes waiting.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
import weakref

from django.db import OperationalError
from django.db.backends.sqlite3 import base, operations

#: What a statement that only reads begins with; any other statement begins the transaction.
READS = ("SELECT", "EXPLAIN")

#: The waiter's sleep between tries: from FIRST_SLEEP, doubling, up to MAX_SLEEP (seconds).
FIRST_SLEEP = 0.0002
MAX_SLEEP = 0.001


class DatabaseOperations(operations.DatabaseOperations):
    compiler_module = "bangban.db.sqlite3.compiler"


class Cursor(base.SQLiteCursorWrapper):
    """Django's SQLite cursor that begins its connection's pending transaction before a statement
    that writes."""

    wrapper: DatabaseWrapper

    def _before(self, query: str) -> None:
        if self.wrapper.begin_pending and not query.startswith(READS):
            self.wrapper.begin_writing()

    def execute(self, query, params=None):
        self._before(query)
        return super().execute(query, params)

    def executemany(self, query, param_list):
        self._before(query)
        return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    #: An `atomic` has begun and nothing has written yet: no BEGIN, no lock (decision 0074).
    begin_pending = False
    #: The savepoints asked for meanwhile, made when the transaction begins.
    _pending_savepoints: list[str]
    _lock_fd: int | None = None
    _lock_pid: int | None = None
    _lock_held = False
    _lock_finalizer: weakref.finalize | None = None

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or name.startswith("file:"):
            return None
        return name + ".lock"

    def _lock_timeout(self) -> float:
        return float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))

    def _acquire_write_lock(self) -> None:
        path = self._lock_path()
        if path is None or self._lock_held:
            return
        if self._lock_fd is None or self._lock_pid != os.getpid():
            # flock needs no write access: any user who may read the lock file may take it.
            self._lock_fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self._lock_pid = os.getpid()
            self._lock_finalizer = weakref.finalize(self, _close_in, self._lock_fd, self._lock_pid)
        deadline = time.monotonic() + self._lock_timeout()
        sleep = FIRST_SLEEP
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise OperationalError("database is locked") from error
                time.sleep(sleep)
                sleep = min(sleep * 2, MAX_SLEEP)
            else:
                self._lock_held = True
                return

    def _release_write_lock(self) -> None:
        if self._lock_held:
            self._lock_held = False
            if self._lock_pid == os.getpid():
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=Cursor)
        cursor.wrapper = self
        return cursor

    def _start_transaction_under_autocommit(self):
        """Django's BEGIN, left pending until the first write (`begin_writing`)."""
        self.begin_pending = True
        self._pending_savepoints = []

    def begin_writing(self) -> None:
        """Begin the pending transaction now: the write lock, `BEGIN IMMEDIATE`, then the
        savepoints asked for meanwhile."""
        if not self.begin_pending:
            return
        self.begin_pending = False
        savepoints, self._pending_savepoints = self._pending_savepoints, []
        self._acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise
        for sid in savepoints:
            super()._savepoint(sid)

    def _forget_pending(self) -> None:
        self.begin_pending = False
        self._pending_savepoints = []

    def _savepoint(self, sid):
        if self.begin_pending:
            self._pending_savepoints.append(sid)
        else:
            super()._savepoint(sid)

    def _savepoint_rollback(self, sid):
        if self.begin_pending:  # nothing written since it was asked for
            pending = self._pending_savepoints
            del pending[pending.index(sid) + 1 :]
        else:
            super()._savepoint_rollback(sid)

    def _savepoint_commit(self, sid):
        if self.begin_pending:
            pending = self._pending_savepoints
            del pending[pending.index(sid) :]
        else:
            super()._savepoint_commit(sid)

    def _commit(self):
        self._forget_pending()
        try:
            super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        self._forget_pending()
        try:
            super()._rollback()
        finally:
            self._release_write_lock()

    def _set_autocommit(self, autocommit):
        try:
            super()._set_autocommit(autocommit)
        finally:
            if autocommit:  # sqlite3 commits an open transaction when autocommit comes back on
                self._forget_pending()
                self._release_write_lock()

    def close(self):
        try:
            super().close()
        finally:
            if self.connection is None:  # Django never closes an in-memory database: it goes on
                self._forget_pending()
            self._release_write_lock()
            if self._lock_finalizer is not None:
                self._lock_finalizer()  # closes the descriptor in the process that opened it
            self._lock_fd = self._lock_pid = self._lock_finalizer = None


def _close_in(fd: int, pid: int) -> None:
    """Closes the lock's descriptor, in the process that opened it only (a forked child's copy of
    the number may be another file)."""
    if pid == os.getpid():
        os.close(fd)
