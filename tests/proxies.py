"""Requests as they reach Django through a chain of reverse proxies that each append to
X-Forwarded-For the address they were called from (nginx's `$proxy_add_x_forwarded_for`)."""

from __future__ import annotations

#: The proxies from the outermost in: a load balancer, then nginx on the same machine as gunicorn.
PROXIES = ("192.0.2.10", "127.0.0.1")


def through(client_address: str, proxies: int = 1, written: str = "") -> dict[str, str]:
    """The request META of a client at `client_address` that sent `X-Forwarded-For: written` itself
    (anything it likes), after the innermost `proxies` of PROXIES passed it on."""
    chain = PROXIES[-proxies:]
    forwarded = [part.strip() for part in written.split(",") if part.strip()]
    caller = client_address
    for proxy in chain:
        forwarded.append(caller)  # what the proxy appends: the address that called it
        caller = proxy
    return {"REMOTE_ADDR": caller, "HTTP_X_FORWARDED_FOR": ", ".join(forwarded)}
