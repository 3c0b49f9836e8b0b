"""Schemas of the calendar API. Dates are strings of the form YYYY-MM-DD between 2000-01-01 and
2100-12-31, said as a pattern in the OpenAPI document (a date that matches it exists: months'
lengths and leap years are in the pattern), so clients and the fuzz tests know the range."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from bangban.kernel.schemas import DATE_2000_2100, Input, text

from .models import CalendarDay, CalendarYear

__all__ = ["DATE_2000_2100"]  # kept importable from here (kernel.schemas holds it)
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_DAYS = 3650

DayKind = Literal[tuple(CalendarDay.Kind.values)]  # type: ignore[valid-type]
YearSource = Literal[tuple(CalendarYear.Source.values)]  # type: ignore[valid-type]
Unit = Literal["working", "natural"]


class DeadlineOut(Schema):
    deadline: dt.date
    provisional: bool = Field(
        description="true when the count reached a year whose holidays are not yet entered "
        "(counted Monday–Friday minus 1 Jan, 1–2 May, 1–3 Oct); final once the year is entered"
    )


class YearOut(Schema):
    year: int
    published: bool
    source: YearSource
    updated_at: dt.datetime


class YearListOut(Schema):
    items: list[YearOut]
    count: int


class DayOut(Schema):
    day: dt.date
    is_workday: bool
    kind: DayKind
    name: str


class DayListOut(Schema):
    year: int
    published: bool = Field(description="false: the year is counted by the fixed rule, provisional")
    items: list[DayOut] = Field(description="the days that differ from Monday–Friday")
    count: int


class DayIn(Input):
    kind: DayKind = Field(
        description="holiday or makeup_workday store the day; workday (Mon–Fri) or weekend "
        "(Sat, Sun) return it to the default"
    )
    name: text(50) = Field("", description="e.g. 国庆节")  # type: ignore[valid-type]
