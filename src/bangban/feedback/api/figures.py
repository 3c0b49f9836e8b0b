"""The figures of 好差评 (好差评统计) through the API: the figures page's, for the caller's scope and a
period, by point, helper or town (`feedback.figures.figures_for`, docs/api.md "好差评：统计")."""

from __future__ import annotations

from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from bangban.kernel.api import Limit, Offset, refuse_unknown_query
from bangban.kernel.errors import ApiError
from bangban.kernel.schemas import Day, errors

from ..figures import Period, Row, figures_for
from .common import router

FIGURES_QUERY = {"from", "to", "by", "limit", "offset"}
#: `from` and `to` are Python words: the parameters are read into `start` and `end`.
FromQuery = Query(None, alias="from", description="first day (default: this month's first)")
ToQuery = Query(None, alias="to", description="last day, included (default: today)")
ByQuery = Query("point", description="one item per point, helper or town")


class RateOut(Schema):
    count: int
    of: int
    #: count / of, or null when `of` is 0.
    rate: float | None


class FigureRowOut(Schema):
    group: Literal["point", "helper", "town", "county", "total"]
    id: int | None
    name: str
    kind: str
    good_rate: RateOut
    bad_rate: RateOut
    unrated_rate: RateOut
    rated_rate: RateOut
    rectified_rate: RateOut
    called_back_rate: RateOut
    overturned: int
    province_defaults: int


class CountyPolicyOut(Schema):
    county: str
    count_basic_as_good: bool


class FiguresOut(Schema):
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    by: Literal["point", "helper", "town"]
    count_basic_as_good: bool | None
    counties: list[CountyPolicyOut]
    window_closed_through: str
    items: list[FigureRowOut]
    count: int
    total: FigureRowOut


def figure_row(row: Row) -> dict:
    item = {
        "group": row.group,
        "id": row.id,
        "name": str(row.name),
        "kind": str(row.kind),
        "overturned": row.counts["overturned"],
        "province_defaults": row.counts["defaults"],
    }
    for name, rate in row.rates().items():
        item[name] = {"count": rate.count, "of": rate.of, "rate": rate.value}
    return item


@router.get(
    "/feedback/figures",
    response={200: FiguresOut, **errors(409, 422)},
    summary="好差评 figures of your scope",
    by_alias=True,
)
def get_figures(
    request,
    start: Day | None = FromQuery,
    end: Day | None = ToQuery,
    by: Literal["point", "helper", "town"] = ByQuery,
    limit: int = Limit,
    offset: int = Offset,
):
    """The figures of the ratings and service occasions you may see, from `from` to `to`, one item
    per point, helper or town (`by`), and their `total`. Each figure is `{count, of, rate}`; `rate`
    is null when `of` is 0. Counted per county with its own setting of whether 基本满意 is good
    (`counties`; `count_basic_as_good` null when they differ), then summed."""
    refuse_unknown_query(request, FIGURES_QUERY)
    today = timezone.localdate()
    if start and end and end < start:
        raise ApiError(409, ["query", "to"], _("结束日期不能早于开始日期。"), "rule")
    if start is None and end is None:
        period = Period.preset("month", today)
    else:
        period = Period(start or end.replace(day=1), end or today)
    figures = figures_for(request.auth, period, by, today)
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "by": by,
        "count_basic_as_good": figures.basic_counts,
        "counties": [
            {"county": name, "count_basic_as_good": on} for name, on in figures.policies.items()
        ],
        "window_closed_through": figures.closed_through.isoformat(),
        "items": [figure_row(row) for row in figures.rows[offset : offset + limit]],
        "count": len(figures.rows),
        "total": figure_row(figures.total),
    }
