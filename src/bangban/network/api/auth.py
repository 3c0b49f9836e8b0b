"""Tokens: `POST /auth/token` issues a bearer token for a username and password, `BearerToken`
finds the user of a token on every other request (the API's default `auth`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.security import HttpBearer

from bangban.kernel.errors import ApiError
from bangban.kernel.schemas import errors
from bangban.kernel.statements import Param, Statement

from .. import access
from ..models import (
    ApiToken,
    Membership,
)
from ..schemas import (
    TokenIn,
    TokenOut,
)

# --- Tokens ----------------------------------------------------------------------------------------


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


#: The token's user with their memberships, compiled once (decision 0071).
_HELD = Statement(
    lambda: Membership.objects.filter(
        user__api_tokens__digest=Param("digest"),
        user__api_tokens__expires_at__gt=Param("now"),
        user__is_active=True,
    ).select_related("user", *access.MEMBERSHIP_BINDINGS)
)


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; the user of an unexpired token of an active account."""

    def authenticate(self, request: HttpRequest, token: str):
        if not token or len(token) > 200:
            return None
        key, now = digest(token), timezone.now()
        # Nearly every request asks the gate next (`access.memberships`): the token's user is read
        # with their memberships in one statement, compiled once instead of twice (decision 0065,
        # third round). A user without any (a superuser) is read by the token alone.
        held = _HELD.objects({"digest": key, "now": now})
        if held:
            user = held[0].user
            access.held_by(user, held)
        else:
            row = (
                ApiToken.objects.select_related("user")
                .filter(digest=key, expires_at__gt=now, user__is_active=True)
                .first()
            )
            if row is None:
                return None
            user = row.user
        request.user = user
        return user


auth_router = Router(tags=["auth"])


@auth_router.post(
    "/token",
    auth=None,
    response={200: TokenOut, **errors(400, 422, 429)},
    summary="Issue a bearer token",
)
def issue_token(request, payload: TokenIn):
    """Exchange a username and password for a bearer token valid `BANGBAN_TOKEN_HOURS` hours.
    Failed attempts are throttled per username and address together (django-axes): 429 while
    locked out."""
    try:
        user = authenticate(request=request, username=payload.username, password=payload.password)
    except PermissionDenied:  # pragma: no cover - axes versions that raise through authenticate
        user = None
        request.axes_locked_out = True
    if getattr(request, "axes_locked_out", False):
        # Answer in the API's shape; AxesMiddleware would otherwise swap in the web lockout page.
        request.axes_locked_out = False
        raise ApiError(
            429,
            ["body", "username"],
            _("登录失败次数过多，该账号在本地址已被暂时锁定，请稍后再试。"),
            "locked_out",
        )
    if user is None or not user.is_active:
        raise ApiError(401, ["body", "password"], _("用户名或密码错误。"), "invalid_credentials")
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(hours=settings.BANGBAN_TOKEN_HOURS)
    ApiToken.objects.create(user=user, digest=digest(token), expires_at=expires_at)
    return {"token": token, "expires_at": expires_at}
