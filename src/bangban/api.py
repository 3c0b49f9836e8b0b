"""The JSON API under /api/v1/: mounts each app's router and answers every error, 400 to 429 and 500,
in one shape: `{"detail": [{"loc": [...], "msg": "中文说明", "type": "..."}]}` (see docs/api.md).

OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs (Swagger UI served from ninja's bundled static
files, so it works offline).
"""

from __future__ import annotations

import functools

from django.http import Http404, HttpResponseNotAllowed
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from bangban.cases.api import router as cases_router
from bangban.catalog.api import router as catalog_router
from bangban.feedback.api import router as feedback_router
from bangban.kernel.api import error_response, one_error
from bangban.kernel.errors import ApiError, RuleError
from bangban.network.api import BearerToken, auth_router
from bangban.network.api import router as network_router
from bangban.network.models import Role
from bangban.staff.api import router as staff_router
from bangban.supervision.api import router as supervision_router
from bangban.workdays.api import router as workdays_router

# --- Validation errors in Chinese -----------------------------------------------------------------

#: Chinese messages for the pydantic error types; {field} is the offending field's name.
MESSAGES = {
    "missing": "缺少必填字段 {field}。",
    "extra_forbidden": "不接受字段 {field}。",
    "string_type": "{field} 必须是字符串。",
    "string_too_short": "{field} 至少需要 {min_length} 个字符。",
    "string_too_long": "{field} 不能超过 {max_length} 个字符。",
    "string_pattern_mismatch": "{field} 格式不正确（不能含控制字符，且须符合格式 {pattern}）。",
    "string_unicode": "{field} 含有无效的字符。",
    "int_type": "{field} 必须是整数。",
    "int_parsing": "{field} 必须是整数。",
    "int_from_float": "{field} 必须是整数。",
    "int_parsing_size": "{field} 数值过大。",
    "greater_than_equal": "{field} 不能小于 {ge}。",
    "greater_than": "{field} 必须大于 {gt}。",
    "less_than_equal": "{field} 不能大于 {le}。",
    "less_than": "{field} 必须小于 {lt}。",
    "bool_type": "{field} 必须是 true 或 false。",
    "bool_parsing": "{field} 必须是 true 或 false。",
    "literal_error": "{field} 的取值无效，可选值：{expected}。",
    "enum": "{field} 的取值无效，可选值：{expected}。",
    "union_tag_invalid": "{field} 的取值无效，可选值：{expected_tags}。",
    "union_tag_not_found": "缺少必填字段 {field}。",
    "list_type": "{field} 必须是数组。",
    "too_long": "{field} 最多 {max_length} 项。",
    "too_short": "{field} 至少 {min_length} 项。",
    "dict_type": "{field} 必须是 JSON 对象。",
    "model_type": "{field} 必须是 JSON 对象。",
    "model_attributes_type": "{field} 必须是 JSON 对象。",
    "datetime_parsing": "{field} 不是有效的日期时间。",
    "date_parsing": "{field} 不是有效的日期（格式 YYYY-MM-DD）。",
    "date_type": "{field} 不是有效的日期（格式 YYYY-MM-DD）。",
    "date_from_datetime_parsing": "{field} 不是有效的日期（格式 YYYY-MM-DD）。",
    "date_from_datetime_inexact": "{field} 只能是日期，不能带时间。",
    "date_range": "{field} 应在 {earliest} 至 {latest} 之间。",
    "json_invalid": "请求体不是有效的 JSON。",
    "value_error": "{field} 的值无效。",
}


def _field(loc: list) -> str:
    names = [str(part) for part in loc[1:] if not isinstance(part, int)]
    return names[-1] if names else (str(loc[0]) if loc else "body")


def _loc(error: dict) -> list:
    loc = list(error.get("loc") or [])
    # ninja names the body parameter ("payload"); the client only knows the body's own fields.
    if len(loc) >= 2 and loc[0] == "body" and loc[1] == "payload":
        loc = ["body", *loc[2:]]
    # A discriminated union adds the chosen variant's tag ("body", "helper", "point"): drop it.
    return [part for part in loc if not (isinstance(part, str) and part in _ROLE_TAGS)]


_ROLE_TAGS = set(Role.values)


def translate(error: dict) -> dict:
    loc = _loc(error)
    kind = error.get("type", "value_error")
    ctx = {k: v for k, v in (error.get("ctx") or {}).items()}
    template = MESSAGES.get(kind, "{field} 的值无效。")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        # A discriminated union (the account's role): name the discriminating field.
        loc = [*(loc or ["body"]), str(ctx.get("discriminator", "")).strip("'\"")]
    if kind == "missing" and error.get("loc", [None])[0] == "body" and len(loc) <= 1:
        template = "缺少请求体（JSON 对象）。"
    try:
        msg = template.format(field=_field(loc), **ctx)
    except (KeyError, IndexError, ValueError):
        msg = MESSAGES["value_error"].format(field=_field(loc))
    return {"loc": loc or ["body"], "msg": msg, "type": kind}


# --- The API --------------------------------------------------------------------------------------


class BangbanAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """ninja's document, with the two answers every operation with a body may give before it
        reads the body (bangban/errors.py): 413 too large, 415 not sent as JSON."""
        schema = super().get_openapi_schema(**kwargs)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "requestBody" in operation:
                    responses = operation["responses"]
                    responses.setdefault(
                        413, {"description": "Content Too Large", "content": error}
                    )
                    responses.setdefault(
                        415, {"description": "Unsupported Media Type", "content": error}
                    )
        return schema

    def get_openapi_operation_id(self, operation) -> str:
        """ninja's id (module and function), with an app's API split into modules
        (`bangban.network.api.points`) named as its one module was (`bangban_network_api_…`), so
        that a client's generated names do not change when the code moves."""
        module = operation.view_func.__module__
        head, dot_api, _rest = module.partition(".api.")
        if dot_api:
            module = head + ".api"
        return (module + "_" + operation.view_func.__name__).replace(".", "_")

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = _json_method_not_allowed(pattern.callback)
        return patterns, app_name, namespace


def _json_method_not_allowed(view):
    """ninja answers an unknown method with an empty 405; give it the error shape (Allow kept)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return one_error(
                405,
                ["method"],
                f"不支持 {request.method} 方法。",
                "method_not_allowed",
                {"Allow": response["Allow"]},
            )
        return response

    return wrapper


api = BangbanAPI(
    title="Bangban API",
    version="1",
    description="帮办代办 JSON API. See docs/api.md. Every error (4xx and 500) has the shape "
    '`{"detail": [{"loc": [...], "msg": "中文说明", "type": "..."}]}`.',
    urls_namespace="api",
    auth=BearerToken(),
)


@api.exception_handler(Exception)
def on_unexpected_error(request, exc: Exception):
    """Anything else goes on to Django, which logs it and answers 500 in the error shape
    (bangban/errors.py), also with DEBUG on, where ninja would answer a plain-text traceback."""
    raise exc


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return error_response(422, [translate(error) for error in exc.errors])


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc: AuthenticationError):
    return one_error(
        401,
        ["header", "Authorization"],
        "未登录或令牌无效、已过期：请先通过 /api/v1/auth/token 获取令牌。",
        "not_authenticated",
        {"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 400:
        return one_error(400, ["body"], "请求体不是有效的 JSON。", "json_invalid")
    if exc.status_code == 403:
        return one_error(403, [], "您无权进行此操作。", "permission_denied")
    if exc.status_code == 429:
        return one_error(429, [], "请求过于频繁，请稍后再试。", "throttled")
    return one_error(exc.status_code, [], str(exc), "error")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return one_error(404, ["path"], "请求的对象不存在或无权访问。", "not_found")


@api.exception_handler(ApiError)
def on_api_error(request, exc: ApiError):
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return one_error(exc.status, exc.loc, exc.msg, exc.type, headers)


@api.exception_handler(RuleError)
def on_rule_error(request, exc: RuleError):
    """A rule of an app was broken by well-formed input (`NetworkError`, `CatalogError`, `CaseError`
    …): the error says its status and items (`RuleError.response`), 409 one item per message."""
    return error_response(*exc.response())


api.add_router("/auth", auth_router)
api.add_router("/", network_router)
api.add_router("/", workdays_router)
api.add_router("/", staff_router)
api.add_router("/", catalog_router)
api.add_router("/", cases_router)
api.add_router("/", feedback_router)
api.add_router("/", supervision_router)
