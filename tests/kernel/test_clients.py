"""The client's address behind reverse proxies: the right-most entries of X-Forwarded-For that our own
proxies appended, never what the client wrote further left."""

from __future__ import annotations

import pytest

from bangban.kernel.clients import client_ip
from tests.proxies import through


@pytest.mark.parametrize("proxies", [1, 2])
def test_the_address_the_outermost_proxy_saw(rf, settings, proxies):
    settings.BANGBAN_PROXY_COUNT = proxies
    meta = through("203.0.113.7", proxies)
    assert meta["REMOTE_ADDR"] == "127.0.0.1"
    assert client_ip(rf.get("/", **meta)) == "203.0.113.7"


@pytest.mark.parametrize("proxies", [1, 2])
@pytest.mark.parametrize("written", ["198.51.100.1", "198.51.100.1, 198.51.100.2", "unknown, ,"])
def test_what_the_client_wrote_is_ignored(rf, settings, proxies, written):
    settings.BANGBAN_PROXY_COUNT = proxies
    meta = through("203.0.113.7", proxies, written=written)
    assert client_ip(rf.get("/", **meta)) == "203.0.113.7"


def test_without_a_proxy_count_the_header_counts_for_nothing(rf, settings):
    settings.BANGBAN_PROXY_COUNT = 0
    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.1", REMOTE_ADDR="203.0.113.7")
    assert client_ip(request) == "203.0.113.7"


def test_a_header_too_short_or_not_an_address_falls_back_to_the_peer(rf, settings):
    settings.BANGBAN_PROXY_COUNT = 2
    # One entry where two proxies should have appended one each: a request that went round the outer
    # proxy. The peer it came from is all that can be trusted.
    assert client_ip(rf.get("/", **through("203.0.113.7", 1))) == "127.0.0.1"
    settings.BANGBAN_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="not-an-address", REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "127.0.0.1"
    assert client_ip(rf.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"


def test_an_address_has_one_written_form(rf, settings):
    settings.BANGBAN_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="2001:DB8:0:0::1", REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "2001:db8::1"
