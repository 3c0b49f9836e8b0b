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
import pickle
import tempfile
import zlib

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files.move import file_move_safe


class LockedFileBasedCache(FileBasedCache):
    """Django's file cache with `add` and `incr` made atomic across processes and threads by an
    exclusive lock on a file in the cache directory. Django's own read, then write: two workers
    counting at once could lose a count, which is why django-ratelimit's checks refuse it.

    `incr` also keeps the key's expiry. Django's writes the new value with the default timeout
    (300 s): a rate limit's counter then expired five minutes after its last count, and "5 an hour"
    let through about 60 (decision 0035)."""

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
        fname = self._key_to_file(key, version)
        with self._locked():
            try:
                with open(fname, "rb") as f:
                    if self._is_expired(f):  # which deletes it
                        raise FileNotFoundError(fname)
                    f.seek(0)
                    # The cache's own files, read as Django's `get` reads them.
                    expiry = pickle.load(f)  # noqa: S301 - an absolute time, or None: never
                    value = pickle.loads(zlib.decompress(f.read()))  # noqa: S301
            except FileNotFoundError as error:
                raise ValueError(f"Key '{key}' not found") from error
            value += delta
            # Written aside and moved into place, like Django's `set`: a reader without the lock
            # sees the old file or the new one, never half of one.
            fd, tmp_path = tempfile.mkstemp(dir=self._dir)
            try:
                with open(fd, "wb") as f:
                    f.write(pickle.dumps(expiry, self.pickle_protocol))
                    f.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
                file_move_safe(tmp_path, fname, allow_overwrite=True)
            finally:
                if os.path.exists(tmp_path):
                    os.remove(tmp_path)
            return value
