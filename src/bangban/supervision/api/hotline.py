"""The 12345 platform's callback (docs/api.md "12345 热线", docs/hotline.md): the platform posts a
ticket dispatched to us, or the hotline centre's decision on an extension we asked for, and we take
it once — the ticket by `actions.receive(source="hotline")`, idempotent on its number; the decision
by `actions.decide_extension(by=None)`, a repeat changing nothing.

Not a bearer-token operation: the request is authenticated by its signature (`kernel.signing`:
HMAC-SHA256 with the shared secret over the sorted parameters, timestamp and nonce), its timestamp
within five minutes of ours, its nonce used once. What is taken is answered in the platform's
shape, `{"code": "0", "msg": …, "data": …}`; a refusal in the project's one error shape
(`{"detail": [items]}`, decision 0031) with its HTTP status, which the platform reads.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema

from bangban.kernel.api import JSON_UTF8
from bangban.kernel.schemas import ErrorItem, ErrorOut
from bangban.kernel.signing import first_use, signature_problem

from ..errors import SupervisionError
from ..hotline.fields import (
    AREA_PATTERN,
    CONTENT_PATTERN,
    KINDS,
    PLATFORM_FIELDS,
    TICKET_NO_PATTERN,
    TIME_PATTERN,
    TITLE_PATTERN,
    RecordError,
    UnknownCounty,
    parse_decision,
    parse_ticket,
)
from ..hotline.outbox import enabled
from .common import router

SIGNATURE_MESSAGES = {
    "missing": (
        "signature_missing",
        gettext_lazy("缺少签名请求头 X-App-Id、X-Timestamp、X-Nonce 或 X-Signature。"),
    ),
    "app_id": ("signature_invalid", gettext_lazy("X-App-Id 与本系统登记的应用标识不符。")),
    "malformed": ("signature_invalid", gettext_lazy("X-Timestamp 或 X-Nonce 格式不正确。")),
    "expired": (
        "timestamp_expired",
        gettext_lazy("X-Timestamp 与本系统时间相差超过 5 分钟，请求已过期。"),
    ),
    "signature": ("signature_invalid", gettext_lazy("签名不正确。")),
    "replayed": ("nonce_replayed", gettext_lazy("该 X-Nonce 已经使用过，请求不能重放。")),
}


#: The free texts of a record: anything but a NUL (control characters are cleaned away).
NO_NUL = r"^[^\x00]*$"


def _variant(kind: str, required: list[str], properties: dict) -> dict:
    return {
        "type": "object",
        "required": ["type", "ticketNo", "areaCode", *required],
        "properties": {
            "type": {"type": "string", "enum": [kind]},
            "ticketNo": {"type": "string", "pattern": TICKET_NO_PATTERN},
            "areaCode": {"type": "string", "pattern": AREA_PATTERN},
            **properties,
        },
    }


TICKET = _variant(
    "ticket",
    ["dispatchTime", "appealType", "title", "content"],
    {
        "dispatchTime": {
            "type": "string",
            "pattern": TIME_PATTERN,
            "example": "2026-12-07 09:30:00",
        },
        "dueTime": {"type": "string", "pattern": TIME_PATTERN},
        "appealType": {"type": "string", "enum": sorted(KINDS)},
        "problemType": {"type": "string", "maxLength": 8, "pattern": NO_NUL},
        "title": {"type": "string", "maxLength": 100, "pattern": TITLE_PATTERN},
        "content": {"type": "string", "maxLength": 4000, "pattern": CONTENT_PATTERN},
        "citizenName": {"type": "string", "maxLength": 50, "pattern": NO_NUL},
        "citizenPhone": {"type": "string", "maxLength": 30, "pattern": NO_NUL},
        "orgCode": {"type": "string", "maxLength": 12, "pattern": NO_NUL},
        "orgName": {"type": "string", "maxLength": 100, "pattern": NO_NUL},
    },
)
EXTENSION = _variant(
    "extension",
    ["approved"],
    {
        "approved": {"type": "integer", "enum": [0, 1]},
        "note": {"type": "string", "maxLength": 500, "pattern": NO_NUL},
    },
)
CALLBACK_BODY = {
    "content": {"application/json": {"schema": {"oneOf": [TICKET, EXTENSION]}}},
    "required": True,
}


class HotlineResult(Schema):
    result: str
    complaint: int


class HotlineOut(Schema):
    """The platform's answer shape: `code` "0" when taken."""

    code: str
    msg: str
    data: HotlineResult


class HotlineErrorOut(Schema):
    """A refusal: the project's one error shape (its HTTP status says what kind)."""

    detail: list[ErrorItem]


def _answer(status: int, body: dict, headers: dict | None = None) -> JsonResponse:
    response = JsonResponse(
        body, status=status, json_dumps_params={"ensure_ascii": False}, content_type=JSON_UTF8
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _refusal(status: int, items: list[dict], headers: dict | None = None) -> JsonResponse:
    return _answer(status, {"detail": items}, headers)


def _one(status: int, loc: list, msg: str, kind: str, headers=None) -> JsonResponse:
    return _refusal(status, [{"loc": loc, "msg": str(msg), "type": kind}], headers)


def _fields(status: int, errors: dict, kind: str) -> JsonResponse:
    items = []
    for field, message in errors.items():
        messages = message if isinstance(message, list) else [message]
        loc = ["body"] if field == "body" else ["body", field]
        items += [{"loc": loc, "msg": str(m), "type": kind} for m in messages]
    return _refusal(status, items)


def _signature_refused(problem: str) -> JsonResponse:
    kind, message = SIGNATURE_MESSAGES[problem]
    return _one(
        401,
        ["header", "X-Timestamp" if problem == "expired" else "X-Signature"],
        message,
        kind,
        {"WWW-Authenticate": 'HMAC-SHA256 realm="hotline"'},
    )


@router.post(
    "/hotline/callback",
    auth=None,
    # 400 may come from the middleware that refuses malformed bodies first (decision 0031): ours.
    response={200: HotlineOut, 400: ErrorOut, **{s: HotlineErrorOut for s in (401, 404, 409, 422)}},
    summary="Receive a ticket or an extension decision from the 12345 platform",
    openapi_extra={"requestBody": CALLBACK_BODY},
)
def hotline_callback(request):
    """The 12345 platform's signed callback: `type` "ticket" (a ticket dispatched to us) or
    "extension" (the hotline centre's decision on our extension request). 200 with
    `data.result` "stored" (taken now) or "held" (we had it already: not an error) and
    `data.complaint` (our id). 401 a missing or wrong signature, an old timestamp or a replayed
    nonce; 404 when the adapter is off, the county is not ours or the decision's ticket is none of
    ours; 422 a field we cannot read (checked first: the contract is public); 409 a rule of ours
    refuses it (a phone that is not one, a decision with no request pending)."""
    from ..hotline.intake import UnknownTicket, take_decision, take_ticket

    try:
        data = json.loads(request.body.decode("utf-8")) if request.body else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _one(400, ["body"], _("请求体不是有效的 JSON。"), "json_invalid")
    kind = data.get("type") if isinstance(data, dict) else None
    nul = [k for k, v in data.items() if isinstance(v, str) and "\x00" in v] if kind else []
    if nul:  # refused, as every operation refuses a NUL (decision 0031); a pulled ticket is cleaned
        return _fields(422, {name: [_("不能含空字符（NUL）。")] for name in nul}, "value_error")
    if kind not in ("ticket", "extension"):
        return _one(422, ["body", "type"], _("type 须为 ticket 或 extension。"), "value_error")
    try:
        record = parse_ticket(data) if kind == "ticket" else parse_decision(data)
    except RecordError as exc:
        return _fields(422, exc.errors, "value_error")
    if not enabled():
        return _one(404, ["path"], _("12345 热线接口未启用。"), "not_found")
    problem = signature_problem(
        request.headers,
        data,
        app_id=settings.BANGBAN_HOTLINE_APP_ID,
        secret=settings.BANGBAN_HOTLINE_SECRET,
    )
    if problem:
        return _signature_refused(problem)
    if not first_use("hotline", request.headers["X-Nonce"]):
        return _signature_refused("replayed")
    try:
        if kind == "ticket":
            result, complaint = take_ticket(record)
        else:
            result, complaint = take_decision(record)
    except UnknownCounty:
        return _one(
            404, ["body", "areaCode"], _("areaCode 不是本系统的县（区）。"), "unknown_county"
        )
    except UnknownTicket:
        return _one(
            404, ["body", "ticketNo"], _("ticketNo 不是本县已接收的 12345 工单。"), "unknown_ticket"
        )
    except SupervisionError as exc:
        errors = {PLATFORM_FIELDS.get(f, f): m for f, m in exc.errors.items()}
        return _fields(409, errors, "rule")
    message = _("已接收。") if result == "stored" else _("已接收过，未重复处理。")
    return _answer(
        200,
        {"code": "0", "msg": message, "data": {"result": result, "complaint": complaint.pk}},
    )
