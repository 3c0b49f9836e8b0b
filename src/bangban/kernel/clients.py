"""The client's address, the same for everything that counts or records by address: django-axes'
login lockouts (`AXES_CLIENT_IP_CALLABLE`), the public pages' rate limits (django-ratelimit's
`RATELIMIT_IP_META_KEY`) and the log of revealed ID numbers (decision 0035)."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or behind `BANGBAN_PROXY_COUNT` reverse proxies the address the outermost of them
    saw: that many entries from the right of X-Forwarded-For, to which each proxy appends the address
    it was called from (nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;`).
    Anything further left the client could have written itself. A header with fewer entries, or
    not an address where ours should be, counts for nothing: REMOTE_ADDR (the proxy) then."""
    count = getattr(settings, "BANGBAN_PROXY_COUNT", 0)
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            address = _address(forwarded[-count])
            if address:
                return address
    return _address(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104 - not a bind


def _address(text: str) -> str | None:
    """The address in its one written form (`::FFFF:0A00:0001` and `::ffff:10.0.0.1` are one)."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
