"""The gateway to the provincial 好差评 system: one interface (`ProvinceGateway`), two
implementations — `OffGateway` (the default: nothing leaves the machine) and `HttpGateway` (JSON over
HTTP, standard library only, every request signed) — and the signature both directions share.

The signature (docs/province.md "Signature"): headers `X-App-Id`, `X-Timestamp` (Unix seconds),
`X-Nonce` (random, used once) and `X-Signature`, the lower-case hex HMAC-SHA256, keyed with the
shared secret, of the string

    appId=<id>&<k1>=<v1>&<k2>=<v2>…&timestamp=<ts>&nonce=<nonce>

where k1, k2 … are the request's parameters (the JSON body's top-level fields, or the query's)
sorted by name; a value is written as is when it is a string, as JSON (compact, keys sorted, UTF-8)
otherwise; an absent or null value is left out.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.conf import settings

ANSWER_LIMIT = 1024 * 1024
ERROR_LIMIT = 500
#: A signed request is accepted this long either side of its timestamp.
WINDOW_SECONDS = 300


class ProvinceError(Exception):
    """The province did not take the request (down, refused, or an answer we do not understand);
    a later attempt may succeed."""


# --- The signature -----------------------------------------------------------------------------------


def _value(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def string_to_sign(app_id: str, params: dict, timestamp: str, nonce: str) -> str:
    parts = [f"appId={app_id}"]
    parts += [f"{k}={_value(params[k])}" for k in sorted(params) if params[k] is not None]
    parts += [f"timestamp={timestamp}", f"nonce={nonce}"]
    return "&".join(parts)


def sign(secret: str, app_id: str, params: dict, timestamp: str, nonce: str) -> str:
    # A lone surrogate (a JSON "\\ud800" escape) must not crash the check: it just fails to match.
    message = string_to_sign(app_id, params, timestamp, nonce).encode("utf-8", "surrogatepass")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(params: dict, *, app_id: str, secret: str, now: float | None = None) -> dict:
    timestamp = str(int(now if now is not None else time.time()))
    nonce = secrets.token_hex(16)
    return {
        "X-App-Id": app_id,
        "X-Timestamp": timestamp,
        "X-Nonce": nonce,
        "X-Signature": sign(secret, app_id, params, timestamp, nonce),
    }


def signature_problem(
    headers, params: dict, *, app_id: str, secret: str, now: float | None = None
) -> str:
    """What is wrong with a signed request's headers (a mapping, case-insensitive), or "": the app
    id, the timestamp within `WINDOW_SECONDS` of `now`, and the signature. The nonce's single use is
    the caller's (it needs a store)."""
    given_app = headers.get("X-App-Id", "")
    timestamp = headers.get("X-Timestamp", "")
    nonce = headers.get("X-Nonce", "")
    signature = headers.get("X-Signature", "")
    if not (given_app and timestamp and nonce and signature):
        return "missing"
    if not hmac.compare_digest(given_app, app_id):
        return "app_id"
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12 or len(nonce) > 64:
        return "malformed"
    now = now if now is not None else time.time()
    if abs(now - int(timestamp)) > WINDOW_SECONDS:
        return "expired"
    expected = sign(secret, app_id, params, timestamp, nonce)
    if not hmac.compare_digest(expected, signature.lower()):
        return "signature"
    return ""


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


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


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
        if urllib.parse.urlsplit(self.url).scheme not in {"http", "https"}:
            raise ProvinceError("BANGBAN_PROVINCE_URL must be an http:// or https:// URL")

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
        headers = {
            "Accept": "application/json",
            **signed_headers(params, app_id=self.app_id, secret=self.secret),
        }
        url = self.url + path
        data = None
        if method == "GET":
            if params:
                url += "?" + urllib.parse.urlencode(params)
        else:
            data = json.dumps(params, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 - the scheme is checked
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(request, timeout=timeout or self.timeout) as response:
                status, answer = response.status, response.read(ANSWER_LIMIT)
        except urllib.error.HTTPError as exc:
            body = exc.read(ERROR_LIMIT).decode("utf-8", "replace")
            exc.close()
            raise ProvinceError(f"HTTP {exc.code} {body}"[:ERROR_LIMIT]) from exc
        except urllib.error.URLError as exc:
            raise ProvinceError(f"connection failed: {exc.reason}"[:ERROR_LIMIT]) from exc
        except (OSError, http.client.HTTPException) as exc:  # timeouts are OSError
            raise ProvinceError(f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]) from exc
        if not 200 <= status < 300:
            raise ProvinceError(f"HTTP {status}")
        try:
            payload = json.loads(answer.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ProvinceError("answer is not JSON") from exc
        if not isinstance(payload, dict) or str(payload.get("code")) != "0":
            message = payload.get("msg", "") if isinstance(payload, dict) else ""
            raise ProvinceError(f"refused: {message}"[:ERROR_LIMIT])
        data = payload.get("data")
        return data if isinstance(data, dict) else {}


def gateway_for() -> ProvinceGateway:
    """The configured gateway: `HttpGateway` when BANGBAN_PROVINCE_URL is set, else `OffGateway`."""
    if settings.BANGBAN_PROVINCE_URL:
        return HttpGateway()
    return OffGateway()
