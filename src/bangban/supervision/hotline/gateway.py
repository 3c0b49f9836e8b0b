"""The gateway to the 12345 platform: `OffGateway` (the default: nothing leaves the machine) and
`HttpGateway` (JSON over HTTP through `kernel.signing.SignedClient`, every request signed as the
province's are). Its interface (docs/hotline.md "The platform's interface"):

- `GET {url}/tickets?since=<cursor>&limit=<n>` → `{"items": [ticket…], "cursor": "…"}`, the tickets
  dispatched to us after `since` ("" from the beginning), oldest first;
- `POST {url}/ticket-actions` with `{"ticketNo", "action", "sequence", …}` — a signing, a return,
  an extension request or an answer; the platform is idempotent on (ticketNo, action, sequence),
  also sent as the `Idempotency-Key` header, and acknowledges a repeat without acting twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from bangban.kernel.signing import SignedCallError, SignedClient


class HotlineError(SignedCallError):
    """The platform did not take the request; a later attempt may succeed."""


@dataclass
class Page:
    """One page of tickets pulled: its records and the cursor to ask from next."""

    items: list[dict]
    cursor: str


class OffGateway:
    """The adapter off (the default): nothing sent, nothing pulled."""

    on = False

    def push(self, record: dict) -> dict:
        raise HotlineError("the 12345 adapter is off")

    def pull_tickets(self, since: str, limit: int = 100) -> Page:
        return Page(items=[], cursor=since)


class HttpGateway:
    on = True

    def __init__(self, url: str | None = None, *, app_id=None, secret=None, timeout=None):
        self.client = SignedClient(
            url if url is not None else settings.BANGBAN_HOTLINE_URL,
            app_id=app_id if app_id is not None else settings.BANGBAN_HOTLINE_APP_ID,
            secret=secret if secret is not None else settings.BANGBAN_HOTLINE_SECRET,
            timeout=float(timeout if timeout is not None else settings.BANGBAN_HOTLINE_TIMEOUT),
            error=HotlineError,
        )

    def push(self, record: dict) -> dict:
        """Send one action on a ticket (`record` holds ticketNo, action and sequence)."""
        key = f"{record['ticketNo']}:{record['action']}:{record['sequence']}"
        return self.client.call("POST", "/ticket-actions", record, headers={"Idempotency-Key": key})

    def pull_tickets(self, since: str, limit: int = 100) -> Page:
        data = self.client.call("GET", "/tickets", {"since": since, "limit": str(limit)})
        items, cursor = data.get("items"), data.get("cursor")
        if not isinstance(items, list) or not isinstance(cursor, str):
            raise HotlineError("pull answer without items and cursor")
        return Page(items=[item for item in items if isinstance(item, dict)], cursor=cursor)


def gateway_for():
    """`HttpGateway` when BANGBAN_HOTLINE_URL is set, else `OffGateway`."""
    if settings.BANGBAN_HOTLINE_URL:
        return HttpGateway()
    return OffGateway()
