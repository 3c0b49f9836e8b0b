"""The staff API's request and response schemas (helpers, organisers, trainings)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from bangban.kernel.schemas import Day, Id, Input, PersonalDay
from bangban.kernel.schemas import text as text_field
from bangban.network.schemas import DomainCode

from ..models import TRAININGS_PER_YEAR, CoverageCorrection
from .common import OrganiserKind, Origin

# --- Schemas ---------------------------------------------------------------------------------------


class ServingOut(Schema):
    point: int
    point_name: str
    role: str


class HelperOut(Schema):
    id: int
    username: str
    full_name: str
    full_time: bool
    origin: Origin
    started_on: dt.date
    left_on: dt.date | None
    work_phone: str
    domains: list[str] = Field(description="domain codes")
    serving: list[ServingOut] = Field(description="where they serve, among the points you see")
    qualified: bool = Field(description="qualified to serve today (上岗资格)")
    reasons: list[str] = Field(description="why not qualified today (empty when qualified)")


class HelperListOut(Schema):
    items: list[HelperOut]
    count: int


class HelperUpdateIn(Input):
    """Only the fields sent are changed; only `left_on` may be null (back in service)."""

    full_time: bool = None  # type: ignore[assignment]
    origin: Origin = None  # type: ignore[assignment]
    started_on: PersonalDay = None  # type: ignore[assignment]
    left_on: PersonalDay | None = None
    work_phone: text_field(40) = None  # type: ignore[valid-type,assignment]
    domains: list[DomainCode] = Field(None, max_length=50)  # type: ignore[valid-type]


class HelperCreateIn(Input):
    user: Id = Field(description="id of the account (as `POST /accounts` answers it)")  # type: ignore[valid-type]
    full_time: bool = True
    origin: Origin
    started_on: PersonalDay
    left_on: PersonalDay | None = None
    work_phone: text_field(40) = ""  # type: ignore[valid-type]
    domains: list[DomainCode] = Field([], max_length=50)  # type: ignore[valid-type]


class ServingAccountOut(Schema):
    user: int = Field(description="id of the account")
    username: str
    full_name: str
    serving: list[ServingOut] = Field(description="where they serve, among the points you see")
    may_create: bool = Field(description="you may give them a profile (`POST /helpers`)")


class ServingAccountListOut(Schema):
    items: list[ServingAccountOut]
    count: int


class QualificationOut(Schema):
    helper: int
    on: dt.date
    qualified: bool
    reasons: list[str]


class OrganiserOut(Schema):
    id: int
    kind: OrganiserKind
    name: str
    name_follows: bool = Field(
        description="the name follows the department's, organisation's or town's"
        " (false once an administrator gave it a name of its own)"
    )
    active: bool = Field(description="what it organises for is in service")
    organises_for: str = Field(description="what it trains for, in words (中文)")
    county: str = Field(description="division code of the organiser's county")
    department: int | None
    town_centre: int | None
    organisation: int | None
    point_count: int = Field(description="points it trains for")
    year: int
    trainings: int = Field(description="trainings held in `year`")
    required: int = Field(description=f"trainings required a year ({TRAININGS_PER_YEAR})")
    short: bool = Field(description="fewer trainings than required in `year`")


CorrectionChange = Literal[tuple(CoverageCorrection.Change.values)]  # type: ignore[valid-type]


class CorrectionOut(Schema):
    point: int
    change: CorrectionChange = Field(  # type: ignore[valid-type]
        description="`added` to what the rule gives, or `removed` from it"
    )
    note: str
    created_at: dt.datetime


class OrganiserDetailOut(OrganiserOut):
    points: list[int] = Field(description="ids of the points it trains for, among those you see")
    corrections: list[CorrectionOut] = Field(
        description="administrators' corrections to the rule, among the points you see"
    )


class CoverageIn(Input):
    points: list[Id] = Field(..., max_length=5000)  # type: ignore[valid-type]
    note: text_field(200, 1) = Field(description="why (记入管理历史)")  # type: ignore[valid-type]


class OrganiserUpdateIn(Input):
    name: text_field(100) | None = Field(  # type: ignore[valid-type]
        None, description="a name of its own; null or empty: follow what it is bound to again"
    )


class OrganiserListOut(Schema):
    items: list[OrganiserOut]
    count: int


class ResultIn(Input):
    helper: Id  # type: ignore[valid-type]
    passed: bool


class ResultOut(Schema):
    helper: int
    name: str
    passed: bool


class TrainingOut(Schema):
    id: int
    organiser: int
    held_on: dt.date
    topic: str
    has_material: bool
    results: list[ResultOut]


class TrainingListOut(Schema):
    items: list[TrainingOut]
    count: int


class TrainingIn(Input):
    organiser: Id  # type: ignore[valid-type]
    held_on: Day
    topic: text_field(200, 1)  # type: ignore[valid-type]
    results: list[ResultIn] = Field(default_factory=list, max_length=1000)


class ResultsIn(Input):
    results: list[ResultIn] = Field(..., max_length=1000)
