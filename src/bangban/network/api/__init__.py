"""The network's JSON API: tokens, points, regions, departments and partner organisations, accounts,
equipment. Thin: validate, ask the gate, call an action or a queryset, render. See docs/api.md.

Status codes: 401 no or bad token; 403 visible but not allowed; 404 missing or not visible (the gate
makes them look the same, also for ids named in a body); 409 well-formed but against a rule of the
network (`NetworkError`); 422 malformed input; 429 login locked out.

`auth` issues and checks tokens (`auth_router`, `BearerToken`); `base` holds `router` and the
lookups the endpoints share; `points`, `units` and `equipment` add their endpoints to `router`.
"""

from __future__ import annotations

# isort: off
from . import points, units, equipment  # noqa: F401 - their endpoints join `router`, in this order

# isort: on
from .auth import BearerToken, auth_router, digest
from .base import point_out, router

__all__ = ["BearerToken", "auth_router", "digest", "point_out", "router"]
