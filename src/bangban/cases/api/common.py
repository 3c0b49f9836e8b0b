"""The case API's router and what its operations share: the path and query parameters and the
gate's refusals in the API's shape (404 for what the caller does not see, 403 for what they may not do)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from bangban.kernel.errors import ApiError, Forbidden, NotVisible
from bangban.kernel.schemas import MAX_ID
from bangban.network import access
from bangban.network.models import ServicePoint

from ..ledger import LedgerFilter
from ..models import Case, Transfer
from ..schemas import CASE_NUMBER
from ..scope import cases_for, get_case_for

router = Router(tags=["cases"])

CaseNumber = Path(..., max_length=40, pattern=CASE_NUMBER, example="370323-20261125-0042")
TransferId = Path(..., ge=1, le=MAX_ID)
OptionalId = Query(None, ge=1, le=MAX_ID)
StateQuery = Query(None, description="repeatable: cases in any of these states")
SortQuery = Query(
    None, description="default -registered (newest first), or -completed with a completion range"
)
#: The query parameters of `GET /cases`: the ledger filter's, but never digests (a search by a
#: whole ID number or phone goes by `POST /cases/search`, decision 0030).
LEDGER_QUERY = {*LedgerFilter.base_fields, "limit", "offset"} - {"digest"}


# --- Scope -----------------------------------------------------------------------------------------


def case_of(user, number: str, action: access.Action = "view") -> Case:
    """The case if the caller may `action` it: 404 when missing or not visible; for "act", 403 when
    the caller sees it but acts nowhere it is (a supervisor)."""
    try:
        return get_case_for(user, number, action)
    except Http404:
        if action != "view" and cases_for(user, "view").filter(number=number).exists():
            raise Forbidden(["path", "number"], _("您无权办理该办件。")) from None
        raise ApiError(404, ["path", "number"], _("办件不存在或无权访问。"), "not_found") from None


def transfer_of(user, transfer_id: int) -> Transfer:
    """A transfer of a case the caller sees (the receiving point sees it while it is pending)."""
    transfer = (
        Transfer.objects.filter(pk=transfer_id, case__in=cases_for(user, "view"))
        .select_related("case")
        .first()
    )
    if transfer is None:
        raise ApiError(404, ["path", "transfer_id"], _("转办不存在或无权访问。"), "not_found")
    return transfer


def any_point(pk: int | None, field: str) -> ServicePoint | None:
    """A point named in a body as a destination: any point of the deployment (the linkage
    directory lists them all), 404 when there is none."""
    if pk is None:
        return None
    point = ServicePoint.objects.filter(pk=pk).first()
    if point is None:
        raise NotVisible(field, _("服务点"))
    return point


def any_user(pk: int | None, field: str, what: str):
    if pk is None:
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise NotVisible(field, what)
    return user
