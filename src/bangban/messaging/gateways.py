"""SMS gateways: the one interface the outbox sends through, and its implementations.

`BANGBAN_SMS_BACKEND` chooses one: `console` (the default: the message goes to the log, logger
"bangban.messaging", the phone always masked: a log is no place for a full phone, DEBUG or not) or `http` (a JSON POST to the county's SMS
platform or a small adapter in front of it, `BANGBAN_SMS_URL`). Tests set the setting to a gateway
object, usually a `RecordingGateway`.

The HTTP contract (README "SMS"): `POST BANGBAN_SMS_URL` with
`{"to": "13812341234", "text": "…", "reference": "case:370323-20261125-0042"}`, header
`Content-Type: application/json; charset=utf-8` and, when `BANGBAN_SMS_TOKEN` is set,
`Authorization: Bearer <token>`. Any 2xx answer means accepted; its body may be `{"id": "…"}`, the
platform's message id, which is kept on the message. Any other status, a redirect, a timeout
(`BANGBAN_SMS_TIMEOUT` seconds) or a connection error is a failure, retried later.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .models import Channel, mask_phone

logger = logging.getLogger("bangban.messaging")

ANSWER_LIMIT = 64 * 1024  # bytes of an answer read; an id is short
ERROR_LIMIT = 500  # characters of an error kept on the message


class GatewayError(Exception):
    """The gateway did not take the message; it may take it on a later attempt."""


@runtime_checkable
class SmsGateway(Protocol):
    def send(self, recipient: str, body: str, *, reference: str = "") -> str | None:
        """Send one message; return the gateway's id for it (None when it gives none), or raise
        GatewayError."""


class ConsoleGateway:
    """Writes each message to the log instead of sending it: the default, for the demo and for a
    deployment before its SMS platform is connected."""

    def send(self, recipient: str, body: str, *, reference: str = "") -> str | None:
        logger.info("SMS to %s [%s]: %s", mask_phone(recipient), reference, body)
        return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer we do not understand, not a reason to send the message elsewhere
    (urllib would repeat a POST as a GET)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpGateway:
    """POSTs the message as JSON to the SMS platform, with the standard library only."""

    def __init__(self, url: str | None = None, *, token: str | None = None, timeout=None):
        self.url = url if url is not None else settings.BANGBAN_SMS_URL
        self.token = token if token is not None else settings.BANGBAN_SMS_TOKEN
        self.timeout = float(timeout if timeout is not None else settings.BANGBAN_SMS_TIMEOUT)
        if urllib.parse.urlsplit(self.url).scheme not in {"http", "https"}:
            raise ImproperlyConfigured(
                "BANGBAN_SMS_URL must be an http:// or https:// URL for the http SMS backend."
            )

    def send(self, recipient: str, body: str, *, reference: str = "") -> str | None:
        payload = json.dumps(
            {"to": recipient, "text": body, "reference": reference}, ensure_ascii=False
        ).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")  # noqa: S310 - the scheme is checked above
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                status = response.status
                answer = response.read(ANSWER_LIMIT)
        except urllib.error.HTTPError as exc:
            exc.close()
            raise GatewayError(f"HTTP {exc.code} {exc.reason}"[:ERROR_LIMIT]) from exc
        except urllib.error.URLError as exc:
            raise GatewayError(f"connection failed: {exc.reason}"[:ERROR_LIMIT]) from exc
        except (OSError, http.client.HTTPException) as exc:  # timeouts are OSError
            raise GatewayError(f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]) from exc
        if not 200 <= status < 300:
            raise GatewayError(f"HTTP {status}")
        return _answer_id(answer)


def _answer_id(answer: bytes) -> str | None:
    """The platform's id from a 2xx answer `{"id": "…"}`; None when it gives none (the message was
    still accepted)."""
    try:
        data = json.loads(answer.decode("utf-8")) if answer.strip() else None
    except (UnicodeDecodeError, ValueError):
        logger.warning("The SMS gateway accepted a message with an answer that is not JSON.")
        return None
    if isinstance(data, dict) and isinstance(data.get("id"), str | int) and data["id"] != "":
        return str(data["id"])[:100]
    return None


class RecordingGateway:
    """In memory, for tests: keeps what it was asked to send; `fail_next(n)` makes the next n sends
    fail, `down = True` makes every send fail until it is set back."""

    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []
        self.calls = 0
        self.down = False
        self._failures = 0

    def fail_next(self, times: int = 1) -> None:
        self._failures += times

    def send(self, recipient: str, body: str, *, reference: str = "") -> str | None:
        self.calls += 1
        if self.down or self._failures:
            self._failures = max(0, self._failures - 1)
            raise GatewayError("recording gateway: down")
        self.sent.append({"to": recipient, "text": body, "reference": reference})
        return f"rec-{len(self.sent)}"


BACKENDS = {"console": ConsoleGateway, "http": HttpGateway}


def gateway_for(channel: str) -> SmsGateway:
    """The configured gateway of a channel (only SMS so far)."""
    if channel != Channel.SMS:
        raise ImproperlyConfigured(f"No gateway for channel {channel!r}.")
    backend = settings.BANGBAN_SMS_BACKEND
    if isinstance(backend, str):
        try:
            return BACKENDS[backend]()
        except KeyError:
            raise ImproperlyConfigured(
                f"BANGBAN_SMS_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}."
            ) from None
    if isinstance(backend, SmsGateway):
        return backend
    raise ImproperlyConfigured("BANGBAN_SMS_BACKEND must name a backend or be a gateway.")
