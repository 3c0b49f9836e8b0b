"""The staff JSON API: helpers (profiles, qualification), trainings (organisers, sessions), the
linkage directory (the one exception to scope: directory fields only) and compliance (达标情况).
Thin, like the network's API (`network.api`): validate, ask the gate, call an action or a queryset, render. See
docs/api.md.

Status codes: 401 no or bad token; 403 visible but not allowed; 404 missing or not visible (also for
ids named in a body); 409 well-formed but against a staff rule (`StaffError`); 422 malformed input.
"""

# The endpoint modules register their routes on the one router in the order they are imported here,
# which is the OpenAPI document's order: keep it.
# isort: off
from .common import router
from . import helpers, organisers, trainings, directory, compliance  # noqa: F401
# isort: on

__all__ = ["router"]
