"""The gateway to the provincial 好差评 system: one interface (`ProvinceGateway`), two
implementations — `OffGateway` (the default: nothing leaves the machine) and `HttpGateway` (JSON over
HTTP through `kernel.signing.SignedClient`, every request signed).

The signature both directions share (docs/province.md "Signature") is `kernel.signing`'s, the same
the 12345 hotline's adapter uses; its names are re-exported here for the province's callers.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.conf import settings

from bangban.kernel.signing import (
    WINDOW_SECONDS,
    SignedCallError,
    SignedClient,
    sign,
    signature_problem,
    signed_headers,
    string_to_sign,
)

__all__ = [
    "WINDOW_SECONDS",
    "HttpGateway",
    "OffGateway",
    "Page",
    "ProvinceError",
    "ProvinceGateway",
    "gateway_for",
    "sign",
    "signature_problem",
    "signed_headers",
    "string_to_sign",
]


class ProvinceError(SignedCallError):
    """The province did not take the request (down, refused, or an answer we do not understand);
    a later attempt may succeed."""


# --- The interface ---------------------------------------------------------------------------------


@dataclass
class Page:
    """One page of ratings pulled from the province: its records and the cursor to ask from next."""

    items: list[dict]
    cursor: str


@runtime_checkable
class ProvinceGateway(Protocol):
    on: bool

    def push_service(self, record: dict) -> dict:
        """Send a service record; the province's answer (`{"created": bool, …}`), or ProvinceError.
        A record the province already holds (same projectNo) is acknowledged, not created again."""

    def push_rating(self, record: dict) -> dict:
        """Send a rating; as `push_service`, idempotent on (projectNo, assessNumber)."""

    def pull_ratings(self, cursor: str, limit: int = 100) -> Page:
        """The ratings the province holds after `cursor` ("" from the beginning), oldest first."""

    def rating_url(self, project_no: str) -> str | None:
        """The province's rating page of one project (None when off)."""

    def health(self, timeout: float | None = None) -> bool:
        """Whether the province answers now."""


class OffGateway:
    """The adapter off (the default): nothing is sent, nothing pulled, no page of the province's."""

    on = False

    def push_service(self, record: dict) -> dict:
        raise ProvinceError("the provincial adapter is off")

    def push_rating(self, record: dict) -> dict:
        raise ProvinceError("the provincial adapter is off")

    def pull_ratings(self, cursor: str, limit: int = 100) -> Page:
        return Page(items=[], cursor=cursor)

    def rating_url(self, project_no: str) -> str | None:
        return None

    def health(self, timeout: float | None = None) -> bool:
        return False


class HttpGateway:
    """The province over HTTP: `POST {url}/service`, `POST {url}/rating`, `GET {url}/ratings`,
    `GET {url}/health`, each signed; answers `{"code": "0", "msg": …, "data": …}` (docs/province.md)."""

    on = True

    def __init__(
        self,
        url: str | None = None,
        *,
        app_id: str | None = None,
        secret: str | None = None,
        timeout: float | None = None,
        page_url: str | None = None,
    ):
        self.url = (url if url is not None else settings.BANGBAN_PROVINCE_URL).rstrip("/")
        self.app_id = app_id if app_id is not None else settings.BANGBAN_PROVINCE_APP_ID
        self.secret = secret if secret is not None else settings.BANGBAN_PROVINCE_SECRET
        self.timeout = float(timeout if timeout is not None else settings.BANGBAN_PROVINCE_TIMEOUT)
        self.page_url = page_url if page_url is not None else settings.BANGBAN_PROVINCE_PAGE_URL
        self.client = SignedClient(
            self.url,
            app_id=self.app_id,
            secret=self.secret,
            timeout=self.timeout,
            error=ProvinceError,
        )

    def push_service(self, record: dict) -> dict:
        return self._call("POST", "/service", record)

    def push_rating(self, record: dict) -> dict:
        return self._call("POST", "/rating", record)

    def pull_ratings(self, cursor: str, limit: int = 100) -> Page:
        data = self._call("GET", "/ratings", {"cursor": cursor, "limit": str(limit)})
        items = data.get("items")
        next_cursor = data.get("cursor")
        if not isinstance(items, list) or not isinstance(next_cursor, str):
            raise ProvinceError("pull answer without items and cursor")
        return Page(items=[item for item in items if isinstance(item, dict)], cursor=next_cursor)

    def rating_url(self, project_no: str) -> str | None:
        quoted = urllib.parse.quote(project_no, safe="")
        if self.page_url:
            return self.page_url.replace("{projectNo}", quoted)
        return f"{self.url}/evaluate?projectNo={quoted}"

    def health(self, timeout: float | None = None) -> bool:
        try:
            self._call("GET", "/health", {}, timeout=timeout)
        except ProvinceError:
            return False
        return True

    def _call(self, method: str, path: str, params: dict, timeout: float | None = None) -> dict:
        return self.client.call(method, path, params, timeout=timeout)


def gateway_for() -> ProvinceGateway:
    """The configured gateway: `HttpGateway` when BANGBAN_PROVINCE_URL is set, else `OffGateway`."""
    if settings.BANGBAN_PROVINCE_URL:
        return HttpGateway()
    return OffGateway()
