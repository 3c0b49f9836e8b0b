"""Sessions on shared station PCs (decision 0035): a login ends with the browser, after
`BANGBAN_IDLE_MINUTES` without activity and at the latest `BANGBAN_SESSION_HOURS` after it began.

The middleware keeps two times in the session: when the user logged in and when they were last
active (written at most once a `resolution`, not on every request: on SQLite every session write
takes the write lock). A request past either limit is logged out before its view runs, with a
message for the login page. The page (network/_idle.html, static/bangban/idle.js) asks `session`
how long is left without counting as activity, warns before the idle limit with a one-click
extension (a POST to `session`), tells the server about typing that sends no request, and, once
logged out, keeps what was typed in the page until the same user has logged in again in another tab.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

SINCE, SEEN = "bangban_since", "bangban_seen"


def idle_seconds() -> float:
    return settings.BANGBAN_IDLE_MINUTES * 60


def warning_seconds() -> float:
    """How long before the idle limit the page warns: two minutes, less when the limit is short."""
    return min(120.0, idle_seconds() / 3)


def resolution() -> float:
    """Activity closer together than this is written once."""
    return min(60.0, idle_seconds() / 6)


def _left(session, now: float) -> tuple[float, float]:
    """Seconds left (until the idle limit, until the limit of the login)."""
    seen, since = session.get(SEEN), session.get(SINCE)
    return seen + idle_seconds() - now, since + settings.SESSION_COOKIE_AGE - now


@receiver(user_logged_in)
def _started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SINCE] = request.session[SEEN] = time.time()


class IdleLogoutMiddleware:
    """After AuthenticationMiddleware: logs out a session past its limits, notes activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            session, now = request.session, time.time()
            if not isinstance(session.get(SEEN), float | int) or not isinstance(
                session.get(SINCE), float | int
            ):  # logged in before these limits were kept
                session[SINCE] = session[SEEN] = now
            else:
                idle_left, login_left = _left(session, now)
                if idle_left <= 0 or login_left <= 0:
                    logout(request)
                    messages.info(
                        request,
                        _("您已因长时间未操作而退出登录，请重新登录。")
                        if idle_left <= 0
                        else _("本次登录已到最长时间，请重新登录。"),
                    )
                elif now - session[SEEN] >= resolution() and not _passive(request):
                    session[SEEN] = now
        return self.get_response(request)


def _passive(request) -> bool:
    """The page asking how long is left is no activity of the user's."""
    return request.method in ("GET", "HEAD") and request.path_info == reverse("network:session")


@never_cache
@require_http_methods(["GET", "POST"])
def session(request):
    """GET: whether the session is alive, whose it is and how long it has left (not activity). POST:
    activity — the warning's "继续使用", or typing in a page that sent no request. 401 once logged
    out. The CSRF token comes along: a login in another tab changes it, and the page's forms need
    the new one to be sent."""
    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False}, status=401)
    now = time.time()
    if request.method == "POST":
        request.session[SEEN] = now
    idle_left, login_left = _left(request.session, now)
    return JsonResponse(
        {
            "authenticated": True,
            "user": request.user.get_username(),
            "left": max(0, int(min(idle_left, login_left))),
            "renewable": login_left > idle_seconds(),
            "csrf": get_token(request),
        }
    )


@require_safe
def session_back(request):
    """Where a login in a new tab from the logged-out warning lands: back to the first tab."""
    return render(request, "network/session_back.html")
