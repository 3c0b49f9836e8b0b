"""Whether the province answers, as the public pages need to know it: from the cache, never by
waiting. Every delivery, pull and probe notes its outcome (`note`); `healthy()` says yes when the
last success is recent and no failure came after it, and otherwise probes at most once a minute,
with a one-second timeout, so that a page never waits on a province that is down for more than that
second, once a minute."""

from __future__ import annotations

import time

from django.core.cache import cache

#: A success this recent (seconds) makes the province healthy without asking it.
FRESH = 300
#: After a failed probe, the province is not asked again from a page for this long (seconds).
QUIET = 60
PROBE_TIMEOUT = 1.0

_OK = "province:ok-at"
_FAILED = "province:failed-at"


def note(ok: bool) -> None:
    """Record the outcome of a call to the province."""
    now = time.time()
    if ok:
        cache.set(_OK, now, FRESH)
        cache.delete(_FAILED)
    else:
        cache.set(_FAILED, now, QUIET)
        cache.delete(_OK)


def healthy(gateway) -> bool:
    """Whether to send people to the province's page now."""
    if not gateway.on:
        return False
    if cache.get(_OK) is not None:
        return True
    if cache.get(_FAILED) is not None:
        return False
    # Asked once a minute at most (cache.add: one process of many probes), the answer noted.
    if not cache.add(_FAILED, time.time(), QUIET):
        return False
    ok = gateway.health(timeout=PROBE_TIMEOUT)
    note(ok)
    return ok


def probe(gateway) -> bool:
    """Ask the province now (the periodic job), and note the answer."""
    ok = gateway.health()
    note(ok)
    return ok
