"""Signed requests between Bangban and a partner platform (the provincial 好差评 system, the 12345
hotline): the HMAC-SHA256 signature both directions share, its check, the single use of a nonce, and
a small JSON client that signs every request (standard library only).

The signature (docs/province.md "Signature", docs/hotline.md): headers `X-App-Id`, `X-Timestamp`
(Unix seconds), `X-Nonce` (random, used once) and `X-Signature`, the lower-case hex HMAC-SHA256,
keyed with the shared secret, of the string

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

from django.core.cache import cache

__all__ = [
    "WINDOW_SECONDS",
    "SignedClient",
    "SignedCallError",
    "first_use",
    "sign",
    "signature_problem",
    "signed_headers",
    "string_to_sign",
]

ANSWER_LIMIT = 1024 * 1024
ERROR_LIMIT = 500
#: A signed request is accepted this long either side of its timestamp.
WINDOW_SECONDS = 300


class SignedCallError(Exception):
    """The platform did not take the request (down, refused, or an answer we do not understand);
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
    `first_use`'s (it needs a store)."""
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


def first_use(realm: str, nonce: str) -> bool:
    """Whether `nonce` is new to `realm` ("province", "hotline"), remembering it: kept in Django's
    cache for twice the window, so a request replayed while its timestamp is still accepted is
    refused. The cache is the store every worker shares (the database cache or Redis in
    production)."""
    return cache.add(f"{realm}:nonce:{nonce}", 1, 2 * WINDOW_SECONDS)


# --- The client ------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class SignedClient:
    """JSON over HTTP to a platform at `url`, every request signed: a GET's parameters in the query,
    a POST's in the JSON body. The platform answers `{"code": "0", "msg": …, "data": {…}}`; anything
    else — a connection refused, a timeout, a status other than 2xx, a `code` other than "0", an
    answer that is not JSON — raises `error` (a `SignedCallError` by default). Redirects are not
    followed: a signed request goes where it was configured to, or nowhere."""

    def __init__(
        self,
        url: str,
        *,
        app_id: str,
        secret: str,
        timeout: float,
        error: type[Exception] = SignedCallError,
    ):
        self.url = url.rstrip("/")
        self.app_id, self.secret, self.timeout, self.error = app_id, secret, timeout, error
        if urllib.parse.urlsplit(self.url).scheme not in {"http", "https"}:
            raise error(f"{self.url!r} must be an http:// or https:// URL")

    def call(
        self,
        method: str,
        path: str,
        params: dict,
        *,
        timeout: float | None = None,
        headers: dict | None = None,
    ) -> dict:
        """Send one signed request; the answer's `data` (a dict, {} when it has none)."""
        error = self.error
        sent = {
            "Accept": "application/json",
            **(headers or {}),
            **signed_headers(params, app_id=self.app_id, secret=self.secret),
        }
        url = self.url + path
        data = None
        if method == "GET":
            if params:
                url += "?" + urllib.parse.urlencode(params)
        else:
            data = json.dumps(params, ensure_ascii=False).encode("utf-8")
            sent["Content-Type"] = "application/json; charset=utf-8"
        request = urllib.request.Request(url, data=data, headers=sent, method=method)  # noqa: S310 - the scheme is checked
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(request, timeout=timeout or self.timeout) as response:
                status, answer = response.status, response.read(ANSWER_LIMIT)
        except urllib.error.HTTPError as exc:
            body = exc.read(ERROR_LIMIT).decode("utf-8", "replace")
            exc.close()
            raise error(f"HTTP {exc.code} {body}"[:ERROR_LIMIT]) from exc
        except urllib.error.URLError as exc:
            raise error(f"connection failed: {exc.reason}"[:ERROR_LIMIT]) from exc
        except (OSError, http.client.HTTPException) as exc:  # timeouts are OSError
            raise error(f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]) from exc
        if not 200 <= status < 300:
            raise error(f"HTTP {status}")
        try:
            payload = json.loads(answer.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise error("answer is not JSON") from exc
        if not isinstance(payload, dict) or str(payload.get("code")) != "0":
            message = payload.get("msg", "") if isinstance(payload, dict) else ""
            raise error(f"refused: {message}"[:ERROR_LIMIT])
        data = payload.get("data")
        return data if isinstance(data, dict) else {}
