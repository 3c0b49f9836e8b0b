"""The provincial 好差评 system's callback (docs/api.md "省好差评回调", docs/province.md): the province
posts a rating it holds — given on its own page, or its default rating — and we mirror it once.

Not a bearer-token operation: the request is authenticated by its signature (HMAC-SHA256 with the
shared secret over the sorted parameters, timestamp and nonce: `province.gateway`), its timestamp
within five minutes of ours, its nonce used once (`kernel.signing.first_use`: Django's cache, for
twice the window).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema

from bangban.kernel.api import Status, error_response, one_error
from bangban.kernel.schemas import errors
from bangban.kernel.signing import first_use

from ..province import enabled
from ..province.gateway import signature_problem
from ..province.mirror import (
    ASSESS_TIME_PATTERN,
    PROJECT_NO_PATTERN,
    REASON_PATTERN,
    TEXT_PATTERN,
)
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

RATING_BODY = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["projectNo", "assessNumber", "satisfaction", "assessTime"],
                "properties": {
                    "projectNo": {"type": "string", "pattern": PROJECT_NO_PATTERN},
                    "assessNumber": {"type": "integer", "enum": [1, 2]},
                    "satisfaction": {"type": "integer", "minimum": 1, "maximum": 5},
                    "reasonCodes": {
                        "type": "array",
                        "items": {"type": "string", "pattern": REASON_PATTERN},
                    },
                    "text": {"type": "string", "pattern": TEXT_PATTERN},
                    "assessTime": {
                        "type": "string",
                        "pattern": ASSESS_TIME_PATTERN,
                        "example": "2026-12-07 10:15:00",
                    },
                    "pf": {"type": "integer", "minimum": 1, "maximum": 7},
                    "isDefault": {"type": "integer", "enum": [0, 1]},
                },
            }
        }
    },
    "required": True,
}


class ProvinceRatingOut(Schema):
    result: str
    rating: int


def _refused(problem: str):
    kind, message = SIGNATURE_MESSAGES[problem]
    return one_error(
        401,
        ["header", "X-Timestamp" if problem == "expired" else "X-Signature"],
        str(message),
        kind,
        {"WWW-Authenticate": 'HMAC-SHA256 realm="province"'},
    )


@router.post(
    "/province/ratings",
    auth=None,
    response={200: ProvinceRatingOut, **errors(400, 404, 409, 422)},
    summary="Receive a rating from the provincial 好差评 system",
    openapi_extra={"requestBody": RATING_BODY},
)
def province_rating(request):
    """The province's signed callback with one rating (the national field set, docs/province.md).
    200 `{"result": "stored"|"held", "rating": id}`: stored now, or held already for that occasion
    and assess number (not an error). 401 a missing or wrong signature, an old timestamp or a
    replayed nonce; 404 when the adapter is off or the projectNo is none of ours; 422 a field we
    cannot read (checked first: the contract is public); 409 a rule of ours refuses it (a follow-up
    with no rectification waiting)."""
    from ..province.mirror import RecordError, UnknownProject, mirror, parse

    try:
        data = json.loads(request.body.decode("utf-8")) if request.body else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        return one_error(400, ["body"], _("请求体不是有效的 JSON。"), "json_invalid")
    try:
        parse(data)  # the contract is public: a record we cannot read is named before all else
    except RecordError as exc:
        return error_response(
            422,
            [
                {
                    "loc": ["body", field] if field != "body" else ["body"],
                    "msg": str(message),
                    "type": "value_error",
                }
                for field, message in exc.errors.items()
            ],
        )
    if not enabled():
        return one_error(404, ["path"], _("省好差评接口未启用。"), "not_found")
    problem = signature_problem(
        request.headers,
        data,
        app_id=settings.BANGBAN_PROVINCE_APP_ID,
        secret=settings.BANGBAN_PROVINCE_SECRET,
    )
    if problem:
        return _refused(problem)
    if not first_use("province", request.headers["X-Nonce"]):
        return _refused("replayed")
    try:
        result, rating = mirror(data)
    except UnknownProject:
        return one_error(
            404,
            ["body", "projectNo"],
            _("projectNo 不是本系统的办件服务编号。"),
            "unknown_project",
        )
    return Status(200, {"result": result, "rating": rating.pk})
