"""What every app's JSON API shares (docs/api.md): the one error shape, the paging limits, and the
refusal of an unknown query parameter. The schemas' bases are in `kernel.schemas`, the errors in
`kernel.errors`; `bangban/api.py` mounts the apps' routers and answers every error."""

from __future__ import annotations

from django.http import JsonResponse
from ninja import Query
from ninja.errors import ValidationError

try:
    from ninja import Status
except ImportError:  # django-ninja before 1.5 takes a (status, body) tuple

    def Status(status_code, value):  # noqa: N802
        return status_code, value


__all__ = [
    "JSON_UTF8",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "Limit",
    "Offset",
    "Status",
    "error_response",
    "one_error",
    "refuse_unknown_query",
]

JSON_UTF8 = "application/json; charset=utf-8"

# --- Paging ----------------------------------------------------------------------------------------

#: The most rows one page of a list gives, and the furthest offset (a bound the database can count).
MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
#: The `limit` and `offset` query parameters of a list: 50 rows by default.
Limit = Query(50, ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")
Offset = Query(0, ge=0, le=MAX_OFFSET)


def refuse_unknown_query(request, allowed: set[str]) -> None:
    """A misspelt filter (`regoin=`) must not silently widen the answer: 422 naming it."""
    unknown = sorted(set(request.GET) - allowed)
    if unknown:
        raise ValidationError(
            [{"loc": ["query", name], "type": "extra_forbidden", "msg": ""} for name in unknown]
        )


# --- The error shape -------------------------------------------------------------------------------


def error_response(status: int, items: list[dict], headers: dict | None = None) -> JsonResponse:
    """`{"detail": [{"loc": [...], "msg": "中文说明", "type": "..."}]}` with the given status."""
    response = JsonResponse(
        {"detail": items},
        status=status,
        json_dumps_params={"ensure_ascii": False},
        content_type=JSON_UTF8,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def one_error(status: int, loc: list, msg: str, type_: str, headers=None) -> JsonResponse:
    return error_response(status, [{"loc": loc, "msg": msg, "type": type_}], headers)
