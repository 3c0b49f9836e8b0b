"""The SMS gateways: the HTTP one against a small local server, the console one in the log, and the
choice between them."""

from __future__ import annotations

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from bangban.messaging.actions import deliver_due, queue_message
from bangban.messaging.gateways import (
    ConsoleGateway,
    GatewayError,
    HttpGateway,
    RecordingGateway,
    SmsGateway,
    gateway_for,
)
from bangban.messaging.models import Message, mask_phone

PHONE = "13812341234"


class SmsPlatform:
    """A stand-in SMS platform on 127.0.0.1: records each request and answers as told
    (`answer = (status, body)`, or `hang = True` to answer nothing until the test ends)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.answer: tuple[int, bytes] = (200, b'{"id": "sms-7781"}')
        self.hang = False
        self.release = threading.Event()
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                platform.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "json": json.loads(self.rfile.read(length).decode("utf-8")),
                    }
                )
                if platform.hang:
                    platform.release.wait(30)
                    return
                status, body = platform.answer
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def platform(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    with SmsPlatform() as running:
        yield running


def test_the_http_gateway_posts_json_with_the_token_and_returns_the_platforms_id(platform):
    gateway = HttpGateway(platform.url, token="s3cret", timeout=5)

    gateway_id = gateway.send(PHONE, "您的事项已受理。", reference="case:370323-20261125-0042")

    assert gateway_id == "sms-7781"
    (request,) = platform.requests
    assert request["path"] == "/sms/send"
    assert request["json"] == {
        "to": PHONE,
        "text": "您的事项已受理。",
        "reference": "case:370323-20261125-0042",
    }
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"


def test_the_http_gateway_sends_no_authorization_without_a_token(platform):
    HttpGateway(platform.url, token="", timeout=5).send(PHONE, "你好")
    assert "Authorization" not in platform.requests[0]["headers"]


@pytest.mark.parametrize(
    "body", [b"", b"accepted", b'{"status": "ok"}', b'{"id": ""}', b"[1]"], ids=repr
)
def test_a_2xx_answer_without_an_id_still_means_sent(platform, body):
    platform.answer = (200, body)
    assert HttpGateway(platform.url, timeout=5).send(PHONE, "你好") is None


def test_a_numeric_id_is_kept_as_text(platform):
    platform.answer = (201, b'{"id": 42}')
    assert HttpGateway(platform.url, timeout=5).send(PHONE, "你好") == "42"


@pytest.mark.parametrize("status", [500, 503, 400, 401, 302])
def test_an_answer_other_than_2xx_is_a_gateway_error(platform, status):
    platform.answer = (status, b'{"error": "busy"}')
    with pytest.raises(GatewayError, match=f"HTTP {status}"):
        HttpGateway(platform.url, timeout=5).send(PHONE, "你好")
    assert len(platform.requests) == 1  # a redirect is not followed


def test_a_platform_that_does_not_answer_in_time_is_a_gateway_error(platform):
    platform.hang = True
    with pytest.raises(GatewayError, match="timed out"):
        HttpGateway(platform.url, timeout=0.2).send(PHONE, "你好")


def test_a_platform_that_is_not_there_is_a_gateway_error():
    with socket.socket() as probe:  # a free port, closed again: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(GatewayError, match="connection failed"):
        HttpGateway(f"http://127.0.0.1:{port}/sms", timeout=2).send(PHONE, "你好")


@pytest.mark.parametrize("url", ["", "ftp://sms.example/", "file:///etc/passwd", "sms.example"])
def test_the_http_gateway_needs_an_http_url(url):
    with pytest.raises(ImproperlyConfigured):
        HttpGateway(url)


@pytest.mark.django_db
def test_a_message_goes_out_through_the_configured_http_gateway(platform, settings):
    settings.BANGBAN_SMS_BACKEND = "http"
    settings.BANGBAN_SMS_URL = platform.url
    settings.BANGBAN_SMS_TOKEN = "s3cret"
    message = queue_message(recipient=PHONE, body="已办结。", reference="case:1")

    assert deliver_due().sent == 1

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.gateway_id == "sms-7781"
    assert platform.requests[0]["json"]["reference"] == "case:1"


@pytest.mark.django_db
def test_a_platform_error_through_the_outbox_is_recorded_on_the_message(platform, settings):
    settings.BANGBAN_SMS_BACKEND = "http"
    settings.BANGBAN_SMS_URL = platform.url
    platform.answer = (500, b"")
    message = queue_message(recipient=PHONE, body="已办结。", reference="case:1")

    assert deliver_due().retrying == 1

    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert message.last_error == "HTTP 500 Internal Server Error"


def test_the_console_gateway_logs_the_message_with_the_phone_masked(settings, caplog):
    settings.DEBUG = False
    with caplog.at_level(logging.INFO, logger="bangban.messaging"):
        assert ConsoleGateway().send(PHONE, "您的事项已受理。", reference="case:1") is None
    (record,) = caplog.records
    assert record.name == "bangban.messaging"
    assert "138****1234" in record.getMessage()
    assert "您的事项已受理。" in record.getMessage()
    assert PHONE not in caplog.text


def test_the_console_gateway_masks_the_phone_in_debug_too(settings, caplog):
    settings.DEBUG = True
    with caplog.at_level(logging.INFO, logger="bangban.messaging"):
        ConsoleGateway().send(PHONE, "您的事项已受理。", reference="case:1")
    assert "138****1234" in caplog.text
    assert PHONE not in caplog.text


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+8613812341234", "+86*******1234"),
        ("05333221234", "053****1234"),
        ("3221234", "***1234"),
        ("1234", "****"),
    ],
)
def test_a_phone_is_masked_but_for_its_first_three_and_last_four_digits(number, masked):
    assert mask_phone(number) == masked


def test_the_console_gateway_is_the_default(settings):
    settings.BANGBAN_SMS_BACKEND = "console"
    assert isinstance(gateway_for("sms"), ConsoleGateway)


def test_the_http_gateway_is_chosen_by_the_setting(settings):
    settings.BANGBAN_SMS_BACKEND = "http"
    settings.BANGBAN_SMS_URL = "https://sms.example.gov.cn/send"
    settings.BANGBAN_SMS_TIMEOUT = 3
    gateway = gateway_for("sms")
    assert isinstance(gateway, HttpGateway)
    assert (gateway.url, gateway.timeout) == ("https://sms.example.gov.cn/send", 3.0)


def test_an_unknown_backend_is_a_configuration_error(settings):
    settings.BANGBAN_SMS_BACKEND = "carrier_pigeon"
    with pytest.raises(ImproperlyConfigured):
        gateway_for("sms")


def test_every_gateway_has_the_interface():
    for gateway in (ConsoleGateway(), HttpGateway("http://127.0.0.1/"), RecordingGateway()):
        assert isinstance(gateway, SmsGateway)


def test_the_recording_gateway_fails_as_often_as_told():
    gateway = RecordingGateway()
    gateway.fail_next(2)
    for _ in range(2):
        with pytest.raises(GatewayError):
            gateway.send(PHONE, "你好")
    assert gateway.send(PHONE, "你好") == "rec-1"
    assert gateway.calls == 3
