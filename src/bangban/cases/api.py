"""The case ledger's JSON API: register, list (the ledger's one filter), read, and one POST per action
(see docs/api.md, 办件, and decision 0016).

Thin, like catalog/api.py: validate, ask the gate (`cases.scope`), call an action in
`cases.actions` or a queryset, render. Document numbers and phones are always masked in answers.

Status codes: 401 no or bad token; 403 a case (or point) the caller sees but may not act on, or an
action the workflow table does not give them; 404 missing or not visible (also ids named in a body);
409 well-formed but against a rule of the ledger (`CaseError`, located at the field sent), including
an action the case's state no longer allows because someone else acted first; 422 malformed input.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.errors import ValidationError

from bangban.catalog.scope import items_for
from bangban.kernel.api import Limit, Offset, Status, refuse_unknown_query
from bangban.kernel.errors import ApiError, Forbidden, NotVisible
from bangban.kernel.schemas import MAX_ID, NO_CONTROL, errors
from bangban.network import access
from bangban.network.models import Department, ServicePoint

from . import actions
from .actions import ApplicantData, AuthorisationData, CaseError, NoticeItem, Registration
from .idempotency import idempotent
from .ledger import LedgerFilter, identity_search
from .models import Case, ReadingDay, Transfer, attach_names, clock_of, warning_of
from .schemas import (
    CASE_NUMBER,
    CaseIn,
    CaseListOut,
    CaseOut,
    CaseSearchIn,
    ChannelValue,
    DeclineIn,
    EventListOut,
    ExtendIn,
    KindValue,
    MaterialsIn,
    ModeValue,
    NoticeIn,
    OnIn,
    ProgressIn,
    RefuseIn,
    SortValue,
    SpecialValue,
    StateValue,
    SuspendIn,
    TransferAcceptIn,
    TransferIn,
    WarningValue,
    WithdrawIn,
)
from .scope import cases_for, get_case_for
from .workflow import State

router = Router(tags=["cases"])

CaseNumber = Path(..., max_length=40, pattern=CASE_NUMBER, example="370323-20261125-0042")
TransferId = Path(..., ge=1, le=MAX_ID)
OptionalId = Query(None, ge=1, le=MAX_ID)
StateQuery = Query(None, description="repeatable: cases in any of these states")
SortQuery = Query(None, description="default -registered (newest first)")
#: The query parameters of `GET /cases`: the ledger filter's, but never digests (a search by a
#: whole ID number or phone goes by `POST /cases/search`, decision 0030).
LEDGER_QUERY = {*LedgerFilter.base_fields, "limit", "offset"} - {"digest"}


# --- Rendering -------------------------------------------------------------------------------------


def _user(u) -> dict | None:
    if u is None:
        return None
    return {"id": u.pk, "name": u.get_full_name() or u.username}


def _point(p: ServicePoint | None) -> dict | None:
    return None if p is None else {"id": p.pk, "name": p.name}


def case_summary(case: Case, day: ReadingDay) -> dict:
    """What a ledger row shows (`Case.objects.for_list()`: no query per row), its acceptance day and
    deadlines as they stand `day` (`clock_of`: a case due for deemed acceptance shows the deadlines
    it has by law, before anyone has recorded them)."""
    a = case.applicant
    clock = clock_of(case, day.cutoff)
    return {
        "number": case.number,
        "status": case.status,
        "status_label": str(State(case.status).label),
        "kind": case.kind,
        "mode": case.mode,
        "channel": case.channel,
        "item": {"id": case.item_id, "name": case.revision.name, "revision": case.revision.number},
        "applicant": {"kind": a.kind, "name": a.name, "number_masked": a.number_masked},
        "contact_phone_masked": case.contact_phone_masked,
        "elderly": case.elderly,
        "disabled": case.disabled,
        "registering_point": _point(case.registering_point),
        "handling_point": _point(case.handling_point),
        "responsible": _user(case.responsible),
        "handling_helper": _user(case.handling_helper),
        "registered_on": case.registered_on,
        "received_on": case.received_on,
        "accepted_on": clock.accepted_on,
        "acceptance_deemed": clock.acceptance_deemed,
        "promised_deadline": clock.promised_deadline,
        "promised_provisional": clock.promised_provisional,
        "legal_deadline": clock.legal_deadline,
        "legal_provisional": clock.legal_provisional,
        "suspended_on": case.suspended_on,
        "completed_on": case.completed_on,
        "warning": warning_of(case.status, clock.promised_deadline, day.on, day.near_until) or None,
        "on_time": (
            case.completed_on <= case.promised_deadline
            if case.status == State.COMPLETED and case.promised_deadline
            else None
        ),
    }


def _refusal(case: Case) -> dict | None:
    """Who decided a refusal (不予受理) and its document number (文号); null for any other case."""
    if case.refusal_department_id is None:
        return None
    department = case.refusal_department
    return {
        "department": {"id": department.pk, "name": department.name},
        "document_number": case.refusal_document_number,
    }


def _authorisation(case: Case) -> dict | None:
    try:
        a = case.authorisation
    except Case.authorisation.RelatedObjectDoesNotExist:
        return None
    return {
        "principal": a.principal,
        "scope": a.scope,
        "authorised_on": a.authorised_on,
        "valid_until": a.valid_until,
        "has_scan": bool(a.scan),
    }


def _applicant_detail(a) -> dict:
    """The applicant as a case's answer shows them: masked, never the full number or phone."""
    return {
        "kind": a.kind,
        "name": a.name,
        "number_masked": a.number_masked,
        "document_type": a.document_type,
        "phone_masked": a.phone_masked,
        "disabled": a.disabled,
        "needs": a.needs,
        "legal_representative": a.legal_representative,
        "contact_name": a.contact_name,
    }


def _line_detail(line) -> dict:
    """One line of a case's checklist (with its material read along)."""
    return {
        "id": line.pk,
        "material": line.material_id,
        "position": line.position,
        "name": line.material.name,
        "necessity": line.material.necessity,
        "status": line.status,
        "note": line.note,
        "deferred_until": line.deferred_until,
        "received_on": line.received_on,
    }


def _detail_cases():
    """Cases with what the answer shows beside them in the same row: the applicant, the item as it
    stood (without its guide text or the applicant's encrypted columns) and the authorisation.
    Points and people are read by id afterwards (`case_detail`): joining them too (ten tables) cost
    PostgreSQL more planning than the rest of the answer."""
    return Case.objects.select_related(
        "applicant", "revision", "authorisation", "refusal_department"
    ).defer(
        "revision__guide",
        "applicant__number_encrypted",
        "applicant__birth_on_encrypted",
        "applicant__phone_encrypted",
        "contact_phone_encrypted",
    )


def case_detail(number: str, case: Case | None = None) -> dict:
    """The case page's data: the row, the applicant (masked), the checklist, the authorisation,
    the notices and the transfers. `case`: the case read through `_detail_cases()` already (else it
    is read by number). Six queries whatever the case holds: the case, its transfers, the points
    and the people they name (by id, names only: no password hash), its checklist, its notices."""
    if case is None:
        case = _detail_cases().get(number=number)
    transfers = list(case.transfers.order_by("sent_at", "pk"))
    attach_names(case, transfers)
    out = case_summary(case, ReadingDay.of(timezone.localdate()))
    out["applicant"] = _applicant_detail(case.applicant)
    out.update(
        registered_at=case.registered_at,
        entered_by=_user(case.entered_by),
        closed_at=case.closed_at,
        refusal=_refusal(case),
        materials=[
            _line_detail(line)
            for line in case.materials.select_related("material").order_by("position")
        ],
        authorisation=_authorisation(case),
        notices=[
            {
                "number": n.number,
                "issued_on": n.issued_on,
                "supply_by": n.supply_by,
                "repeated": n.repeated,
                "repeat_reason": n.repeat_reason,
                "within_window": n.within_window,
            }
            for n in case.notices.order_by("issued_at", "pk")
        ],
        transfers=[
            {
                "id": t.pk,
                "from_point": _point(t.from_point),
                "to_point": _point(t.to_point),
                "to_helper": _user(t.to_helper),
                "direction": t.direction,
                "reason": t.reason,
                "sent_on": t.sent_on,
                "status": t.status,
                "answered_on": t.answered_on,
                "decline_reason": t.decline_reason,
                "suggested_point": _point(t.suggested_point),
                "escalated": t.escalated_at is not None,
            }
            for t in transfers
        ],
    )
    return out


# --- Scope -----------------------------------------------------------------------------------------


def _case(user, number: str, action: access.Action = "view") -> Case:
    """The case if the caller may `action` it: 404 when missing or not visible; for "act", 403 when
    the caller sees it but acts nowhere it is (a supervisor)."""
    try:
        return get_case_for(user, number, action)
    except Http404:
        if action != "view" and cases_for(user, "view").filter(number=number).exists():
            raise Forbidden(["path", "number"], _("您无权办理该办件。")) from None
        raise ApiError(404, ["path", "number"], _("办件不存在或无权访问。"), "not_found") from None


def _transfer(user, transfer_id: int) -> Transfer:
    """A transfer of a case the caller sees (the receiving point sees it while it is pending)."""
    transfer = (
        Transfer.objects.filter(pk=transfer_id, case__in=cases_for(user, "view"))
        .select_related("case")
        .first()
    )
    if transfer is None:
        raise ApiError(404, ["path", "transfer_id"], _("转办不存在或无权访问。"), "not_found")
    return transfer


def _any_point(pk: int | None, field: str) -> ServicePoint | None:
    """A point named in a body as a destination: any point of the deployment (the linkage
    directory lists them all), 404 when there is none."""
    if pk is None:
        return None
    point = ServicePoint.objects.filter(pk=pk).first()
    if point is None:
        raise NotVisible(field, _("服务点"))
    return point


def _any_user(pk: int | None, field: str, what: str):
    if pk is None:
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise NotVisible(field, what)
    return user


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
        None, max_length=50, pattern=NO_CONTROL, description="a case number or its start, or name"
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
    rows, more = form.apply(cases_for(user, "view"), day.on).page(offset, limit)
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
        case = get_case_for(request.auth, number, queryset=_detail_cases())
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
    case = _case(request.auth, number)
    events = case.events.select_related("by").order_by("at", "pk")
    items = [
        {
            "id": e.pk,
            "at": e.at,
            "by": _user(e.by),
            "action": e.action,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "data": e.data,
        }
        for e in events
    ]
    return {"items": items, "count": len(items)}


# --- Registration ----------------------------------------------------------------------------------


def _scan(payload) -> ContentFile | None:
    if payload is None:
        return None
    try:
        content = base64.b64decode(payload.content_base64, validate=True)
    except (binascii.Error, ValueError):  # pragma: no cover - the schema's pattern refuses it
        raise ValidationError(
            [{"loc": ["body", "authorisation", "scan", "content_base64"], "type": "value_error"}]
        ) from None
    # Stored under a short name of our own (the column holds 100 characters with its folders).
    extension = payload.filename.rsplit(".", 1)[1].lower()
    return ContentFile(content, name=f"authorisation.{extension}")


def _registered_detail(case: Case) -> dict:
    """`case_detail` of a case `actions.register_case` has just written, from the objects it holds
    (no query): a new case has no deadline — unless it was registered deemed accepted —, no
    notices and no transfers, an authorisation only as a 代办 case, and the checklist it has just
    built."""
    out = case_summary(case, ReadingDay.of(timezone.localdate()))
    out["applicant"] = _applicant_detail(case.applicant)
    out.update(
        registered_at=case.registered_at,
        entered_by=_user(case.entered_by),
        closed_at=case.closed_at,
        refusal=None,
        materials=[
            _line_detail(line)
            for line in sorted(case.registered_materials, key=lambda line: line.position)
        ],
        authorisation=_authorisation(case) if case.kind == Case.Kind.PROXY else None,
        notices=[],
        transfers=[],
    )
    return out


@router.post(
    "/cases",
    response={201: CaseOut, **errors(400, 403, 404, 409, 422)},
    summary="Register a case",
)
@idempotent
def register_case(request, payload: CaseIn):
    """登记: a matter at `point` (a point you act at). The item is told as its current revision
    stands today; 409 names every rule broken at once, each at its field (an ID number's check
    digit, a phone, a mode the item does not support, a first responsible helper who does not
    serve at the point or is not qualified, a proxy case without its authorisation)."""
    user = request.auth
    try:
        point = access.get_point_for(
            user, payload.point, "act", ServicePoint.objects.select_related("county")
        )
    except Http404:
        if access.points_for(user, "view").filter(pk=payload.point).exists():
            raise Forbidden(["body", "point"], _("您不能在该服务点登记办件。")) from None
        raise NotVisible("point", _("服务点")) from None
    # With its current revision: `actions.register_case` checks this object as it is.
    item = items_for(user, "view").select_related("current").filter(pk=payload.item).first()
    if item is None:
        raise NotVisible("item", _("事项"))
    responsible = (
        user
        if payload.responsible is None
        else _any_user(payload.responsible, "responsible", _("首问负责人"))
    )
    a = payload.applicant
    document_type = a.document_type or (
        "credit_code" if a.kind == "organisation" else "resident_id"
    )
    authorisation = None
    if payload.authorisation is not None:
        p = payload.authorisation
        authorisation = AuthorisationData(
            principal=p.principal,
            scope=p.scope,
            authorised_on=p.authorised_on,
            valid_until=p.valid_until,
            scan=_scan(p.scan),
        )
    case = actions.register_case(
        point,
        registration=Registration(
            applicant=ApplicantData(
                kind=a.kind,
                name=a.name,
                document_type=document_type,
                number=a.number,
                phone=a.phone,
                birth_on=a.birth_on,
                disabled=a.disabled,
                needs=a.needs,
                legal_representative=a.legal_representative,
                contact_name=a.contact_name,
            ),
            item=item,
            kind=payload.kind,
            mode=payload.mode,
            channel=payload.channel,
            received_on=(
                dt.date.fromisoformat(payload.received_on)
                if payload.received_on
                else timezone.localdate()
            ),
            responsible=responsible,
            contact_phone=payload.contact_phone,
            authorisation=authorisation,
        ),
        by=user,
    )
    return Status(201, _registered_detail(case))


# --- Actions ---------------------------------------------------------------------------------------

ACTION_ERRORS = {200: CaseOut, **errors(400, 403, 404, 409, 422)}


def _act(request, number: str) -> Case:
    return _case(request.auth, number, "act")


@router.post("/cases/{number}/notice", response=ACTION_ERRORS, summary="Issue a one-time notice")
@idempotent
def issue_notice(request, payload: NoticeIn, number: str = CaseNumber):
    """一次性告知: every missing or wrong material (checklist lines) with the reason, and the day to
    supply them by; a second notice needs `repeat_reason` (重复告知). The answer's `notices` holds the
    new notice's number."""
    case = _act(request, number)
    actions.issue_notice(
        case,
        items=[NoticeItem(line_id=i.line, reason=i.reason, note=i.note) for i in payload.items],
        supply_by=payload.supply_by,
        repeat_reason=payload.repeat_reason,
        by=request.auth,
    )
    return case_detail(case.number)


@router.post(
    "/cases/{number}/materials-received", response=ACTION_ERRORS, summary="Record materials"
)
@idempotent
def materials_received(request, payload: MaterialsIn, number: str = CaseNumber):
    """收取材料: the status of checklist lines (received, missing, wrong, deferred 容缺后补,
    not_needed …) before acceptance, and the day those received were (`received_on`, default today;
    not before the case's day of receipt); a deferred material needs `deferred_until` and the
    applicant's written `commitment`. After acceptance only a deferred material's arrival
    (→ received)."""
    case = _act(request, number)
    lines = dict(case.materials.values_list("pk", "material_id"))
    unknown = {
        f"materials.{n}.line": _("不是本办件的材料。")
        for n, m in enumerate(payload.materials, start=1)
        if m.line not in lines
    }
    if unknown:
        raise CaseError(unknown)
    statuses = {lines[m.line]: m.status for m in payload.materials}
    actions.set_material_status(
        case,
        statuses=statuses,
        by=request.auth,
        deferred_until=(
            dt.date.fromisoformat(payload.deferred_until) if payload.deferred_until else None
        ),
        commitment=payload.commitment,
        received_on=(dt.date.fromisoformat(payload.received_on) if payload.received_on else None),
    )
    return case_detail(case.number)


@router.post("/cases/{number}/accept", response=ACTION_ERRORS, summary="Accept a case (受理)")
@idempotent
def accept_case(request, number: str = CaseNumber, payload: OnIn | None = None):
    """受理: the materials are complete (those 容缺后补 may be deferred); the deadlines count from
    `on` (default today; not before the day the last required material was received), or from the
    day of receipt for a case already deemed accepted."""
    case = _act(request, number)
    actions.accept_case(case, by=request.auth, on=payload.on if payload else None)
    return case_detail(case.number)


@router.post("/cases/{number}/refuse", response=ACTION_ERRORS, summary="Refuse a case (不予受理)")
@idempotent
def refuse_case(request, payload: RefuseIn, number: str = CaseNumber):
    """不予受理: the competent department's decision (`department`, one of the case's county; default
    the item's department) with its document number (文号), the reason and its legal basis; you
    record it as the helper who handled the case (a dated, numbered written refusal)."""
    case = _act(request, number)
    department = None
    if payload.department is not None:
        department = Department.objects.filter(pk=payload.department).first()
        if department is None:
            raise NotVisible("department", _("部门"))
    actions.refuse_case(
        case,
        by=request.auth,
        reason=payload.reason,
        document_number=payload.document_number,
        department=department,
        legal_basis=payload.legal_basis,
    )
    return case_detail(case.number)


@router.post("/cases/{number}/suspend", response=ACTION_ERRORS, summary="Suspend a case")
@idempotent
def suspend_case(request, payload: SuspendIn, number: str = CaseNumber):
    """中止: stop the clock from `on` (default today)."""
    case = _act(request, number)
    actions.suspend_case(case, by=request.auth, reason=payload.reason, on=payload.on)
    return case_detail(case.number)


@router.post("/cases/{number}/resume", response=ACTION_ERRORS, summary="Resume a case")
@idempotent
def resume_case(request, number: str = CaseNumber, payload: OnIn | None = None):
    """恢复: restart the clock on `on` (default today); both deadlines move by the working days
    suspended."""
    case = _act(request, number)
    actions.resume_case(case, by=request.auth, on=payload.on if payload else None)
    return case_detail(case.number)


@router.post("/cases/{number}/extend", response=ACTION_ERRORS, summary="Extend a deadline")
@idempotent
def extend_case(request, payload: ExtendIn, number: str = CaseNumber):
    """延长: approved working days added to the promised deadline."""
    case = _act(request, number)
    actions.extend_case(
        case,
        by=request.auth,
        working_days=payload.working_days,
        reason=payload.reason,
        approver=payload.approver,
    )
    return case_detail(case.number)


@router.post("/cases/{number}/transfer", response=ACTION_ERRORS, summary="Transfer a case")
@idempotent
def transfer_case(request, payload: TransferIn, number: str = CaseNumber):
    """转办 to another point (any point of the linkage directory), optionally to a named helper
    there. The case stays where it is until the receiving point answers; the answer's `transfers`
    holds the new transfer's id."""
    case = _act(request, number)
    to_point = _any_point(payload.to_point, "to_point")
    to_helper = _any_user(payload.to_helper, "to_helper", _("接收人"))
    actions.transfer_case(
        case, to_point=to_point, to_helper=to_helper, reason=payload.reason, by=request.auth
    )
    return case_detail(case.number)


@router.post("/cases/{number}/progress", response=ACTION_ERRORS, summary="Record progress")
@idempotent
def record_progress(request, payload: ProgressIn, number: str = CaseNumber):
    """进度反馈: a note on the timeline, texted to the applicant unless `tell_applicant` is false.
    The first responsible helper may give it wherever the case is handled."""
    case = _case(request.auth, number, "view")  # the action itself says who may (403 otherwise)
    actions.record_progress(
        case, by=request.auth, text=payload.text, tell_applicant=payload.tell_applicant
    )
    return case_detail(case.number)


@router.post("/cases/{number}/complete", response=ACTION_ERRORS, summary="Complete a case")
@idempotent
def complete_case(request, number: str = CaseNumber, payload: OnIn | None = None):
    """办结 on `on` (default today); not while a 容缺后补 material is outstanding."""
    case = _act(request, number)
    actions.complete_case(case, by=request.auth, on=payload.on if payload else None)
    return case_detail(case.number)


@router.post("/cases/{number}/withdraw", response=ACTION_ERRORS, summary="Withdraw a case")
@idempotent
def withdraw_case(request, payload: WithdrawIn, number: str = CaseNumber):
    """撤回: the applicant withdraws the matter (the handling point or the first responsible
    helper records it)."""
    case = _case(request.auth, number, "view")  # the action itself says who may (403 otherwise)
    actions.withdraw_case(case, by=request.auth, reason=payload.reason)
    return case_detail(case.number)


# --- Transfers -------------------------------------------------------------------------------------


@router.post(
    "/transfers/{transfer_id}/accept",
    response={200: CaseOut, **errors(400, 403, 404, 409, 422)},
    summary="Accept a transfer",
)
@idempotent
def accept_transfer(
    request, transfer_id: int = TransferId, payload: TransferAcceptIn | None = None
):
    """接收转办 (the receiving point): it becomes the handling point, and `handling_helper` (default:
    the helper the transfer named, else you when you serve there) handles the case — a helper of
    the point, qualified today. The second of two answers gets 409."""
    transfer = _transfer(request.auth, transfer_id)
    helper = _any_user(payload.handling_helper if payload else None, "handling_helper", _("承办人"))
    case = actions.accept_transfer(transfer, by=request.auth, handling_helper=helper)
    return case_detail(case.number)


@router.post(
    "/transfers/{transfer_id}/decline",
    response={200: CaseOut, **errors(400, 403, 404, 409, 422)},
    summary="Decline a transfer",
)
@idempotent
def decline_transfer(request, payload: DeclineIn, transfer_id: int = TransferId):
    """退回转办 (the receiving point), with a reason and, if known, a better point."""
    transfer = _transfer(request.auth, transfer_id)
    suggested = _any_point(payload.suggested_point, "suggested_point")
    actions.decline_transfer(
        transfer, by=request.auth, reason=payload.reason, suggested_point=suggested
    )
    return case_detail(transfer.case.number)
