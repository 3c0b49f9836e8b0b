"""Bad reviews put right, and appeals, through the API (docs/api.md "好差评：差评整改和申诉"): the
list through the page's one filter (`RectificationFilter`), a rectification with its timeline and
what the caller may do now, one POST per action of the table, and the appeals. A rectification puts
right a bad review, a complaint or an inspection's finding (`subject`): the review is serialized
for the first, the complaint's or finding's id for the others (read through their reverse
relations by name: this app never imports `supervision`). Scoped by
`feedback.scope`; a rule refused is the action's `FeedbackError` (409 at the field, 403 when only
who acts is wrong) through the one handler."""

from __future__ import annotations

import datetime as dt
import functools

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Schema

from bangban.kernel.api import Limit, Offset, Status, refuse_unknown_query
from bangban.kernel.errors import ApiError
from bangban.kernel.schemas import MAX_ID, Input, day, errors, text

from .. import actions, warnings, workflow
from ..models import Appeal, Rectification
from ..rectification_forms import RectificationFilter
from ..scope import appeals_for, get_rating_for, get_rectification_for, rectifications_for
from .common import router

RectId = Path(..., ge=1, le=MAX_ID)
StateQuery = Query(None, description="repeatable: in any of these states")
StartQuery = Query(None, description="reviews from this day")
EndQuery = Query(None, description="reviews until this day")
LIST_QUERY = {*RectificationFilter.base_fields, "limit", "offset"}


# --- Schemas ----------------------------------------------------------------------------------------


class RectificationPointRef(Schema):
    id: int
    name: str


class RectificationRatingOut(Schema):
    """The review as the handler sees it: never the rater's phone."""

    id: int
    level: int
    level_label: str
    reasons: list[str]
    comment: str
    channel: str
    rated_on: dt.date
    anonymous: bool
    overturned: bool


class RectificationOut(Schema):
    id: int
    #: What is put right: "rating" (a bad review), "complaint" or "finding" (an inspection's).
    subject: str
    subject_label: str
    status: str
    status_label: str
    level: str
    point: RectificationPointRef
    town: RectificationPointRef | None
    opened_on: dt.date
    call_back_due: dt.date
    due: dt.date
    due_provisional: bool
    #: "red", "yellow" or "" today (`feedback.warnings.card_of`).
    warning: str
    escalated_on: dt.date | None
    outcome: str
    replied_on: dt.date | None
    follow_up_due: dt.date | None
    closed_on: dt.date | None
    #: The review of a "rating" subject; null for the others.
    rating: RectificationRatingOut | None
    #: The complaint's id of a "complaint" subject (`GET /complaints/{id}`), else null.
    complaint: int | None
    #: The finding's id of a "finding" subject, else null.
    finding: int | None


class RectificationListOut(Schema):
    items: list[RectificationOut]
    count: int


class RectificationEventOut(Schema):
    action: str
    from_status: str
    to_status: str
    by: str | None
    at: dt.datetime


class RectificationDetailOut(RectificationOut):
    failed_calls: int
    called_back_at: dt.datetime | None
    call_record: str
    is_true: bool | None
    is_reasonable: bool | None
    is_malicious: bool | None
    verification: str
    measures: str
    reply: str
    reopened: bool
    events: list[RectificationEventOut]
    #: What the caller may do now (the table's answer: the same the actions check).
    permitted: list[str]


def _rating(rating) -> dict | None:
    if rating is None:
        return None
    return {
        "id": rating.pk,
        "level": rating.level,
        "level_label": rating.get_level_display(),
        "reasons": list(rating.reasons),
        "comment": rating.comment,
        "channel": rating.channel,
        "rated_on": rating.rated_on,
        "anonymous": rating.anonymous,
        "overturned": rating.overturned,
    }


#: The reverse relations of the rows a rectification puts right besides a rating (`supervision`'s
#: complaint and finding, by their related names: feedback never imports the apps above it).
SUBJECTS = ("complaint", "finding")


@functools.cache
def subject_relations() -> tuple[str, ...]:
    """Those of `SUBJECTS` that the installed apps define, for `select_related`."""
    names = {r.name for r in Rectification._meta.related_objects if r.one_to_one}
    return tuple(name for name in SUBJECTS if name in names)


def _subject_id(rect: Rectification, name: str) -> int | None:
    """The id of the `name` row (a complaint, a finding) that `rect` puts right, or None."""
    if rect.subject != name or name not in subject_relations():
        return None
    try:
        related = getattr(rect, name)
    except ObjectDoesNotExist:
        return None
    return related.pk


def _summary(rect: Rectification, today: dt.date, near_until: dt.date) -> dict:
    return {
        "id": rect.pk,
        "subject": rect.subject,
        "subject_label": rect.get_subject_display(),
        "status": rect.status,
        "status_label": rect.get_status_display(),
        "level": rect.level,
        "point": {"id": rect.point_id, "name": rect.point.name},
        "town": {"id": rect.town_id, "name": rect.town.name} if rect.town_id else None,
        "opened_on": rect.opened_on,
        "call_back_due": rect.call_back_due,
        "due": rect.due,
        "due_provisional": rect.due_provisional,
        "warning": warnings.card_of(rect, today, near_until),
        "escalated_on": rect.escalated_on,
        "outcome": rect.outcome,
        "replied_on": rect.replied_on,
        "follow_up_due": rect.follow_up_due,
        "closed_on": rect.closed_on,
        "rating": _rating(rect.rating),
        "complaint": _subject_id(rect, "complaint"),
        "finding": _subject_id(rect, "finding"),
    }


def _user(user) -> str | None:
    return None if user is None else (user.get_full_name() or user.get_username())


def rectification_detail(user, pk: int) -> dict:
    rect = get_rectification_for(user, pk)
    rect = Rectification.objects.select_related(
        "county", "point", "town", "rating", *subject_relations()
    ).get(pk=rect.pk)
    today = timezone.localdate()
    events = rect.events.select_related("by").order_by("at", "pk")
    return {
        **_summary(rect, today, warnings.next_working_day(today)),
        "failed_calls": rect.failed_calls,
        "called_back_at": rect.called_back_at,
        "call_record": rect.call_record,
        "is_true": rect.is_true,
        "is_reasonable": rect.is_reasonable,
        "is_malicious": rect.is_malicious,
        "verification": rect.verification,
        "measures": rect.measures,
        "reply": rect.reply,
        "reopened": rect.reopened,
        "events": [
            {
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "by": _user(e.by),
                "at": e.at,
            }
            for e in events
        ],
        "permitted": [t.action for t in workflow.permitted(rect, user)],
    }


def rect_of(user, pk: int) -> Rectification:
    try:
        return get_rectification_for(user, pk)
    except Http404:
        raise ApiError(404, ["path", "id"], _("差评整改不存在或无权访问。"), "not_found") from None


# --- Reads ------------------------------------------------------------------------------------------


@router.get(
    "/rectifications",
    response={200: RectificationListOut, **errors(409, 422)},
    summary="List bad reviews' rectifications",
)
def list_rectifications(
    request,
    show: str | None = Query(None, pattern="^(mine|all)$", description="mine: what I must act on"),
    state: list[workflow.Step] | None = StateQuery,
    warning: str | None = Query(None, pattern="^(red|yellow)$"),
    town: int | None = Query(None, ge=1, le=MAX_ID, description="a town centre: its points"),
    point: int | None = Query(None, ge=1, le=MAX_ID, description="the rated point"),
    start: dt.date | None = StartQuery,
    end: dt.date | None = EndQuery,
    limit: int = Limit,
    offset: int = Offset,
):
    """差评整改 the caller may see (newest first), with today's yellow or red card; `show=mine` is
    what the caller must act on now (the list page's default)."""
    refuse_unknown_query(request, LIST_QUERY)
    data = QueryDict(mutable=True)
    data.update({k: v for k, v in request.GET.items() if k not in ("state", "limit", "offset")})
    data.setlist("state", request.GET.getlist("state"))
    form = RectificationFilter(data)
    if not form.is_valid():
        field, messages = next(iter(form.errors.items()))
        raise ApiError(409, ["query", field], messages[0], "rule")
    today = timezone.localdate()
    rows = form.apply(rectifications_for(request.auth), request.auth, today)
    rows = rows.select_related("point", "town", "rating", *subject_relations())
    rows = rows.order_by("-opened_on", "-pk")
    near_until = warnings.next_working_day(today)
    page = list(rows[offset : offset + limit])
    return {
        "items": [_summary(r, today, near_until) for r in page],
        "count": rows.count(),
    }


@router.get(
    "/rectifications/{id}",
    response={200: RectificationDetailOut, **errors(404, 422)},
    summary="A rectification",
)
def get_rectification(request, id: int = RectId):  # noqa: A002 - the path's name
    """A bad review's rectification: the review (never the rater's phone), each step, the
    timeline and `permitted`, what the caller may do now."""
    rect = rect_of(request.auth, id)
    return rectification_detail(request.auth, rect.pk)


# --- Actions ----------------------------------------------------------------------------------------

ACTION = {200: RectificationDetailOut, **errors(400, 403, 404, 409, 422)}


class RectificationCallIn(Input):
    reached: bool
    record: text(500, min_length=1)


class RectificationVerifyIn(Input):
    is_true: bool
    is_reasonable: bool
    is_malicious: bool
    note: text(500, min_length=1)


class RectificationMeasuresIn(Input):
    measures: text(1000, min_length=1)


class RectificationRectifyIn(RectificationMeasuresIn):
    due: day() | None = None


class RectificationExplainIn(Input):
    explanation: text(1000, min_length=1)


class RectificationFinishIn(Input):
    note: text(500, min_length=1)


class RectificationReplyIn(Input):
    text: text(300, min_length=1)


def _done(request, rect) -> dict:
    return rectification_detail(request.auth, rect.pk)


@router.post("/rectifications/{id}/call", response=ACTION, summary="Record a call-back")
def call(request, payload: RectificationCallIn, id: int = RectId):  # noqa: A002
    """回访: `reached` with the contact record; a call not answered is an attempt, and the third
    counts as the call-back."""
    rect = rect_of(request.auth, id)
    actions.record_call(rect, reached=payload.reached, record=payload.record, by=request.auth)
    return _done(request, rect)


@router.post("/rectifications/{id}/verify", response=ACTION, summary="Verify a bad review")
def verify(request, payload: RectificationVerifyIn, id: int = RectId):  # noqa: A002
    """核实: true? reasonable? malicious? and what was found."""
    rect = rect_of(request.auth, id)
    actions.verify(
        rect,
        is_true=payload.is_true,
        is_reasonable=payload.is_reasonable,
        is_malicious=payload.is_malicious,
        note=payload.note,
        by=request.auth,
    )
    return _done(request, rect)


@router.post("/rectifications/{id}/fix", response=ACTION, summary="Fixed at once")
def fix(request, payload: RectificationMeasuresIn, id: int = RectId):  # noqa: A002
    """立行立改 with the measures taken (evidence files are uploaded on the page)."""
    rect = rect_of(request.auth, id)
    actions.fix(rect, measures=payload.measures, by=request.auth)
    return _done(request, rect)


@router.post("/rectifications/{id}/rectify", response=ACTION, summary="Rectify by a deadline")
def rectify(request, payload: RectificationRectifyIn, id: int = RectId):  # noqa: A002
    """限期整改: the measures and `due` (default the county's deadline; never before today)."""
    rect = rect_of(request.auth, id)
    actions.rectify(rect, measures=payload.measures, due=payload.due, by=request.auth)
    return _done(request, rect)


@router.post("/rectifications/{id}/explain", response=ACTION, summary="Explain (no legal basis)")
def explain(request, payload: RectificationExplainIn, id: int = RectId):  # noqa: A002
    """解释说明 where the request has no legal basis."""
    rect = rect_of(request.auth, id)
    actions.explain(rect, explanation=payload.explanation, by=request.auth)
    return _done(request, rect)


@router.post("/rectifications/{id}/finish", response=ACTION, summary="Rectification done")
def finish(request, payload: RectificationFinishIn, id: int = RectId):  # noqa: A002
    """整改完成, with what was done."""
    rect = rect_of(request.auth, id)
    actions.finish(rect, note=payload.note, by=request.auth)
    return _done(request, rect)


@router.post("/rectifications/{id}/reply", response=ACTION, summary="Reply to the rater")
def reply(request, payload: RectificationReplyIn, id: int = RectId):  # noqa: A002
    """答复评价人: texted to a named rater with the follow-up link; after a reopening, the reply
    closes the rectification. A complaint's rectification is closed by the complaint's answer
    (`POST /complaints/{id}/answer`), never here: 409 with the table's message."""
    rect = rect_of(request.auth, id)
    actions.reply(rect, text=payload.text, by=request.auth)
    return _done(request, rect)


# --- Appeals ----------------------------------------------------------------------------------------


class AppealOut(Schema):
    id: int
    rating: RectificationRatingOut
    point: RectificationPointRef
    reason: str
    filed_by: str
    filed_at: dt.datetime
    decision: str
    decision_label: str
    decision_note: str
    decided_by: str | None
    decided_at: dt.datetime | None


class AppealListOut(Schema):
    items: list[AppealOut]
    count: int


class AppealFileIn(Input):
    reason: text(1000, min_length=1)


class AppealDecisionIn(Input):
    decision: text(12, pattern="^(upheld|overturned)$")
    note: text(500, min_length=1)


def _appeal(appeal: Appeal) -> dict:
    return {
        "id": appeal.pk,
        "rating": _rating(appeal.rating),
        "point": {"id": appeal.rating.point_id, "name": appeal.rating.point.name},
        "reason": appeal.reason,
        "filed_by": _user(appeal.filed_by),
        "filed_at": appeal.filed_at,
        "decision": appeal.decision,
        "decision_label": appeal.get_decision_display(),
        "decision_note": appeal.decision_note,
        "decided_by": _user(appeal.decided_by),
        "decided_at": appeal.decided_at,
    }


def _appeals(user):
    return appeals_for(user).select_related("rating__point", "filed_by", "decided_by")


@router.get("/appeals", response={200: AppealListOut, **errors(422)}, summary="List appeals")
def list_appeals(
    request,
    decision: str | None = Query(None, pattern="^(pending|upheld|overturned)$"),
    limit: int = Limit,
    offset: int = Offset,
):
    """申诉复核 of the reviews the caller may see, newest first; `decision=pending` is the bureau's
    queue."""
    refuse_unknown_query(request, {"decision", "limit", "offset"})
    rows = _appeals(request.auth)
    if decision:
        rows = rows.filter(decision=decision)
    return {"items": [_appeal(a) for a in rows[offset : offset + limit]], "count": rows.count()}


@router.post(
    "/ratings/{id}/appeals",
    response={201: AppealOut, **errors(400, 403, 404, 409, 422)},
    summary="Appeal a bad review",
)
def file_appeal(request, payload: AppealFileIn, id: int = RectId):  # noqa: A002
    """申诉: by the helper rated or a lead of the rated point; one pending appeal per review."""
    try:
        rating = get_rating_for(request.auth, id)
    except Http404:
        raise ApiError(404, ["path", "id"], _("评价不存在或无权访问。"), "not_found") from None
    appeal = actions.file_appeal(rating, reason=payload.reason, by=request.auth)
    return Status(201, _appeal(_appeals(request.auth).get(pk=appeal.pk)))


@router.post(
    "/appeals/{id}/decide",
    response={200: AppealOut, **errors(400, 403, 404, 409, 422)},
    summary="Decide an appeal",
)
def decide_appeal(request, payload: AppealDecisionIn, id: int = RectId):  # noqa: A002
    """复核, by the bureau (the county's region administrators): `upheld` leaves the review,
    `overturned` marks it (never deleted) and ends its open rectification."""
    appeal = _appeals(request.auth).filter(pk=id).first()
    if appeal is None:
        raise ApiError(404, ["path", "id"], _("申诉不存在或无权访问。"), "not_found")
    actions.decide_appeal(appeal, decision=payload.decision, note=payload.note, by=request.auth)
    return _appeal(_appeals(request.auth).get(pk=appeal.pk))
