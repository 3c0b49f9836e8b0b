"""The figures of complaints and inspections (监督检查统计) through the API: the figures page's, for
the caller's scope and a period, by point, helper or town (`supervision.figures.figures_for`,
docs/api.md "监督检查统计")."""

from __future__ import annotations

from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from bangban.kernel.api import Limit, Offset, refuse_unknown_query
from bangban.kernel.errors import ApiError
from bangban.kernel.schemas import Day, errors
from bangban.network.schemas import REGION_CODE

from ..figures import ComplaintRow, InspectionRow, Period, counties_of, figures_for
from ..models import Category, Kind
from .common import router

FIGURES_QUERY = {"from", "to", "by", "county", "limit", "offset"}
#: `from` and `to` are Python words: the parameters are read into `start` and `end`.
FromQuery = Query(None, alias="from", description="first day (default: this month's first)")
ToQuery = Query(None, alias="to", description="last day, included (default: today)")
ByQuery = Query("point", description="one item per point, helper or town")
CountyQuery = Query(
    None, pattern=REGION_CODE, description="a county's 6-digit code, for those above a county"
)

Group = Literal["point", "helper", "town", "county", "total"]


class RateOut(Schema):
    count: int
    of: int
    #: count / of, or null when `of` is 0.
    rate: float | None


class ComplaintRowOut(Schema):
    group: Group
    id: int | None
    name: str
    kind: str
    complaints: int
    #: {kind: count}: consult, help, complaint, report, suggestion.
    by_kind: dict[str, int]
    #: {category: count}: fee, buck, favour, attitude, discipline, phrases, efficiency, other.
    by_category: dict[str, int]
    answered: int
    returned: int
    on_time_rate: RateOut
    upheld_rate: RateOut
    open: int
    overdue: int


class InspectionRowOut(Schema):
    group: Group
    id: int | None
    name: str
    kind: str
    inspections: int
    unannounced: int
    #: The average and lowest score as a percentage of each inspection's full score (0–100, one
    #: decimal), null when none was scored.
    average_score: float | None
    lowest_score: float | None
    rectified_rate: RateOut


class ComplaintFiguresOut(Schema):
    items: list[ComplaintRowOut]
    count: int
    total: ComplaintRowOut


class InspectionFiguresOut(Schema):
    by: Literal["point", "town"]
    items: list[InspectionRowOut]
    count: int
    total: InspectionRowOut


class SupervisionFiguresOut(Schema):
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    by: Literal["point", "helper", "town"]
    county: str | None
    complaints: ComplaintFiguresOut
    inspections: InspectionFiguresOut


def _rate(rate) -> dict:
    return {"count": rate.count, "of": rate.of, "rate": rate.value}


def _head(row) -> dict:
    return {"group": row.group, "id": row.id, "name": str(row.name), "kind": str(row.kind)}


def complaint_row(row: ComplaintRow) -> dict:
    c = row.counts
    return {
        **_head(row),
        "complaints": c["complaints"],
        "by_kind": {value: c[f"kind_{value}"] for value in Kind.values},
        "by_category": {value: c[f"category_{value}"] for value in Category.values},
        "answered": c["answered"],
        "returned": c["returned"],
        "on_time_rate": _rate(row.on_time_rate),
        "upheld_rate": _rate(row.upheld_rate),
        "open": c["open"],
        "overdue": c["overdue"],
    }


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def inspection_row(row: InspectionRow) -> dict:
    return {
        **_head(row),
        "inspections": row.counts["inspections"],
        "unannounced": row.counts["unannounced"],
        "average_score": _score(row.average),
        "lowest_score": _score(row.lowest),
        "rectified_rate": _rate(row.rectified_rate),
    }


@router.get(
    "/supervision/figures",
    response={200: SupervisionFiguresOut, **errors(404, 409, 422)},
    summary="Figures of complaints and inspections of your scope",
    by_alias=True,
)
def get_figures(
    request,
    start: Day | None = FromQuery,
    end: Day | None = ToQuery,
    by: Literal["point", "helper", "town"] = ByQuery,
    county: str | None = CountyQuery,
    limit: int = Limit,
    offset: int = Offset,
):
    """The complaints received and the inspections submitted from `from` to `to` that you may see,
    one item per point, helper or town (`by`; inspections by town when `by` is town, else by
    point), and their `total`s. Each rate is `{count, of, rate}`; `rate` is null when `of` is 0.
    `county` (a county's code) narrows to one county for those whose scope is above a county.
    `limit` and `offset` page both lists."""
    refuse_unknown_query(request, FIGURES_QUERY)
    today = timezone.localdate()
    if start and end and end < start:
        raise ApiError(409, ["query", "to"], _("结束日期不能早于开始日期。"), "rule")
    picked = None
    if county:
        picked = next((c for c in counties_of(request.auth) if c.code == county), None)
        if picked is None:
            raise ApiError(
                404, ["query", "county"], _("没有这个县，或它不在您的统计范围内。"), "not_found"
            )
    if start is None and end is None:
        period = Period.preset("month", today)
    else:
        period = Period(start or end.replace(day=1), end or today)
    figures = figures_for(request.auth, period, by, today, county=picked)
    window = slice(offset, offset + limit)
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "by": by,
        "county": picked.code if picked else None,
        "complaints": {
            "items": [complaint_row(row) for row in figures.complaints[window]],
            "count": len(figures.complaints),
            "total": complaint_row(figures.complaints_total),
        },
        "inspections": {
            "by": figures.inspections_by,
            "items": [inspection_row(row) for row in figures.inspections[window]],
            "count": len(figures.inspections),
            "total": inspection_row(figures.inspections_total),
        },
    }
