"""The public case page's limits as they run in production: on the caches every gunicorn worker
shares (the locked file cache, Redis), over the length of their window; and per client behind the
reverse proxy (decision 0035)."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
import redis
import time_machine
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django_ratelimit.core import get_usage

from bangban.portal.throttle import LockedFileBasedCache
from tests.cases.conftest import (  # noqa: F401 - fixtures
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    person,
    register,
    station,
)
from tests.proxies import through

PHONE = "13805331234"
RIGHT, WRONG = PHONE[-4:], "0000"
NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
REDIS_URL = os.environ.get("BANGBAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["files", "redis"])
def shared_cache(request, settings, tmp_path):
    """The default cache as production configures it: the locked file cache, or Django's Redis cache
    under a key prefix of this test's own (nothing else in that Redis is touched)."""
    if request.param == "files":
        settings.CACHES = {
            "default": {
                "BACKEND": "bangban.portal.throttle.LockedFileBasedCache",
                "LOCATION": str(tmp_path / "cache"),
            }
        }
        yield caches["default"]
        return
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL} (set BANGBAN_TEST_REDIS_URL)")
    prefix = f"bangban-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield caches["default"]
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)


@pytest.fixture
def case(register):  # noqa: F811
    return register(applicant=person(phone=PHONE))


def url(case) -> str:
    return reverse("portal:case", args=[case.public_token])


def _to_the_start_of_the_window(traveller, rf, case, rate):
    """django-ratelimit counts in fixed windows (their ends spread by the key): go to the first second
    of a fresh window of the case's wrong-code counter."""
    usage = get_usage(
        rf.post("/"), group="portal.case.code", key=lambda *_: case.public_token, rate=rate
    )
    traveller.shift(dt.timedelta(seconds=usage["time_left"] + 1))


def test_six_wrong_codes_spread_over_50_minutes_are_refused_until_the_hour_is_out(
    client, rf, case, shared_cache, settings
):
    """Each count used to reset the counter's expiry to 5 minutes: a try every 10 minutes was never
    limited at all."""
    settings.BANGBAN_CASE_CODE_FAILURE_RATE = "5/h"
    with time_machine.travel(NOON, tick=False) as traveller:
        _to_the_start_of_the_window(traveller, rf, case, "5/h")
        for _ in range(5):
            assert client.post(url(case), {"code": WRONG}).status_code == 200
            traveller.shift(dt.timedelta(minutes=10))
        limited = client.post(url(case), {"code": RIGHT})  # the sixth, 50 minutes on
        assert limited.status_code == 429
        assert 0 < int(limited["Retry-After"]) <= 10 * 60
        traveller.shift(dt.timedelta(minutes=9, seconds=59))
        assert client.post(url(case), {"code": RIGHT}).status_code == 429
        traveller.shift(dt.timedelta(seconds=2))  # the hour is out
        assert client.post(url(case), {"code": RIGHT}).status_code == 302


def test_a_counter_keeps_its_expiry_when_it_counts(shared_cache):
    """The cache itself: an increment neither shortens nor lengthens the key's life."""
    with time_machine.travel(NOON, tick=False) as traveller:
        assert shared_cache.add("counter", 0, 3600)
        assert shared_cache.incr("counter") == 1
        traveller.shift(dt.timedelta(minutes=50))
        assert shared_cache.incr("counter") == 2
        assert shared_cache.get("counter") == 2
        if isinstance(shared_cache, LockedFileBasedCache):
            traveller.shift(dt.timedelta(minutes=10, seconds=1))
            assert shared_cache.get("counter") is None
            with pytest.raises(ValueError):
                shared_cache.incr("counter")
        else:  # Redis keeps time itself; INCR leaves the time to live alone
            key = shared_cache.make_and_validate_key("counter")
            ttl = redis.Redis.from_url(REDIS_URL).ttl(key)
            assert 3000 < ttl <= 3600


def test_an_expired_counter_is_not_counted_on(tmp_path):
    files = LockedFileBasedCache(str(tmp_path), {})
    with time_machine.travel(NOON, tick=False) as traveller:
        files.add("k", 4, 60)
        traveller.shift(dt.timedelta(seconds=61))
        with pytest.raises(ValueError):
            files.incr("k")
        assert files.add("k", 0, 60) is True


@pytest.mark.parametrize("proxies", [1, 2])
def test_behind_the_proxy_lookups_are_limited_per_client(
    client, case, shared_cache, settings, proxies
):
    """Every request comes from the proxy; the limit goes by the client our own proxies name, so one
    client's burst leaves the others their own budget, and a made-up address written in front of
    X-Forwarded-For does not buy a fresh one."""
    settings.BANGBAN_PROXY_COUNT = proxies
    settings.BANGBAN_CASE_LOOKUP_RATE = "3/10m"
    with time_machine.travel(NOON, tick=False):
        for _ in range(3):
            response = client.post(url(case), {"code": RIGHT}, **through("203.0.113.7", proxies))
            assert response.status_code == 302
        refused = client.post(url(case), {"code": RIGHT}, **through("203.0.113.7", proxies))
        assert refused.status_code == 429
        spoofed = through("203.0.113.7", proxies, written="198.51.100.99")
        assert client.post(url(case), {"code": RIGHT}, **spoofed).status_code == 429
        other = Client().post(url(case), {"code": RIGHT}, **through("198.51.100.20", proxies))
        assert other.status_code == 302
