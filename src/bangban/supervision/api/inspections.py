"""Inspections (明查暗访) through the API (docs/api.md "明查暗访"): the list and one inspection, scoped
like the pages (`supervision.scope`: a draft is its inspector's alone), an inspection started, a
finding put per checklist item, a photo sent as base64 in the JSON body (decision 0031: the API
reads JSON only), the submission, and a draft discarded. A rule refused is the action's
`SupervisionError` (409 at the field, 403 when only who acts is wrong) through the one handler."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Schema

from bangban.cases.idempotency import idempotent
from bangban.cases.schemas import BASE64
from bangban.feedback.scope import rectifications_for
from bangban.kernel.api import Limit, Offset, Status, refuse_unknown_query
from bangban.kernel.errors import ApiError
from bangban.kernel.schemas import MAX_ID, Id, Input, errors, text

from .. import actions
from ..models import ChecklistItem, Inspection
from ..scope import (
    checklists_for,
    get_inspection_for,
    inspections_for,
    may_edit_inspection,
    points_to_inspect,
)
from .common import router

InspectionId = Path(..., ge=1, le=MAX_ID)
ItemId = Path(..., ge=1, le=MAX_ID)
#: A moment in a body: ISO 8601 with its offset ("2026-05-06T09:30:00+08:00" or "…Z").
MOMENT = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$"
Moment = Annotated[
    str, Field(pattern=MOMENT, description="ISO 8601 with its offset: 2026-05-06T09:30:00+08:00")
]
StatusQuery = Query(None, description="draft or submitted")
PointQuery = Query(None, ge=1, le=MAX_ID, description="the point inspected")
#: A photo in JSON: 750 KB decoded (1,000,000 base64 characters) — a client resizes; a larger photo
#: is taken on the page (20 MB). At the scans' 2,000,000 the contract test cannot draw a body.
PHOTO_BASE64 = 1_000_000
PHOTO_NAME = r"^[^\x00-\x1f\x7f/\\]*\.([Jj][Pp][Ee]?[Gg]|[Pp][Nn][Gg])$"


# --- Schemas ----------------------------------------------------------------------------------------


class InspectionIn(Input):
    point: Id
    checklist: Id
    announced: bool
    by_kind: str = Field(
        "",
        pattern="^(|bureau|third_party)$",
        description="bureau or third_party; a special supervisor's is always special",
    )
    unit: text(60) = ""


class InspectionFindingIn(Input):
    occurrences: Annotated[int, Field(ge=0, le=99, description="0 removes the finding")]
    note: text(500) = ""
    helper: Id | None = Field(None, description="a person serving at the point")


class InspectionImageIn(Input):
    filename: text(100, 5, PHOTO_NAME)
    content_base64: Annotated[
        str,
        Field(
            min_length=4,
            max_length=PHOTO_BASE64,
            pattern=BASE64,
            description="the JPEG or PNG, base64-encoded (at most 750 KB decoded)",
        ),
    ]


class InspectionPhotoIn(Input):
    image: InspectionImageIn
    taken_at: Moment | None = Field(None, description="default: now")
    finding: Id | None = Field(None, description="the finding it shows; none: the visit")
    caption: text(100) = ""


class InspectionSubmitIn(Input):
    summary: text(1000) = ""
    ended_at: Moment | None = Field(None, description="default: now")


class InspectionRef(Schema):
    id: int
    name: str


class FindingRectificationRef(Schema):
    id: int
    status: str
    status_label: str
    due: dt.date
    #: Whether the caller may open it (`/api/v1/rectifications/{id}`).
    visible: bool


class InspectionPhotoOut(Schema):
    id: int
    finding: int | None
    taken_at: dt.datetime
    caption: str
    #: The scoped page serving it (never a public media address).
    url: str


class InspectionFindingOut(Schema):
    id: int
    item: int
    item_text: str
    points: float
    deduction_each: float
    cap: float
    occurrences: int
    deducted: float
    note: str
    helper: InspectionRef | None
    rectification: FindingRectificationRef | None


class InspectionOut(Schema):
    id: int
    point: InspectionRef
    checklist: InspectionRef
    announced: bool
    by: str
    by_label: str
    unit: str
    inspector: str
    status: str
    status_label: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    submitted_at: dt.datetime | None
    full_score: float
    score: float | None


class InspectionListOut(Schema):
    items: list[InspectionOut]
    count: int


class InspectionDetailOut(InspectionOut):
    summary: str
    #: Whether the caller may still change it (its inspector, while a draft).
    editable: bool
    findings: list[InspectionFindingOut]
    photos: list[InspectionPhotoOut]


def _name(user) -> str:
    return user.get_full_name() or user.username


def _summary(i: Inspection) -> dict:
    return {
        "id": i.pk,
        "point": {"id": i.point_id, "name": i.point.name},
        "checklist": {"id": i.checklist_id, "name": i.checklist.name},
        "announced": i.announced,
        "by": i.by,
        "by_label": str(i.get_by_display()),
        "unit": i.unit,
        "inspector": _name(i.inspector),
        "status": i.status,
        "status_label": str(i.get_status_display()),
        "started_at": i.started_at,
        "ended_at": i.ended_at,
        "submitted_at": i.submitted_at,
        "full_score": float(i.full_score),
        "score": None if i.score is None else float(i.score),
    }


def _detail(user, pk: int) -> dict:
    i = inspection_of(user, pk)
    findings = list(i.findings.select_related("helper", "rectification").order_by("pk"))
    rect_ids = [f.rectification_id for f in findings if f.rectification_id]
    visible = set(rectifications_for(user).filter(pk__in=rect_ids).values_list("pk", flat=True))
    return {
        **_summary(i),
        "summary": i.summary,
        "editable": may_edit_inspection(user, i),
        "findings": [
            {
                "id": f.pk,
                "item": f.item_id,
                "item_text": f.item_text,
                "points": float(f.points),
                "deduction_each": float(f.deduction_each),
                "cap": float(f.cap),
                "occurrences": f.occurrences,
                "deducted": float(f.deducted),
                "note": f.note,
                "helper": {"id": f.helper_id, "name": _name(f.helper)} if f.helper else None,
                "rectification": None
                if f.rectification is None
                else {
                    "id": f.rectification_id,
                    "status": f.rectification.status,
                    "status_label": str(f.rectification.get_status_display()),
                    "due": f.rectification.due,
                    "visible": f.rectification_id in visible,
                },
            }
            for f in findings
        ],
        "photos": [_photo(p) for p in i.photos.all()],
    }


def _photo(p) -> dict:
    return {
        "id": p.pk,
        "finding": p.finding_id,
        "taken_at": p.taken_at,
        "caption": p.caption,
        "url": reverse("supervision:inspection_photo", args=[p.pk]),
    }


def inspection_of(user, pk: int) -> Inspection:
    try:
        return get_inspection_for(user, pk)
    except Http404:
        raise ApiError(404, ["path", "id"], _("检查不存在或无权访问。"), "not_found") from None


def _moment(value: str | None, field: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ApiError(
            422, ["body", field], _("请填写正确的时间（带时区）。"), "datetime_parsing"
        ) from None


# --- Reads ------------------------------------------------------------------------------------------


@router.get(
    "/inspections",
    response={200: InspectionListOut, **errors(422)},
    summary="List inspections",
)
def list_inspections(
    request,
    status: Inspection.Status | None = StatusQuery,
    point: int | None = PointQuery,
    limit: int = Limit,
    offset: int = Offset,
):
    """明查暗访 the caller may see, newest first: their own, and the submitted inspections of the
    points they see (a draft is its inspector's alone)."""
    refuse_unknown_query(request, {"status", "point", "limit", "offset"})
    rows = inspections_for(request.auth)
    if status:
        rows = rows.filter(status=status)
    if point:
        rows = rows.filter(point_id=point)
    rows = rows.select_related("point", "checklist", "inspector").order_by("-started_at", "-pk")
    return {
        "items": [_summary(i) for i in rows[offset : offset + limit]],
        "count": rows.count(),
    }


@router.get(
    "/inspections/{id}",
    response={200: InspectionDetailOut, **errors(404, 422)},
    summary="An inspection",
)
def get_inspection(request, id: int = InspectionId):  # noqa: A002 - the path's name
    """An inspection with its findings (each with its rectification once submitted) and photos."""
    refuse_unknown_query(request, set())
    return _detail(request.auth, id)


# --- Writes -----------------------------------------------------------------------------------------

WRITE = {200: InspectionDetailOut, **errors(400, 403, 404, 409, 422)}


@router.post(
    "/inspections",
    response={201: InspectionDetailOut, **errors(400, 403, 404, 409, 422)},
    summary="Start an inspection",
)
@idempotent
def post_inspection(request, payload: InspectionIn):
    """An inspection of `point` (one the caller may inspect; 404 otherwise) against the county's
    active `checklist`, 明查 (`announced`) or 暗访, started now."""
    user = request.auth
    point = points_to_inspect(user).filter(pk=payload.point).first()
    if point is None:
        raise ApiError(404, ["body", "point"], _("服务点不存在或无权检查。"), "not_found")
    checklist = checklists_for(user).filter(pk=payload.checklist).first()
    if checklist is None:
        raise ApiError(404, ["body", "checklist"], _("评分表不存在或无权使用。"), "not_found")
    inspection = actions.start_inspection(
        point,
        checklist=checklist,
        announced=payload.announced,
        by_kind=payload.by_kind,
        unit=payload.unit,
        by=user,
    )
    return Status(201, _detail(user, inspection.pk))


@router.put(
    "/inspections/{id}/findings/{item}",
    response=WRITE,
    summary="Record a finding",
)
def put_finding(request, payload: InspectionFindingIn, id: int = InspectionId, item: int = ItemId):  # noqa: A002
    """What was found against checklist item `item`: `occurrences` (0 removes the finding), a
    note and the person involved; deducted min(occurrences × deduction, cap)."""
    user = request.auth
    inspection = inspection_of(user, id)
    found = ChecklistItem.objects.select_related("section").filter(pk=item).first()
    if found is None or found.section.checklist_id != inspection.checklist_id:
        raise ApiError(404, ["path", "item"], _("该评分表没有这个检查项目。"), "not_found")
    helper = None
    if payload.helper is not None:
        helper = get_user_model().objects.filter(pk=payload.helper).first()
        if helper is None:
            raise ApiError(409, ["body", "helper"], _("该人员不在被检查的服务点工作。"), "rule")
    actions.record_finding(
        inspection,
        item=found,
        occurrences=payload.occurrences,
        note=payload.note,
        helper=helper,
        by=user,
    )
    return _detail(user, inspection.pk)


@router.post(
    "/inspections/{id}/photos",
    response={201: InspectionPhotoOut, **errors(400, 403, 404, 409, 422)},
    summary="Add a photo",
)
@idempotent
def post_photo(request, payload: InspectionPhotoIn, id: int = InspectionId):  # noqa: A002
    """A JPEG or PNG (checked by its content), of a finding or of the visit, with the time it was
    taken: not in the future, not before the inspection began."""
    user = request.auth
    inspection = inspection_of(user, id)
    finding = None
    if payload.finding is not None:
        finding = inspection.findings.filter(pk=payload.finding).first()
        if finding is None:
            raise ApiError(404, ["body", "finding"], _("该检查没有这个问题。"), "not_found")
    try:
        content = base64.b64decode(payload.image.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(
            422, ["body", "image", "content_base64"], _("照片不是有效的 base64。"), "value_error"
        ) from None
    taken_at = _moment(payload.taken_at, "taken_at") or dt.datetime.now(dt.UTC)
    photo = actions.add_photo(
        inspection,
        image=ContentFile(content, name=payload.image.filename),
        taken_at=taken_at,
        finding=finding,
        caption=payload.caption,
        by=user,
    )
    return Status(201, _photo(photo))


@router.post(
    "/inspections/{id}/submit",
    response=WRITE,
    summary="Submit an inspection",
)
def submit(request, payload: InspectionSubmitIn, id: int = InspectionId):  # noqa: A002
    """Submitted: the score fixed, each finding with a deduction opening a rectification by the
    point's lead; 409 at `photos` naming each finding whose item needs a photo and has none."""
    user = request.auth
    inspection = inspection_of(user, id)
    actions.submit_inspection(
        inspection,
        summary=payload.summary,
        ended_at=_moment(payload.ended_at, "ended_at"),
        by=user,
    )
    return _detail(user, inspection.pk)


@router.delete(
    "/inspections/{id}",
    response={204: None, **errors(403, 404, 409, 422)},
    summary="Discard a draft inspection",
)
def delete_inspection(request, id: int = InspectionId):  # noqa: A002
    """A draft thrown away by its inspector, with its findings and photos."""
    refuse_unknown_query(request, set())
    actions.discard_inspection(inspection_of(request.auth, id), by=request.auth)
    return Status(204, None)
