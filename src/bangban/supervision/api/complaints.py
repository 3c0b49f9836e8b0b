"""Complaints and requests through the API (docs/api.md "投诉举报"): the list (what the caller must act
on, or all they see, by state, source, kind, category, point and period) with today's card, one
complaint with its timeline and rectification, a complaint recorded by staff (`scope.may_record`),
and one POST per action of the table (`supervision.workflow.COMPLAINT`). Scoped by
`supervision.scope` (404 for what the caller does not see); a rule refused is the action's
`SupervisionError` — 409 at the field, 403 when only who acts is wrong — through the one handler.
The complainant's phone is a mask everywhere but `reveal-phone` (the handler only, logged)."""

from __future__ import annotations

import datetime as dt
import enum

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Schema

from bangban.cases.idempotency import idempotent
from bangban.cases.models import Case
from bangban.cases.schemas import CASE_NUMBER
from bangban.cases.scope import get_case_for
from bangban.feedback import warnings as rect_warnings
from bangban.feedback.scope import get_rating_for
from bangban.kernel.api import Limit, Offset, Status, refuse_unknown_query
from bangban.kernel.errors import ApiError, Forbidden, NotVisible
from bangban.kernel.schemas import MAX_ID, Day, Id, Input, errors, text
from bangban.network import access
from bangban.network.models import Region, Role, ServicePoint, path_under

from .. import actions, rules, workflow
from ..events import Kind as EventKind
from ..models import Category, Complaint, Kind, Source
from ..scope import complaints_for, get_complaint_for, may_record
from .common import router

ComplaintId = Path(..., ge=1, le=MAX_ID)
FromQuery = Query(None, alias="from", description="received on or after (YYYY-MM-DD)")
ToQuery = Query(None, alias="to", description="received on or before (YYYY-MM-DD)")
StatusQuery = Query(None, description="repeatable: in any of these states")
LIST_QUERY = {
    "show",
    "status",
    "source",
    "kind",
    "category",
    "point",
    "warning",
    "from",
    "to",
    "limit",
    "offset",
}
RELATED = ("point", "town", "helper", "case", "rectification")
#: What staff may record here: the hotline's own tickets come through the adapter, a 12345 ticket
#: typed in is for when the adapter is off; a letter to the mailbox on paper; a window complaint;
#: a bad review escalated. Inspections open their findings themselves.
RECORDED_SOURCES = "^(hotline|mailbox|window|rating)$"
#: A long text: a newline or tab allowed, no other control character.
LONG_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _choices(choices) -> str:
    return f"^({'|'.join(choices.values)})$"


def _query_enum(name: str, choices) -> type[enum.Enum]:
    """`choices` as a query parameter's enum under a name of its own: the OpenAPI document names
    an enum's schema after its class, and `Step`, `Kind` are other apps' enums' names too."""
    return enum.Enum(name, {value: value for value in choices.values}, type=str)


ComplaintStatus = _query_enum("ComplaintStatus", workflow.Step)
ComplaintSource = _query_enum("ComplaintSource", Source)
ComplaintKind = _query_enum("ComplaintKind", Kind)
ComplaintCategory = _query_enum("ComplaintCategory", Category)


# --- Schemas ----------------------------------------------------------------------------------------


class ComplaintRef(Schema):
    id: int
    name: str


class ComplaintRectificationRef(Schema):
    id: int
    status: str
    status_label: str
    due: dt.date
    #: "red", "yellow" or "" today (`feedback.warnings.card_of`).
    warning: str
    outcome: str
    closed_on: dt.date | None


class ComplaintOut(Schema):
    id: int
    number: str = Field(description="the hotline's ticket number, or ours (TS…)")
    source: str
    source_label: str
    ticket_no: str
    kind: str
    kind_label: str
    category: str
    category_label: str
    title: str
    status: str
    status_label: str
    level: str = Field(description="town | bureau: who handles it")
    town: ComplaintRef | None
    point: ComplaintRef | None
    helper: ComplaintRef | None
    case: str | None = Field(description="the linked case's number")
    confidential: bool = Field(description="a 举报 or fee complaint: the bureau's alone")
    anonymous: bool
    phone_masked: str = Field(description="the complainant's phone, masked (138****1234)")
    received_on: dt.date
    due: dt.date
    return_due: dt.date
    #: "red", "yellow" or "" today (`rules.card_of`).
    warning: str
    extension: str
    extension_days: int
    signed_on: dt.date | None
    returned_on: dt.date | None
    answered_on: dt.date | None
    upheld: bool | None
    on_time: bool | None = Field(description="answered (or returned) within its limit; null: open")
    rectification: ComplaintRectificationRef | None


class ComplaintListOut(Schema):
    items: list[ComplaintOut]
    count: int


class ComplaintEventOut(Schema):
    action: str
    action_label: str
    from_status: str
    to_status: str
    by: str | None
    at: dt.datetime


class ComplaintDetailOut(ComplaintOut):
    content: str
    complainant_name: str
    platform_due_at: dt.datetime | None
    extension_reason: str
    return_reason: str
    answer: str
    rating: int | None = Field(description="the bad review escalated, if any")
    events: list[ComplaintEventOut]
    #: What the caller may do now (the table's answer: the same the actions check).
    permitted: list[str]
    may_reveal_phone: bool


class PhoneOut(Schema):
    phone: str


def _ref(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def _user(user) -> str | None:
    return None if user is None else (user.get_full_name() or user.get_username())


def _helper(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": _user(user)}


def _rectification(rect, today: dt.date, near_until: dt.date) -> dict | None:
    if rect is None:
        return None
    return {
        "id": rect.pk,
        "status": rect.status,
        "status_label": rect.get_status_display(),
        "due": rect.due,
        "warning": rect_warnings.card_of(rect, today, near_until),
        "outcome": rect.outcome,
        "closed_on": rect.closed_on,
    }


def _summary(c: Complaint, today: dt.date, near_until: dt.date) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "source": c.source,
        "source_label": c.get_source_display(),
        "ticket_no": c.ticket_no,
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "category": c.category,
        "category_label": c.get_category_display(),
        "title": c.title,
        "status": c.status,
        "status_label": c.get_status_display(),
        "level": c.level,
        "town": _ref(c.town),
        "point": _ref(c.point),
        "helper": _helper(c.helper),
        "case": None if c.case is None else c.case.number,
        "confidential": c.confidential,
        "anonymous": c.anonymous,
        "phone_masked": c.phone_masked,
        "received_on": c.received_on,
        "due": c.due,
        "return_due": c.return_due,
        "warning": rules.card_of(c, today, near_until),
        "extension": c.extension,
        "extension_days": c.extension_days,
        "signed_on": c.signed_on,
        "returned_on": c.returned_on,
        "answered_on": c.answered_on,
        "upheld": c.upheld,
        "on_time": rules.on_time(c),
        "rectification": _rectification(c.rectification, today, near_until),
    }


def complaint_detail(user, pk: int) -> dict:
    """One complaint as `user` sees it (read afresh after an action)."""
    c = Complaint.objects.select_related(*RELATED).get(pk=pk)
    today = timezone.localdate()
    events = c.events.select_related("by").order_by("at", "pk")
    labels = dict(EventKind.choices)
    permitted = [t.action for t in workflow.permitted(c, user)]
    permitted += [
        t.action
        for t in workflow.permitted(c, user, actions=("approve_extension", "refuse_extension"))
    ]
    return {
        **_summary(c, today, rect_warnings.next_working_day(today)),
        "content": c.content,
        "complainant_name": c.complainant_name,
        "platform_due_at": c.platform_due_at,
        "extension_reason": c.extension_reason,
        "return_reason": c.return_reason,
        "answer": c.answer,
        "rating": c.rating_id,
        "events": [
            {
                "action": e.action,
                "action_label": str(labels.get(e.action, e.action)),
                "from_status": e.from_status,
                "to_status": e.to_status,
                "by": _user(e.by),
                "at": e.at,
            }
            for e in events
        ],
        "permitted": permitted,
        "may_reveal_phone": bool(c.phone_encrypted)
        and workflow.COMPLAINT.relations(c, user).any_of(["handler"]),
    }


def complaint_of(user, pk: int) -> Complaint:
    try:
        return get_complaint_for(user, pk)
    except Http404:
        raise ApiError(404, ["path", "id"], _("诉求不存在或无权访问。"), "not_found") from None


def _case(user, number: str | None) -> Case | None:
    """A case named by its number in a body, only if the caller sees it (`cases.scope`)."""
    if number is None:
        return None
    try:
        return get_case_for(user, number)
    except Http404:
        raise NotVisible("case", _("办件")) from None


def _point(county: Region, pk: int | None) -> ServicePoint | None:
    """A point named in a body: any point of the complaint's county (the directory is public)."""
    if pk is None:
        return None
    point = ServicePoint.objects.filter(pk=pk, county_id=county.pk).first()
    if point is None:
        raise NotVisible("point", _("服务点"))
    return point


def _person(pk: int | None):
    if pk is None:
        return None
    user = get_user_model().objects.filter(pk=pk).first()
    if user is None:
        raise NotVisible("helper", _("人员"))
    return user


# --- Reads ------------------------------------------------------------------------------------------


@router.get(
    "/complaints",
    response={200: ComplaintListOut, **errors(404, 422)},
    summary="List complaints and requests",
)
def list_complaints(
    request,
    show: str | None = Query(None, pattern="^(mine|all)$", description="mine: what I must act on"),
    status: list[ComplaintStatus] | None = StatusQuery,
    source: ComplaintSource | None = None,
    kind: ComplaintKind | None = None,
    category: ComplaintCategory | None = None,
    point: int | None = Query(None, ge=1, le=MAX_ID, description="about this point or below it"),
    warning: str | None = Query(None, pattern="^(red|yellow)$"),
    received_from: Day | None = FromQuery,
    received_to: Day | None = ToQuery,
    limit: int = Limit,
    offset: int = Offset,
):
    """投诉举报、咨询求助 the caller may see, newest first, with today's yellow or red card and the
    complainant's phone masked; `show=mine` is what the caller must act on now (open, and theirs
    to handle)."""
    refuse_unknown_query(request, LIST_QUERY)
    user = request.auth
    today = timezone.localdate()
    qs = complaints_for(user)
    if show == "mine":
        qs = qs.filter(workflow.to_act_on_q(user))
    if status:
        qs = qs.filter(status__in=[s.value for s in status])
    if source:
        qs = qs.filter(source=source.value)
    if kind:
        qs = qs.filter(kind=kind.value)
    if category:
        qs = qs.filter(category=category.value)
    if point is not None:
        found = ServicePoint.objects.filter(pk=point).first()
        if found is None:
            raise ApiError(404, ["query", "point"], _("服务点不存在或无权访问。"), "not_found")
        qs = qs.filter(path_under("point_path", found.subtree_prefix))
    if warning:
        qs = qs.filter(rules.warning_q(warning, today))
    if received_from is not None:
        qs = qs.filter(received_on__gte=received_from)
    if received_to is not None:
        qs = qs.filter(received_on__lte=received_to)
    near_until = rect_warnings.next_working_day(today)
    page = qs.select_related(*RELATED).order_by("-received_on", "-pk")[offset : offset + limit]
    return {
        "items": [_summary(c, today, near_until) for c in page],
        "count": qs.count(),
    }


@router.get(
    "/complaints/{id}",
    response={200: ComplaintDetailOut, **errors(404, 422)},
    summary="A complaint or request",
)
def get_complaint(request, id: int = ComplaintId):  # noqa: A002 - the path's name
    """One complaint: what was said, the masked phone, its limits and card, the timeline, its
    rectification's state and `permitted`, what the caller may do now."""
    refuse_unknown_query(request, set())
    c = complaint_of(request.auth, id)
    return complaint_detail(request.auth, c.pk)


# --- Recording --------------------------------------------------------------------------------------


class ComplaintIn(Input):
    source: text(12, pattern=RECORDED_SOURCES) = Field(
        description="hotline (a ticket typed in) | mailbox (a letter) | window | rating"
    )
    ticket_no: text(64) = Field("", description="the 12345 ticket number (hotline only)")
    kind: text(12, pattern=_choices(Kind)) = Field(
        description="consult | help | complaint | report | suggestion"
    )
    category: text(12, pattern=_choices(Category)) = Category.OTHER.value
    title: text(100, min_length=1)
    content: text(4000, min_length=1, pattern=LONG_TEXT)
    received_on: Day | None = Field(
        None, description="the day dispatched or received; default today"
    )
    anonymous: bool = False
    name: text(50) = ""
    phone: text(30) = ""
    point: Id | None = Field(None, description="the point it is about")
    helper: Id | None = Field(None, description="the person it is about (working at `point`)")
    case: text(40, pattern=CASE_NUMBER) | None = Field(None, description="a case's number")
    rating: Id | None = Field(None, description="the bad review escalated (source rating)")


@router.post(
    "/complaints",
    response={201: ComplaintDetailOut, **errors(400, 403, 404, 409, 422)},
    summary="Record a complaint or request",
)
@idempotent
def record_complaint(request, payload: ComplaintIn):
    """登记诉求, by the county's region administrators (any point) or a town administrator (the
    points of their town). Routed to its handler: a 举报 or fee complaint goes to the bureau,
    confidential — a town that records one sees it no more after this answer. A bad review
    escalated (`rating`, one the caller sees) is about its point, person and case unless the body
    names them."""
    user = request.auth
    rating = None
    if payload.rating is not None:
        try:
            rating = get_rating_for(user, payload.rating)
        except Http404:
            raise NotVisible("rating", _("评价")) from None
    point_id = payload.point if payload.point is not None or rating is None else rating.point_id
    county = _county_of(user, point_id)
    point = _point(county, point_id)
    if not may_record(user, county, point):
        raise Forbidden(["body", "point"], _("您不能登记该服务点的诉求。"))
    complaint = actions.receive(
        county=county,
        source=payload.source,
        kind=payload.kind,
        category=payload.category,
        title=payload.title,
        content=payload.content,
        received_on=payload.received_on,
        ticket_no=payload.ticket_no,
        anonymous=payload.anonymous,
        name=payload.name,
        phone=payload.phone,
        point=point,
        helper=_person(payload.helper),
        case=_case(user, payload.case),
        rating=rating,
        by=user,
    )
    return Status(201, complaint_detail(user, complaint.pk))


def _county_of(user, point_id: int | None) -> Region:
    """The county a complaint is recorded in: the point's, or — naming no point — the caller's
    county as its region administrator."""
    if point_id is not None:
        point = ServicePoint.objects.select_related("county").filter(pk=point_id).first()
        if point is None:
            raise NotVisible("point", _("服务点"))
        return point.county
    counties = {
        m.region_id
        for m in access.memberships(user)
        if m.role == Role.REGION_ADMIN and m.region.level == Region.Level.COUNTY
    }
    if len(counties) != 1:
        raise Forbidden(
            ["body", "point"], _("请选择被投诉的服务点；未指明服务点的诉求由县局登记。")
        )
    return Region.objects.get(pk=counties.pop())


# --- Actions ----------------------------------------------------------------------------------------

ACTION = {200: ComplaintDetailOut, **errors(400, 403, 404, 409, 422)}


class ComplaintLinkIn(Input):
    point: Id | None = None
    helper: Id | None = None
    case: text(40, pattern=CASE_NUMBER) | None = Field(None, description="a case's number")


class ComplaintReturnIn(Input):
    reason: text(500, min_length=1)


class ComplaintExtensionIn(Input):
    days: int = Field(ge=1, le=rules.EXTENSION_MAX, description="working days more, 1–10")
    reason: text(500, min_length=1)


class ComplaintExtensionDecisionIn(Input):
    approve: bool
    note: text(500) = ""


class ComplaintToCaseIn(Input):
    case: text(40, pattern=CASE_NUMBER) = Field(description="the case registered for it")


class ComplaintAnswerIn(Input):
    text: text(2000, min_length=1, pattern=LONG_TEXT)
    upheld: bool | None = Field(
        None, description="情况属实 (a 投诉/举报 takes its rectification's verification instead)"
    )


def _done(request, complaint) -> dict:
    return complaint_detail(request.auth, complaint.pk)


@router.post("/complaints/{id}/sign", response=ACTION, summary="Sign for a complaint")
@idempotent
def sign(request, id: int = ComplaintId):  # noqa: A002
    """签收, by its handler; a 投诉/举报's rectification is opened now (it must name its point)."""
    c = complaint_of(request.auth, id)
    actions.sign(c, by=request.auth)
    return _done(request, c)


@router.post("/complaints/{id}/link", response=ACTION, summary="Link a case, point and person")
@idempotent
def link(request, payload: ComplaintLinkIn, id: int = ComplaintId):  # noqa: A002
    """关联: the case (by number, one the caller sees), the point and the person it is about; each
    kept when not given. Before it is signed for, its handler follows the point."""
    c = complaint_of(request.auth, id)
    actions.link(
        c,
        by=request.auth,
        point=_point(c.county, payload.point),
        helper=_person(payload.helper),
        case=_case(request.auth, payload.case),
    )
    return _done(request, c)


@router.post("/complaints/{id}/return", response=ACTION, summary="Return a 12345 ticket")
@idempotent
def return_ticket(request, payload: ComplaintReturnIn, id: int = ComplaintId):  # noqa: A002
    """退回: a 12345 ticket that is not ours, within 2 working days of its dispatch, with why."""
    c = complaint_of(request.auth, id)
    actions.return_ticket(c, reason=payload.reason, by=request.auth)
    return _done(request, c)


@router.post("/complaints/{id}/extension", response=ACTION, summary="Ask for an extension")
@idempotent
def request_extension(request, payload: ComplaintExtensionIn, id: int = ComplaintId):  # noqa: A002
    """申请延期: once, 1–10 working days more, with the reason; the hotline centre decides a 12345
    ticket's, the bureau the others'."""
    c = complaint_of(request.auth, id)
    actions.request_extension(c, days=payload.days, reason=payload.reason, by=request.auth)
    return _done(request, c)


@router.post("/complaints/{id}/extension/decision", response=ACTION, summary="Decide an extension")
@idempotent
def decide_extension(
    request,
    payload: ComplaintExtensionDecisionIn,
    id: int = ComplaintId,  # noqa: A002
):
    """批准延期 / 不予延期 of a complaint that is not a 12345 ticket, by the bureau (the hotline
    centre decides its own through the adapter): approved, the answer is due the days asked later."""
    c = complaint_of(request.auth, id)
    actions.decide_extension(c, approve=payload.approve, note=payload.note, by=request.auth)
    return _done(request, c)


@router.post("/complaints/{id}/to-case", response=ACTION, summary="Answer a 求助 by a case")
@idempotent
def to_case(request, payload: ComplaintToCaseIn, id: int = ComplaintId):  # noqa: A002
    """转为帮办事项: a 求助 answered by the case registered for it (answered that day)."""
    c = complaint_of(request.auth, id)
    actions.to_case(c, case=_case(request.auth, payload.case), by=request.auth)
    return _done(request, c)


@router.post("/complaints/{id}/answer", response=ACTION, summary="Answer a complaint")
@idempotent
def answer(request, payload: ComplaintAnswerIn, id: int = ComplaintId):  # noqa: A002
    """答复: the answer to the complainant (a 12345 ticket's to the platform). A 投诉/举报 waits for
    its rectification to be resolved, and the answer closes it."""
    c = complaint_of(request.auth, id)
    actions.answer(c, text=payload.text, upheld=payload.upheld, by=request.auth)
    return _done(request, c)


@router.post(
    "/complaints/{id}/reveal-phone",
    response={200: PhoneOut, **errors(403, 404, 409, 422)},
    summary="The complainant's phone",
)
def reveal_phone(request, id: int = ComplaintId):  # noqa: A002
    """The complainant's whole phone, for its handler only, logged on the timeline (who, when,
    from where). Not idempotent by key: the answer is never stored."""
    c = complaint_of(request.auth, id)
    phone = actions.reveal_phone(c, by=request.auth, address=request.META.get("REMOTE_ADDR"))
    return {"phone": phone}
