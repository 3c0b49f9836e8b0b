"""What the rate limits of the public pages (django-ratelimit) need from the deployment: a cache that
every gunicorn worker shares and whose counters go up atomically without moving their expiry. (The
client's address behind a reverse proxy is `bangban.kernel.clients.client_ip`.)

On one machine the cache is a directory of files (`LockedFileBasedCache`, in `BANGBAN_DATA_DIR`); with
Redis (`BANGBAN_REDIS_URL`) it is Django's Redis cache, whose `incr` is Redis's INCR and keeps the
key's time to live. See docs/decisions/0020 and 0035.
"""

from __future__ import annotations

import contextlib
import fcntl
import os

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class LockedFileBasedCache(FileBasedCache):
    """Django's file cache with `add` and `incr` made atomic across processes and threads by an
    exclusive lock on a file in the cache directory. Django's own read, then write: two workers
    counting at once could lose a count, which is why django-ratelimit's checks refuse it."""

    @contextlib.contextmanager
    def _locked(self):
        self._createdir()
        with open(os.path.join(self._dir, "counters.lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._locked():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        with self._locked():
            return super().incr(key, delta, version)
