"""What the rate limits of the public pages (django-ratelimit) need from the deployment: a cache that
every gunicorn worker shares and whose counters go up atomically, and the client's address behind a
reverse proxy.

On one machine the cache is a directory of files (`LockedFileBasedCache`, in `BANGBAN_DATA_DIR`); with
Redis (`BANGBAN_REDIS_URL`) it is Django's Redis cache. See docs/decisions/0020.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import os

from django.conf import settings
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


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind `BANGBAN_PROXY_COUNT` reverse proxies the address
    the outermost of them saw (that many entries from the right of X-Forwarded-For, which each proxy
    appends to; anything further left the client could have written). django-ratelimit's
    `RATELIMIT_IP_META_KEY`."""
    count = getattr(settings, "BANGBAN_PROXY_COUNT", 0)
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count and _is_address(forwarded[-count]):
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 - an address, not a bind


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
