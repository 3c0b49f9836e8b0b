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
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
import weakref

from django.db import OperationalError
from django.db.backends.sqlite3 import base

#: The waiter's sleep between tries: from FIRST_SLEEP, doubling, up to MAX_SLEEP (seconds).
FIRST_SLEEP = 0.0002
MAX_SLEEP = 0.001


class DatabaseWrapper(base.DatabaseWrapper):
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

    def _start_transaction_under_autocommit(self):
        self._acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self):
        try:
            super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            super()._rollback()
        finally:
            self._release_write_lock()

    def _set_autocommit(self, autocommit):
        try:
            super()._set_autocommit(autocommit)
        finally:
            if autocommit:  # sqlite3 commits an open transaction when autocommit comes back on
                self._release_write_lock()

    def close(self):
        try:
            super().close()
        finally:
            self._release_write_lock()
            if self._lock_finalizer is not None:
                self._lock_finalizer()  # closes the descriptor in the process that opened it
            self._lock_fd = self._lock_pid = self._lock_finalizer = None


def _close_in(fd: int, pid: int) -> None:
    """Closes the lock's descriptor, in the process that opened it only (a forked child's copy of
    the number may be another file)."""
    if pid == os.getpid():
        os.close(fd)
