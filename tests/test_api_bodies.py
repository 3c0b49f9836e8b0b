"""Malformed request bodies on every API operation that takes one, read from the OpenAPI document:
each answers its 4xx in the API's error shape, never a 500 or an HTML page (decision 0031)."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.http import urlencode

from bangban.api import api
from bangban.network.api import digest
from bangban.network.models import ApiToken, Role
from tests.network.test_api import assert_error

JSON = "application/json"
DATES = {"date", "date-time"}
#: A well-formed value for each path parameter of an operation with a body.
PATH_VALUES = {"code": "370323", "day": "2026-12-01", "number": "370323-20261125-0042"}


def _operations_with_a_body() -> list[tuple[str, str, bool, list[int]]]:
    """(method, url, whether the body is required, documented statuses) of each operation with a
    body."""
    schema = api.get_openapi_schema()
    found = []
    for template, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            url = template
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    name = parameter["name"]
                    value = PATH_VALUES.get(name, "1")
                    assert parameter["schema"]["type"] == "integer" or name in PATH_VALUES, name
                    url = url.replace("{" + name + "}", value)
            required = operation["requestBody"].get("required", False)
            found.append((method.upper(), url, required, sorted(map(int, operation["responses"]))))
    return found


OPERATIONS = _operations_with_a_body()

MULTIPART = (
    b'--zz\r\nContent-Disposition: form-data; name="username"\r\n\r\nabc\r\n--zz--\r\n',
    "multipart/form-data; boundary=zz",
)
TOO_LARGE = b'{"name": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'

#: name → (body, Content-Type, status, type of the error)
MALFORMED = {
    "multipart without a boundary": (b'{"name": "x"}', "multipart/form-data", 415, None),
    "multipart with an empty boundary": (b"--\r\n", "multipart/form-data; boundary=", 415, None),
    "a multipart form": (*MULTIPART, 415, None),
    "a urlencoded form": (
        urlencode({"username": "a", "password": "b"}).encode(),
        "application/x-www-form-urlencoded",
        415,
        None,
    ),
    "JSON as text/plain": (b"{}", "text/plain", 415, None),
    "no Content-Type": (b"{}", "", 415, None),
    "JSON in Latin-1": (
        '{"name": "é"}'.encode("latin-1"),
        "application/json; charset=latin-1",
        415,
        None,
    ),
    "invalid UTF-8": (b'{"name": "\xff\xfe"}', "application/json", 400, "json_invalid"),
    "truncated JSON": (b'{"name": ', "application/json", 400, "json_invalid"),
    "not JSON": (b"<xml/>", "application/json", 400, "json_invalid"),
    "a raw NUL byte": (b'{"name": "a\x00b"}', "application/json", 400, "json_invalid"),
    "deep nesting": (b"[" * 100_000, "application/json", 400, "json_invalid"),
    "a 5000-digit number": (b'{"a": 1' + b"0" * 5000 + b"}", "application/json", 400, None),
    "an escaped NUL": (b'{"\\u0000": "\\u0000"}', "application/json", 422, None),
    "an array": (b"[]", "application/json", 422, None),
    "null": (b"null", "application/json", 422, None),
    "a string": (b'"text"', "application/json", 422, None),
    "too large": (TOO_LARGE, "application/json", 413, "request_too_large"),
}


@pytest.fixture
def bearer(yiyuan, make_account) -> dict:
    """The county administrator's token: the body is read only once the caller is known."""
    user = make_account(Role.REGION_ADMIN, yiyuan.county)
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, digest=digest(token), expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    return {"authorization": f"Bearer {token}"}


#: The hall rating device's own operations: it authenticates with its token, not a user's.
DEVICE_PREFIX = "/api/v1/device/"


def device_token(yiyuan) -> dict:
    from bangban.feedback.actions import register_device

    _device, token = register_device(yiyuan.zone, name="评价器", by=None)
    return {"authorization": f"Device {token}"}


def test_the_document_has_operations_with_bodies():
    assert ("POST", "/api/v1/auth/token") in {(m, u) for m, u, *_ in OPERATIONS}
    assert ("POST", "/api/v1/cases") in {(m, u) for m, u, *_ in OPERATIONS}
    assert len(OPERATIONS) > 30


@pytest.mark.parametrize("malformation", list(MALFORMED))
@pytest.mark.parametrize(
    ("method", "url", "required", "documented"),
    OPERATIONS,
    ids=[f"{m} {u}" for m, u, *_ in OPERATIONS],
)
def test_a_malformed_body_is_a_4xx_in_the_error_shape(
    bearer, yiyuan, method, url, required, documented, malformation
):
    body, content_type, status, kind = MALFORMED[malformation]
    if url.startswith(DEVICE_PREFIX):
        bearer = device_token(yiyuan)
    if malformation == "null" and not required:
        status = 404  # no body at all: the action goes on, to a case or transfer that is not there
    client = Client(raise_request_exception=True)
    response = client.generic(method, url, body, content_type=content_type, headers=bearer)
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    detail = assert_error(response, status)
    assert status in documented, f"{status} is not in the OpenAPI document"
    if kind:
        assert detail[0]["type"] == kind


@pytest.mark.parametrize(
    "malformation", ["multipart without a boundary", "invalid UTF-8", "too large"]
)
def test_a_malformed_body_is_refused_before_the_token_is_asked_for(db, malformation):
    body, content_type, status, _kind = MALFORMED[malformation]
    response = Client().generic("POST", "/api/v1/points", body, content_type=content_type)
    assert_error(response, status)


def test_a_login_with_a_form_body_never_reaches_axes(db, settings):
    """django-axes reads `request.POST` of a failed login: a multipart body without a boundary
    failed there with a 500 (or an HTML 400)."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    AxesProxyHandler.get_implementation(force=True)
    try:
        response = Client().post(
            "/api/v1/auth/token",
            b'{"username": "abc", "password": "wrong-password"}',
            content_type="multipart/form-data",
        )
    finally:
        settings.AXES_ENABLED = False
        AxesProxyHandler.get_implementation(force=True)
    assert_error(response, 415)
    assert not AccessAttempt.objects.exists()


def test_json_with_an_explicit_utf8_charset_is_accepted(db, yiyuan, make_account):
    user = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    response = Client().post(
        "/api/v1/auth/token",
        f'{{"username": "{user.username}", "password": "Secure-pass-123"}}'.encode(),
        content_type="application/json; charset=UTF-8",
    )
    assert response.status_code == 200, response.content


def _input_strings(node, where: str, components: dict, seen: frozenset = frozenset()):
    """(where, schema) of every string schema under `node`, following $refs."""
    if isinstance(node, list):
        for item in node:
            yield from _input_strings(item, where, components, seen)
        return
    if not isinstance(node, dict):
        return
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from _input_strings(
                components[name], f"{where}>{name}", components, seen | {name}
            )
        return
    if node.get("type") == "string":
        yield where, node
    for name, child in node.get("properties", {}).items():
        yield from _input_strings(child, f"{where}.{name}", components, seen)
    for key in ("items", "anyOf", "oneOf", "allOf", "additionalProperties"):
        if key in node:
            yield from _input_strings(node[key], where, components, seen)


def test_every_string_the_api_reads_refuses_a_nul():
    """A NUL in a query parameter is refused by the middleware, in a body field by the schema: each
    string a client sends has a pattern that refuses it, an enum, or a date format."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    found = []
    for template, operations in schema["paths"].items():
        for method, operation in operations.items():
            inputs = [(p["name"], p["schema"]) for p in operation.get("parameters", [])]
            if "requestBody" in operation:
                inputs.append(("body", operation["requestBody"]["content"][JSON]["schema"]))
            for name, node in inputs:
                found += _input_strings(node, f"{method} {template} {name}", components)
    assert len(found) > 100
    for where, node in found:
        if "pattern" in node:
            assert re.search(node["pattern"], "\x00") is None, where
            assert re.search(node["pattern"], "名\x00字") is None, where
        else:
            assert "enum" in node or "const" in node or node.get("format") in DATES, where
