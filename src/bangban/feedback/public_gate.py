"""The gate of rating without logging in, shared by the public page (/pj/<token>/) and the public API
(`POST /api/v1/public/ratings`): the case found by its receipt's token, the last four digits of the
applicant's own phone (`rules.why_phone_may_not_rate`), and the limits (docs/decisions/0049).

The limits are django-ratelimit's, counted in the shared cache like the public case page's
(`portal/throttle.py`, decision 0035): every check of the four digits per client address
(`BANGBAN_CASE_LOOKUP_RATE`), every refused check per token (`BANGBAN_CASE_CODE_FAILURE_RATE`) —
a token that reached it is refused even the right digits until the window is out. The page and the
API count in the same groups, so two doors give no more tries than one. Ratings themselves are
counted per client too (`BANGBAN_RATING_RATE`), generously: a village station's visitors share an address.
"""

from __future__ import annotations

import math
import re
import time

from django.conf import settings
from django_ratelimit.core import get_usage

from bangban.cases.models import Case

from .rules import why_phone_may_not_rate

#: What a token may look like (ours are 43 URL-safe characters); anything else is not looked up.
CASE_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: Page views per client address (reloads, the QR code scanned again): `BANGBAN_RATING_VIEW_RATE`;
#: ratings sent per client address (the page's and the API's together): `BANGBAN_RATING_RATE`.
#: How long the right four digits keep a case open in the visitor's session.
VERIFIED_SECONDS = 30 * 60
SESSION_KEY = "rate_cases"

CLIENT_GROUP = "rate.code.client"
TOKEN_GROUP = "rate.code.token"  # noqa: S105 - a counter's name


def case_of(token: str) -> Case | None:
    """The case whose receipt carries `token`, or None (a malformed token is not looked up)."""
    if not CASE_TOKEN.fullmatch(token or ""):
        return None
    return Case.objects.select_related("applicant", "county").filter(public_token=token).first()


def _minutes(usage: dict | None) -> int:
    return max(1, math.ceil(max(usage["time_left"], 0) / 60)) if usage else 1


def limited(request, group: str, rate: str) -> int | None:
    """Count one more of `group` for the client's address: the minutes to wait when over `rate`."""
    usage = get_usage(request, group, key="ip", rate=rate, increment=True)
    return _minutes(usage) if usage and usage["should_limit"] else None


def _token_key(token: str):
    return lambda group, request: token


def check_code(request, case: Case, code: str) -> tuple[str, int | None]:
    """Whether `code` (four digits) lets the holder of `case`'s receipt rate: ("", None) when it
    does; (the Chinese reason, None) when it does not; ("", minutes) when the client or the token
    has tried too often. A refusal counts against the token."""
    minutes = limited(request, CLIENT_GROUP, settings.BANGBAN_CASE_LOOKUP_RATE)
    if minutes:
        return "", minutes
    failures = {
        "group": TOKEN_GROUP,
        "key": _token_key(case.public_token),
        "rate": settings.BANGBAN_CASE_CODE_FAILURE_RATE,
    }
    usage = get_usage(request, **failures)
    if usage and usage["count"] >= usage["limit"]:
        return "", _minutes(usage)
    problem = why_phone_may_not_rate(case, code)
    if problem:
        get_usage(request, **failures, increment=True)
    return problem, None


def verified(request, case: Case) -> bool:
    until = request.session.get(SESSION_KEY, {}).get(str(case.pk))
    return isinstance(until, int | float) and until > time.time()


def verify(request, case: Case) -> None:
    """Keep `case` open for rating in the visitor's session for VERIFIED_SECONDS (at most ten
    cases; the session key is random, nothing in a URL or a cookie value says "verified")."""
    now = time.time()
    kept = {k: v for k, v in request.session.get(SESSION_KEY, {}).items() if v > now}
    kept[str(case.pk)] = int(now + VERIFIED_SECONDS)
    request.session[SESSION_KEY] = dict(sorted(kept.items(), key=lambda kv: kv[1])[-10:])


def staff_user(request):
    """The logged-in account behind the request (a session, or a bearer token on the API), or
    None: staff never rate on the villager's behalf."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        from bangban.network.api import BearerToken

        return BearerToken().authenticate(request, header[7:].strip())
    return None
