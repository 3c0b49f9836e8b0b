"""The calendar's JSON API: deadlines, years, days; correcting a day for the deployment's top region
admin. Thin: validate, ask the calendar's policy (workdays/scope.py), call the arithmetic or an
action. See docs/api.md.

Status codes: 401 no or bad token; 403 not allowed to edit the calendar; 409 well-formed but against
a rule of the calendar (`CalendarError`, e.g. a year not yet entered); 422 malformed input.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Path, Query, Router

from bangban.kernel.api import MAX_LIMIT, refuse_unknown_query
from bangban.kernel.errors import Forbidden
from bangban.kernel.schemas import errors

from . import actions, calendar, scope
from .models import CalendarDay, CalendarYear
from .schemas import (
    DATE_2000_2100,
    MAX_DAYS,
    MAX_YEAR,
    MIN_YEAR,
    DayIn,
    DayListOut,
    DayOut,
    DeadlineOut,
    Unit,
    YearListOut,
)

router = Router(tags=["calendar"])

UnitQuery = Query("working", description="working or natural days")


@router.get(
    "/calendar/deadline",
    response={200: DeadlineOut, **errors(422)},
    summary="Compute a deadline",
)
def get_deadline(
    request,
    start: str = Query(..., pattern=DATE_2000_2100, description="YYYY-MM-DD, 2000–2100"),
    days: int = Query(..., ge=0, le=MAX_DAYS, description="the time limit; 0 = on the spot"),
    unit: Unit = UnitQuery,
):
    """The deadline `days` working (or natural) days after `start`, by the rules of the user guide
    (工作日): the start day is not counted; a non-working start moves to the next working day first;
    a natural-day deadline on a non-working day moves to the next working day."""
    refuse_unknown_query(request, {"start", "days", "unit"})
    result = calendar.deadline(dt.date.fromisoformat(start), days, unit)
    return {"deadline": result.date, "provisional": result.provisional}


@router.get("/calendar/years", response={200: YearListOut, **errors(422)}, summary="List years")
def list_years(
    request,
    limit: int = Query(200, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=10_000),
):
    """The years the calendar table has; a year not listed (or not published) is counted by the
    fixed rule and its deadlines are provisional."""
    refuse_unknown_query(request, {"limit", "offset"})
    qs = CalendarYear.objects.order_by("year")
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.get(
    "/calendar/years/{year}/days",
    response={200: DayListOut, **errors(422)},
    summary="List a year's exceptional days",
)
def list_days(request, year: int = Path(..., ge=MIN_YEAR, le=MAX_YEAR)):
    """The holidays and make-up working days of `year` (every other day is Monday–Friday working)."""
    refuse_unknown_query(request, set())
    row = CalendarYear.objects.filter(year=year).first()
    published = bool(row and row.published)
    items = list(CalendarDay.objects.filter(day__year=year).order_by("day")) if published else []
    return {"year": year, "published": published, "items": items, "count": len(items)}


@router.put(
    "/calendar/days/{day}",
    response={200: DayOut, **errors(400, 403, 409, 422)},
    summary="Correct a day",
)
def put_day(
    request,
    payload: DayIn,
    day: str = Path(..., pattern=DATE_2000_2100, description="YYYY-MM-DD"),
):
    """Set a day of a published year (only the deployment's top region admin or a superuser):
    holiday, makeup_workday, or back to the default (workday / weekend). 409 when the year is not
    entered yet or the kind does not fit the weekday."""
    refuse_unknown_query(request, set())
    if not scope.can_edit_calendar(request.auth):
        raise Forbidden([], _("只有本系统最高一级区划的管理员可以修改工作日历。"))
    date = dt.date.fromisoformat(day)
    row = actions.set_day(date, kind=payload.kind, name=payload.name, by=request.auth)
    if row is not None:
        return row
    kind = actions.default_kind(date)
    return {
        "day": date,
        "is_workday": kind == CalendarDay.Kind.WORKDAY,
        "kind": kind,
        "name": "",
    }
