"""The Content-Security-Policy header on every response (docs/decisions/0044-content-security-policy.md).

django-csp's middleware writes `settings.CONTENT_SECURITY_POLICY`, with one change: it leaves out the
header on a 404 or 500 whenever DEBUG is on, so that Django's technical pages (inline styles and
scripts) still show. Here DEBUG shows the product's own error pages (bangban/errors.py) unless
`BANGBAN_DEBUG_PAGES` asks for Django's; so the header is left out only then, and `make run`'s error
pages are checked as production's are.
"""

from __future__ import annotations

from dataclasses import asdict

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.conf import settings

#: The statuses for which django-csp leaves out the header with DEBUG on.
DEBUG_STATUSES = (404, 500)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        response = super().process_response(request, response)
        if (
            settings.DEBUG
            and not settings.BANGBAN_DEBUG_PAGES
            and response.status_code in DEBUG_STATUSES
            and HEADER not in response
            and not getattr(response, "_csp_exempt", False)
            and not request.path_info.startswith(tuple(_excluded()))
        ):
            policy = build_policy(**asdict(self.get_policy_parts(request, response)))
            if policy:
                response[HEADER] = policy
        return response


def _excluded() -> list[str]:
    return (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get(
        "EXCLUDE_URL_PREFIXES"
    ) or []
