"""Errors in the product's own voice (docs/decisions/0031-error-pages-and-malformed-input.md).

- The pages for 400, 403, 404, 413, 500 and a CSRF failure, in Chinese (English when chosen), in the
  site's layout (the public pages' layout under /p/); under /api/ the same errors in the API's JSON
  shape. `urls.py` names them as Django's handlers, `settings.CSRF_FAILURE_VIEW` the CSRF page.
- `ErrorPagesMiddleware` refuses malformed input before any view or database sees it: a NUL character
  anywhere in the address, the query string, a form field or a cookie (PostgreSQL cannot store one
  and failed with a 500); a form body too large or with too many fields; and, under /api/, a body that
  is not UTF-8 JSON sent as `application/json`. With DEBUG on (as `make run` has it) it also shows
  these pages where Django would show its technical ones; `BANGBAN_DEBUG_PAGES=1` gives those back.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signals
from django.core.exceptions import (
    BadRequest,
    DisallowedHost,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.utils import translation
from django.utils.log import log_response
from django.utils.translation import gettext as _

from bangban.kernel.api import one_error

API_PREFIX = "/api/"
#: The public pages (no login): the case and item pages, the rating page. Their errors keep their frame.
PUBLIC_PREFIXES = ("/p/", "/pj/", "/mailbox/")
NUL = "\x00"
#: The media type of every API request body (RFC 8259: JSON exchanged between systems is UTF-8).
JSON_TYPE = "application/json"
#: Methods whose body the API reads.
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

logger = logging.getLogger("bangban.errors")


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _api_error(status: int, loc: list, msg: str, type_: str) -> HttpResponse:
    return one_error(status, loc, msg, type_)


# --- The pages ------------------------------------------------------------------------------------


def _texts(status: int) -> tuple[str, str]:
    """The title and explanation of a 4xx page, in the language active when it is rendered."""
    return {
        400: (
            _("请求有误"),
            _(
                "这个请求无法处理：地址或提交的内容中有不允许的字符（例如空字符），或格式不正确。"
                "请返回上一页，检查后重试。"
            ),
        ),
        403: (
            _("无权访问"),
            _("您的账号无权进行这项操作。如需权限，请联系本镇（街道）或县政务服务中心的管理员。"),
        ),
        404: (
            _("页面不存在"),
            _("您要找的页面不存在，或者您无权查看。请检查地址，或从首页重新进入。"),
        ),
        413: (
            _("提交的内容过大"),
            _("提交的内容过多或过大，无法处理。请减少内容后分批提交。"),
        ),
    }[status]


def _page(request, status: int, title: str, message: str, csrf: bool = False) -> HttpResponse:
    """A 4xx page in the site's layout (the public layout under /p/). If the layout itself cannot be
    rendered (it reads the user's permissions), the minimal page stands in: never a second error."""
    context = {
        "status": status,
        "title": title,
        "message": message,
        "csrf": csrf,
        "layout": "public_base.html"
        if request.path_info.startswith(PUBLIC_PREFIXES)
        else "base.html",
    }
    try:
        body = loader.render_to_string("errors/page.html", context, request)
    except Exception:
        logger.exception("The %s page could not be rendered in the site's layout", status)
        body = _minimal(context)
    return HttpResponse(body, status=status)


def _minimal(context: dict) -> str:
    """The page in the minimal layout: no database, no request, no URL reversing."""
    try:
        return loader.render_to_string("errors/minimal_page.html", context)
    except Exception:
        logger.exception("The minimal error page could not be rendered")
        return (
            '<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>帮办代办</title>'
            f"<h1>{context['status']}</h1><p>系统出错了，请稍后再试。Something went wrong.</p>"
            '<p><a href="/">首页 Home</a></p></html>'
        )


def _language(request) -> str:
    """The language LocaleMiddleware chooses; an error can come before it has run."""
    return translation.get_language_from_request(request)


def bad_request(request, exception=None):
    """handler400: malformed input; 413 when the body or its fields were too large or too many."""
    too_much = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)
    status = 413 if isinstance(exception, too_much) else 400
    with translation.override(_language(request)):
        if is_api(request):
            if status == 413:
                return _api_error(413, ["body"], _("请求体过大，无法处理。"), "request_too_large")
            return _api_error(400, [], _("请求格式不正确，无法处理。"), "bad_request")
        return _page(request, status, *_texts(status))


def permission_denied(request, exception=None):
    with translation.override(_language(request)):
        if is_api(request):
            return _api_error(403, [], _("您无权进行此操作。"), "permission_denied")
        return _page(request, 403, *_texts(403))


def page_not_found(request, exception=None):
    with translation.override(_language(request)):
        if is_api(request):
            return _api_error(404, ["path"], _("请求的地址或对象不存在。"), "not_found")
        return _page(request, 404, *_texts(404))


def server_error(request):
    """handler500: without the database, the user or any context processor (any of them may be what
    failed): the minimal layout, or a fixed text if even that cannot be rendered."""
    with translation.override(_language(request)):
        if is_api(request):
            return _api_error(500, [], _("服务器内部错误，已记录。请稍后再试。"), "server_error")
        context = {
            "status": 500,
            "title": _("系统出错了"),
            "message": _(
                "服务器处理这个请求时出错，错误已记录。请稍后再试；如果一再出现，请联系管理员。"
            ),
        }
        return HttpResponse(_minimal(context), status=500)


def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: the form was sent without its security token, or with an old
    one (a page left open past a log-out, cookies blocked)."""
    with translation.override(_language(request)):
        if is_api(request):
            return _api_error(403, [], _("安全验证失败（CSRF）。"), "csrf_failed")
        return _page(
            request,
            403,
            _("页面已过期"),
            _(
                "为了安全，每次提交都要带上页面的验证信息，这次没有收到或已经失效（页面打开太久、"
                "已在别处退出登录，或浏览器禁用了 Cookie）。请返回上一页，刷新后重新提交。"
            ),
            csrf=True,
        )


# --- Refusing malformed input, and the pages with DEBUG on ----------------------------------------


def _has_nul(data) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in data.lists())


class ErrorPagesMiddleware:
    """After LocaleMiddleware (the pages speak the request's language), before everything that reads
    the body, the session or the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.refuse_malformed(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if self.replacing() and not getattr(response, "bangban_error_page", False):
            if response.status_code == 404 and getattr(request, "resolver_match", None) is None:
                # The address matched no URL pattern: Django's technical 404 with DEBUG on.
                return page_not_found(request)
            if response.status_code == 500 and getattr(request, "bangban_failed", False):
                # An error raised by a middleware after this one: Django's technical 500.
                return server_error(request)
        return response

    @staticmethod
    def replacing() -> bool:
        """Stand in for Django's technical pages: with DEBUG on, unless BANGBAN_DEBUG_PAGES asks for
        them. With DEBUG off Django itself calls the handlers above."""
        return settings.DEBUG and not getattr(settings, "BANGBAN_DEBUG_PAGES", False)

    def process_exception(self, request, exception):
        """An exception raised by a view, with DEBUG on: the page Django would show with DEBUG off."""
        if not self.replacing():
            return None
        if isinstance(exception, Http404):
            response = page_not_found(request, exception)
        elif isinstance(exception, PermissionDenied | MultiPartParserError):
            return None  # Django calls the handler whatever DEBUG says
        elif isinstance(exception, BadRequest | SuspiciousOperation):
            _log_suspicious(request, exception)
            response = bad_request(request, exception)
        else:
            signals.got_request_exception.send(sender=None, request=request)
            response = server_error(request)
            log_response(
                "%s: %s",
                response.reason_phrase,
                request.path,
                response=response,
                request=request,
                exception=exception,
            )
        response.bangban_error_page = True
        return response

    # --- Malformed input

    def refuse_malformed(self, request) -> HttpResponse | None:
        api = is_api(request)
        try:
            request.get_host()
        except DisallowedHost as exc:
            _log_suspicious(request, exc)
            return bad_request(request, exc)
        if NUL in request.path_info:
            return page_not_found(request)
        try:
            query = request.GET
            cookies = request.COOKIES
        except SuspiciousOperation as exc:  # more query fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
            _log_suspicious(request, exc)
            return bad_request(request)  # 400: the address, not a body, is too much
        if _has_nul(query):
            key = next(k for k, vs in query.lists() if NUL in k or any(NUL in v for v in vs))
            if api:
                return _api_error(
                    422,
                    ["query", key],
                    _("%(field)s 不能含控制字符（NUL）。") % {"field": key},
                    "string_pattern_mismatch",
                )
            return self._bad(request, api, ["query"])
        if any(NUL in value for value in cookies.values()):
            return self._bad(request, api, ["header", "Cookie"])
        if api:
            return self.refuse_api_body(request)
        if request.method == "POST":
            try:
                form = request.POST
            except (SuspiciousOperation, MultiPartParserError) as exc:
                if isinstance(exc, SuspiciousOperation):
                    _log_suspicious(request, exc)
                return bad_request(request, exc)
            if _has_nul(form):
                return self._bad(request, api, ["body"])
        return None

    @staticmethod
    def _bad(request, api: bool, loc: list) -> HttpResponse:
        if api:
            return _api_error(400, loc, _("请求中含有不允许的字符（NUL）。"), "bad_request")
        return bad_request(request)

    @staticmethod
    def refuse_api_body(request) -> HttpResponse | None:
        """An API body is read here, whole (it is bounded by DATA_UPLOAD_MAX_MEMORY_SIZE), so that
        nothing later — django-axes reads `request.POST` on a failed login — parses it as a form."""
        if request.method not in BODY_METHODS:
            return None
        try:
            body = request.body
        except RequestDataTooBig as exc:
            _log_suspicious(request, exc)
            return bad_request(request, exc)
        if not body:
            return None
        media_type, params = _media_type(request.META.get("CONTENT_TYPE", ""))
        charset = params.get("charset", "utf-8").lower()
        if media_type != JSON_TYPE or charset not in ("utf-8", "utf8"):
            return _api_error(
                415,
                ["header", "Content-Type"],
                _("请求体须为 JSON，使用 Content-Type: application/json（UTF-8 编码）。"),
                "unsupported_media_type",
            )
        # Nothing reads this body as a form: Django parses only form types, and this one is JSON.
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return _api_error(
                400, ["body"], _("请求体不是有效的 UTF-8 编码的 JSON。"), "json_invalid"
            )
        return None


def _media_type(header: str) -> tuple[str, dict[str, str]]:
    media_type, *rest = header.split(";")
    params = {}
    for part in rest:
        name, _sep, value = part.partition("=")
        params[name.strip().lower()] = value.strip().strip('"')
    return media_type.strip().lower(), params


def _log_suspicious(request, exc: Exception) -> None:
    """As Django logs a SuspiciousOperation: to django.security.<its class>."""
    logging.getLogger(f"django.security.{exc.__class__.__name__}").error(
        "%s: %s", exc, request.path
    )


def _mark_failed(sender, request=None, **kwargs):
    if request is not None:
        request.bangban_failed = True


signals.got_request_exception.connect(_mark_failed, dispatch_uid="bangban.errors.mark_failed")
