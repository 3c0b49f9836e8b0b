"""The ledger through the API: the list through the ledger's one filter, the search by a whole ID
number or phone (by POST, never in a URL), a case, and its timeline."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query
from ninja.errors import ValidationError

from bangban.kernel.api import Limit, Offset, refuse_unknown_query
from bangban.kernel.errors import ApiError
from bangban.kernel.schemas import MAX_ID, NO_CONTROL, errors

from ..ledger import LedgerFilter, identity_search, page
from ..models import ReadingDay
from ..schemas import (
    CaseListOut,
    CaseOut,
    CaseSearchIn,
    ChannelValue,
    EventListOut,
    KindValue,
    ModeValue,
    SortValue,
    SpecialValue,
    StateValue,
    WarningValue,
)
from ..scope import cases_for, get_case_for
from .common import LEDGER_QUERY, CaseNumber, OptionalId, SortQuery, StateQuery, case_of, router
from .rendering import case_detail, case_summary, detail_cases, user_ref

# --- The ledger ------------------------------------------------------------------------------------


def _filter_errors(form: LedgerFilter, where: str = "query") -> None:
    """The filter's own errors in the one shape at [where, field]: 422 for a value the field
    refuses; 409 ("rule") for a rule across fields the schema cannot say (an end before a start)."""
    items, malformed = [], False
    for field, field_errors in form.errors.as_data().items():
        for error in field_errors:
            if error.code == "identity_in_url":  # a rule, with its own message: where to send it
                raise ApiError(409, [where, field], error.messages[0], error.code)
            malformed = malformed or error.code is not None
            for msg in error.messages:
                items.append({"loc": [where, field], "msg": msg, "type": error.code or "rule"})
    if malformed:
        raise ValidationError(
            [{"loc": i["loc"], "type": i["type"], "msg": i["msg"]} for i in items]
        )
    raise ApiError(409, items[0]["loc"], items[0]["msg"], "rule")


@router.get("/cases", response={200: CaseListOut, **errors(409, 422)}, summary="List cases")
def list_cases(
    request,
    state: list[StateValue] | None = StateQuery,
    point: int | None = Query(
        None, ge=1, le=MAX_ID, description="a point: cases registered or handled there or below"
    ),
    helper: int | None = Query(
        None, ge=1, le=MAX_ID, description="a user: first responsible or handling helper"
    ),
    item: int | None = OptionalId,
    kind: KindValue | None = None,
    mode: ModeValue | None = None,
    channel: ChannelValue | None = None,
    registered_from: dt.date | None = None,
    registered_to: dt.date | None = None,
    completed_from: dt.date | None = None,
    completed_to: dt.date | None = None,
    warning: WarningValue | None = None,
    special: SpecialValue | None = None,
    q: str | None = Query(
        None,
        max_length=50,
        pattern=NO_CONTROL,
        description="a case number or its start, or a part of the applicant's name",
    ),
    sort: SortValue | None = SortQuery,
    limit: int = Limit,
    offset: int = Offset,
):
    """The cases you may see, through the ledger's one filter (the same parameters as the ledger
    page and its export). Paged by `limit`/`offset` without a total: `next_offset` is null on the
    last page. A fixed number of queries whatever the page size."""
    refuse_unknown_query(request, LEDGER_QUERY)
    form = LedgerFilter(request.GET)
    if not form.is_valid():
        _filter_errors(form)
    return _ledger_page(request.auth, form, limit, offset)


def _ledger_page(user, form: LedgerFilter, limit: int, offset: int) -> dict:
    day = ReadingDay.of(timezone.localdate())
    rows, more = page(form.apply(cases_for(user, "view"), day.on), offset, limit)
    return {
        "items": [case_summary(c, day) for c in rows],
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if more else None,
    }


@router.post(
    "/cases/search",
    response={200: CaseListOut, **errors(400, 409, 422)},
    summary="Find cases by a whole ID number or phone",
)
def search_cases(request, payload: CaseSearchIn):
    """The cases you may see of the applicant with this whole ID number (or other document number,
    or credit code), or with this phone as the applicant's or as the case's contact phone (the
    proxy's for 代办), through the ledger's one filter (the other fields: as `GET /cases`). By POST
    so that the number is never in a URL or an access log; it is reduced to its keyed digests and
    not kept. 409 at `["body", "number"]` for a text that is no whole number or phone."""
    refuse_unknown_query(request, set())
    search = identity_search(payload.number)
    if search is None:
        message = _("请输入完整的证件号码、统一社会信用代码或电话号码。")
        raise ApiError(409, ["body", "number"], message, "rule")
    fields = payload.dict(exclude={"number", "limit", "offset"}, exclude_none=True)
    data = {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name, value in fields.items()
    }
    data["digest"] = list(search.digests)
    form = LedgerFilter(data)
    if not form.is_valid():
        _filter_errors(form, "body")
    return _ledger_page(request.auth, form, payload.limit, payload.offset)


@router.get("/cases/{number}", response={200: CaseOut, **errors(404, 422)}, summary="Get a case")
def get_case(request, number: str = CaseNumber):
    """The case with its applicant (masked), materials checklist, authorisation, notices and
    transfers."""
    refuse_unknown_query(request, set())
    try:
        case = get_case_for(request.auth, number, queryset=detail_cases())
    except Http404:
        raise ApiError(404, ["path", "number"], _("办件不存在或无权访问。"), "not_found") from None
    return case_detail(case.number, case)


@router.get(
    "/cases/{number}/events",
    response={200: EventListOut, **errors(404, 422)},
    summary="List a case's events",
)
def list_events(request, number: str = CaseNumber):
    """Every action on the case, oldest first (the timeline): who, when, what, before and after.
    All of them: a case's timeline is short."""
    refuse_unknown_query(request, set())
    case = case_of(request.auth, number)
    events = case.events.select_related("by").order_by("at", "pk")
    items = [
        {
            "id": e.pk,
            "at": e.at,
            "by": user_ref(e.by),
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "data": e.data,
        }
        for e in events
    ]
    return {"items": items, "count": len(items)}
