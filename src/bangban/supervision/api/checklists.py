"""The county's inspection checklists (督查评分表): read them (those who may inspect the county's
points, its region roles), make and replace one whole (a region administrator of the county or
above). 404 for a checklist or county the caller does not see, 403 for one they see but may not
change; a rule broken answers 409 at its place in the body (`["body", "sections", 0, "items", 2,
"cap"]`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Schema

from bangban.cases.idempotency import idempotent
from bangban.kernel.api import Limit, Offset, Status, refuse_unknown_query
from bangban.kernel.errors import ApiError, Forbidden, NotVisible
from bangban.kernel.schemas import Input, errors, text
from bangban.network.schemas import REGION_CODE

from .. import scope
from ..actions.checklists import MAX_ITEMS, MAX_SECTIONS, save_checklist
from ..checklists import ItemData, SectionData
from ..models import Checklist, Method, PointLevel
from .common import router

Points = Annotated[float, Field(gt=0, le=1000, description="at most one decimal place")]
MethodValue = Literal[tuple(Method.values)]  # type: ignore[valid-type]
LevelValue = Literal[tuple(PointLevel.values)]  # type: ignore[valid-type]
ACTIVE_ITEMS = Q(sections__items__active=True)
ChecklistId = Path(..., ge=1, le=2**63 - 1, description="the checklist's id")


class ChecklistItemIO(Input):
    text: text(200, 1)
    points: Points
    deduction: Points = Field(..., description="taken off per occurrence")
    cap: Points = Field(..., description="at most this much taken off; not above `points`")
    method: MethodValue
    photo_required: bool = False
    applies_to: Annotated[list[LevelValue], Field(min_length=1, max_length=4)] = list(
        PointLevel.values
    )


class ChecklistSectionIO(Input):
    title: text(60, 1)
    items: Annotated[list[ChecklistItemIO], Field(min_length=1, max_length=MAX_ITEMS)]


class ChecklistBody(Input):
    name: text(60, 1)
    active: bool = True
    sections: Annotated[list[ChecklistSectionIO], Field(min_length=1, max_length=MAX_SECTIONS)]


class ChecklistIn(ChecklistBody):
    county: text(12, 6, REGION_CODE) = Field(..., description="the county's 6-digit code")


class ChecklistItemOut(ChecklistItemIO):
    id: int
    method_label: str


class ChecklistSectionOut(Schema):
    id: int
    title: str
    total: float
    items: list[ChecklistItemOut]


class ChecklistSummary(Schema):
    id: int
    county: str
    county_name: str
    name: str
    active: bool
    total: float
    item_count: int
    updated_at: dt.datetime


class ChecklistOut(ChecklistSummary):
    levels: dict[str, float] = Field(..., description="the points a point of each level can score")
    sections: list[ChecklistSectionOut]
    may_change: bool


class ChecklistListOut(Schema):
    items: list[ChecklistSummary]
    count: int


def _summary(checklist: Checklist, total, item_count: int) -> dict:
    return {
        "id": checklist.pk,
        "county": checklist.county.code,
        "county_name": checklist.county.name,
        "name": checklist.name,
        "active": checklist.active,
        "total": float(total or 0),
        "item_count": item_count,
        "updated_at": checklist.updated_at,
    }


def checklist_out(request, checklist: Checklist) -> dict:
    """The checklist with its active items, by section."""
    sections, items = [], []
    for section in checklist.sections.prefetch_related("items"):
        rows = [item for item in section.items.all() if item.active]
        if not rows:
            continue
        items.extend(rows)
        sections.append(
            {
                "id": section.pk,
                "title": section.title,
                "total": float(sum((item.points for item in rows), Decimal(0))),
                "items": [
                    {
                        "id": item.pk,
                        "text": item.text,
                        "points": float(item.points),
                        "deduction": float(item.deduction),
                        "cap": float(item.cap),
                        "method": item.method,
                        "method_label": item.get_method_display(),
                        "photo_required": item.photo_required,
                        "applies_to": list(item.applies_to),
                    }
                    for item in rows
                ],
            }
        )
    total = sum((item.points for item in items), Decimal(0))
    may_change = (
        scope.checklist_counties(request.user, "change").filter(pk=checklist.county_id).exists()
    )
    return {
        **_summary(checklist, total, len(items)),
        "levels": {
            level: float(sum((i.points for i in items if level in i.applies_to), Decimal(0)))
            for level in PointLevel.values
        },
        "sections": sections,
        "may_change": may_change,
    }


def _sections(payload: ChecklistBody) -> list[SectionData]:
    return [
        SectionData(
            title=section.title,
            items=[
                ItemData(
                    text=item.text,
                    points=item.points,
                    deduction=item.deduction,
                    cap=item.cap,
                    method=item.method,
                    photo_required=item.photo_required,
                    applies_to=list(item.applies_to),
                )
                for item in section.items
            ],
        )
        for section in payload.sections
    ]


def _checklist(request, pk: int, action: str = "view") -> Checklist:
    found = scope.checklists_for(request.user, action).select_related("county").filter(pk=pk)
    checklist = found.first()
    if checklist is not None:
        return checklist
    if action != "view" and scope.checklists_for(request.user).filter(pk=pk).exists():
        raise Forbidden([], _("您只能查看该县的督查评分表，不能修改。"))
    raise ApiError(404, ["path", "id"], _("督查评分表不存在或无权访问。"), "not_found")


@router.get(
    "/checklists",
    response={200: ChecklistListOut, **errors(422)},
    summary="List the inspection checklists",
)
def list_checklists(
    request,
    county: str | None = Query(None, pattern=REGION_CODE, description="a county's code"),
    active: bool | None = None,
    limit: int = Limit,
    offset: int = Offset,
):
    """The checklists of the counties you see, by county and name, with their totals (active
    items only)."""
    refuse_unknown_query(request, {"county", "active", "limit", "offset"})
    checklists = scope.checklists_for(request.user)
    if county is not None:
        checklists = checklists.filter(county__code=county)
    if active is not None:
        checklists = checklists.filter(active=active)
    page = (
        checklists.select_related("county")
        .annotate(
            total=Sum("sections__items__points", filter=ACTIVE_ITEMS),
            item_count=Count("sections__items", filter=ACTIVE_ITEMS),
        )
        .order_by("county__code", "name", "pk")[offset : offset + limit]
    )
    return {
        "items": [_summary(c, c.total, c.item_count) for c in page],
        "count": checklists.count(),
    }


@router.get(
    "/checklists/{id}",
    response={200: ChecklistOut, **errors(404, 422)},
    summary="An inspection checklist",
)
def get_checklist(request, id: int = ChecklistId):  # noqa: A002
    """Its sections and their active items (points, deduction per occurrence, cap, method, photo,
    levels), the total, and the points a point of each level can score."""
    refuse_unknown_query(request, set())
    return checklist_out(request, _checklist(request, id))


@router.post(
    "/checklists",
    response={201: ChecklistOut, **errors(400, 403, 404, 409, 422)},
    summary="Make an inspection checklist",
)
@idempotent
def post_checklist(request, payload: ChecklistIn):
    """A new checklist of `county`, whole. Recorded in the admin history. 409 when a rule is broken
    (a cap above the item's points, a name the county has already), at the field."""
    counties = scope.checklist_counties(request.user, "change")
    county = counties.filter(code=payload.county).first()
    if county is None:
        if scope.checklist_counties(request.user).filter(code=payload.county).exists():
            raise Forbidden(["body", "county"], _("您只能查看该县的督查评分表，不能新建。"))
        raise NotVisible("county", _("县"))
    checklist = save_checklist(
        county,
        name=payload.name,
        sections=_sections(payload),
        active=payload.active,
        by=request.user,
    )
    return Status(201, checklist_out(request, checklist))


@router.put(
    "/checklists/{id}",
    response={200: ChecklistOut, **errors(400, 403, 404, 409, 422)},
    summary="Replace an inspection checklist",
)
def put_checklist(request, payload: ChecklistBody, id: int = ChecklistId):  # noqa: A002
    """The whole checklist as it should be from now on. Items no inspection used are replaced;
    those an inspection used are kept, out of use, for its findings. Recorded in the admin
    history."""
    checklist = _checklist(request, id, "change")
    checklist = save_checklist(
        checklist.county,
        name=payload.name,
        sections=_sections(payload),
        active=payload.active,
        checklist=checklist,
        by=request.user,
    )
    return checklist_out(request, checklist)
