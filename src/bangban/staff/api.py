"""The staff JSON API: helpers (profiles, qualification), trainings (organisers, sessions), the
linkage directory (the one exception to scope: directory fields only) and compliance (达标情况).
Thin, like network/api.py: validate, ask the gate, call an action or a queryset, render. See
docs/api.md.

Status codes: 401 no or bad token; 403 visible but not allowed; 404 missing or not visible (also for
ids named in a body); 409 well-formed but against a staff rule (`StaffError`); 422 malformed input.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from bangban.network import access
from bangban.network.api import ApiError, Forbidden, NotVisible, Status, _refuse_unknown_query
from bangban.network.models import (
    Domain,
    Membership,
    ServicePoint,
)
from bangban.network.schemas import (
    MAX_ID,
    NO_CONTROL,
    Day,
    DomainCode,
    Id,
    Input,
    PersonalDay,
    PointKind,
    errors,
)
from bangban.network.schemas import text as text_field

from . import actions, compliance, directory, scope
from .helper_filter import HelperFilter, serving_at
from .models import (
    TRAININGS_PER_YEAR,
    CoverageCorrection,
    Helper,
    TrainingAttendance,
    TrainingOrganiser,
    TrainingSession,
)
from .qualification import reasons_from_training, reasons_not_qualified, with_training

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000
MIN_YEAR, MAX_YEAR = 2000, 2100

Origin = Literal[tuple(Helper.Origin.values)]  # type: ignore[valid-type]
OrganiserKind = Literal[tuple(TrainingOrganiser.Kind.values)]  # type: ignore[valid-type]

router = Router(tags=["staff"])


Limit = Query(50, ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")
Offset = Query(0, ge=0, le=MAX_OFFSET)
OnDay = Query(None, description="the day (YYYY-MM-DD); today by default")
Year = Query(None, ge=MIN_YEAR, le=MAX_YEAR, description="calendar year; this year by default")


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


# --- Helpers ---------------------------------------------------------------------------------------


def _helper_rows(user, qs, on: dt.date):
    serving = Prefetch(
        "user__memberships",
        queryset=Membership.objects.serving(at=access.points_for(user, "view").values("pk"))
        .select_related("point")
        .order_by("point_id", "id"),
        to_attr="serving",
    )
    return with_training(qs, on).select_related("user").prefetch_related(serving, "domains")


def helper_out(h: Helper, on: dt.date) -> dict:
    reasons = reasons_from_training(h, on)
    return {
        "id": h.pk,
        "username": h.user.username,
        "full_name": str(h),
        "full_time": h.full_time,
        "origin": h.origin,
        "started_on": h.started_on,
        "left_on": h.left_on,
        "work_phone": h.work_phone,
        "domains": sorted(d.code for d in h.domains.all()),
        "serving": [
            {"point": m.point_id, "point_name": m.point.name, "role": m.role}
            for m in h.user.serving
        ],
        "qualified": not reasons,
        "reasons": reasons,
    }


def _one_helper(user, pk: int) -> dict:
    today = timezone.localdate()
    return helper_out(_helper_rows(user, Helper.objects.filter(pk=pk), today).get(), today)


def _get_helper(user, helper_id: int, action: access.Action) -> Helper:
    try:
        return scope.get_helper_for(user, helper_id, action)
    except Http404:
        if action != "view" and scope.helpers_for(user).filter(pk=helper_id).exists():
            raise Forbidden(["path", "helper_id"], _("您无权修改该帮办代办员的档案。")) from None
        raise ApiError(
            404, ["path", "helper_id"], _("帮办代办员不存在或无权访问。"), "not_found"
        ) from None


@router.get("/helpers", response={200: HelperListOut, **errors(422)}, summary="List helpers")
def list_helpers(
    request,
    point: int | None = Query(None, ge=1, le=MAX_ID, description="id of a point they serve at"),
    town: str | None = Query(
        None,
        pattern=r"^([0-9]{9}|[0-9]{9}000)$",
        description="town code (9 digits, or its 12-digit form): serving at a point in that town",
    ),
    qualified: bool | None = Query(None, description="qualified to serve today, or not"),
    q: str | None = Query(None, max_length=100, pattern=NO_CONTROL, description="name"),
    limit: int = Limit,
    offset: int = Offset,
):
    """The helper profiles the caller may see, by id, each with today's qualification."""
    _refuse_unknown_query(request, {"point", "town", "qualified", "q", "limit", "offset"})
    user = request.auth
    today = timezone.localdate()
    wanted = HelperFilter(point=point, town=town or "", qualified=qualified, text=q or "")
    qs = wanted.apply(scope.helpers_for(user), today)
    count = qs.count()
    page = list(qs.order_by("id").values_list("id", flat=True)[offset : offset + limit])
    items = _helper_rows(user, Helper.objects.filter(id__in=page), today).order_by("id")
    return {"items": [helper_out(h, today) for h in items], "count": count}


@router.post(
    "/helpers",
    response={201: HelperOut, **errors(400, 403, 404, 409, 422)},
    summary="Give an account its helper profile",
)
def create_helper(request, payload: HelperCreateIn):
    """Create the helper profile of an account serving (helper or point lead) at a point you may
    change — an account made by `POST /accounts` has none until then, and is not qualified without
    one. Same fields and rules as `PATCH /helpers/{id}`. An account you cannot see → 404; one you
    see but may not manage → 403; one that has a profile already → 409."""
    user = request.auth
    person = scope.accounts_to_profile(user).filter(pk=payload.user).first()
    if person is None:
        if scope.accounts_to_profile(user, "view").filter(pk=payload.user).exists():
            raise Forbidden(["body", "user"], _("您无权为该账号建立帮办代办员档案。"))
        raise NotVisible("user", _("账号"))
    codes = set(payload.domains)
    domains = list(Domain.objects.filter(code__in=codes))
    if len(domains) != len(codes):
        raise NotVisible("domains", _("领域"))
    helper = actions.create_helper(
        person,
        by=user,
        origin=payload.origin,
        started_on=payload.started_on,
        full_time=payload.full_time,
        left_on=payload.left_on,
        work_phone=payload.work_phone,
        domains=domains,
    )
    return Status(201, _one_helper(user, helper.pk))


@router.get(
    "/helpers/without-profile",
    response={200: ServingAccountListOut, **errors(422)},
    summary="List accounts serving at a point without a helper profile",
)
def list_without_profile(
    request,
    point: int | None = Query(None, ge=1, le=MAX_ID, description="id of a point they serve at"),
    limit: int = Limit,
    offset: int = Offset,
):
    """The accounts serving (helper or point lead) at a point you may view that have no helper
    profile yet: they are not qualified to serve until one is created (`POST /helpers`). By id."""
    _refuse_unknown_query(request, {"point", "limit", "offset"})
    user = request.auth
    qs = scope.accounts_to_profile(user, "view").filter(helper_profile__isnull=True)
    if point is not None:
        qs = qs.filter(Exists(Membership.objects.serving(at=point).filter(user=OuterRef("pk"))))
    count = qs.count()
    items = list(
        qs.order_by("id").prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.serving(at=access.points_for(user, "view").values("pk"))
                .select_related("point")
                .order_by("point_id", "id"),
                to_attr="serving",
            )
        )[offset : offset + limit]
    )
    manageable = set(
        scope.accounts_to_profile(user)
        .filter(pk__in=[u.pk for u in items])
        .values_list("pk", flat=True)
    )
    return {
        "items": [
            {
                "user": u.pk,
                "username": u.get_username(),
                "full_name": u.get_full_name() or u.get_username(),
                "serving": [
                    {"point": m.point_id, "point_name": m.point.name, "role": m.role}
                    for m in u.serving
                ],
                "may_create": u.pk in manageable,
            }
            for u in items
        ],
        "count": count,
    }


@router.get(
    "/helpers/{helper_id}", response={200: HelperOut, **errors(404, 422)}, summary="Get a helper"
)
def get_helper(request, helper_id: int = Path(..., ge=1, le=MAX_ID)):
    helper = _get_helper(request.auth, helper_id, "view")
    return _one_helper(request.auth, helper.pk)


@router.patch(
    "/helpers/{helper_id}",
    response={200: HelperOut, **errors(400, 403, 404, 409, 422)},
    summary="Change a helper's profile",
)
def update_helper(request, payload: HelperUpdateIn, helper_id: int = Path(..., ge=1, le=MAX_ID)):
    """Change the profile fields sent (those who may change a point the helper serves at).
    `domains` replaces the list; `left_on` may be set to null."""
    user = request.auth
    helper = _get_helper(user, helper_id, "change")
    sent = payload.model_dump(exclude_unset=True)
    domains = list(helper.domains.all())
    if "domains" in sent:
        codes = set(sent["domains"])
        domains = list(Domain.objects.filter(code__in=codes))
        if len(domains) != len(codes):
            raise NotVisible("domains", _("领域"))
    actions.save_helper(
        helper.user,
        by=user,
        origin=sent.get("origin", helper.origin),
        started_on=sent.get("started_on", helper.started_on),
        full_time=sent.get("full_time", helper.full_time),
        left_on=sent.get("left_on", helper.left_on),
        work_phone=sent.get("work_phone", helper.work_phone),
        domains=domains,
    )
    return _one_helper(user, helper.pk)


@router.get(
    "/helpers/{helper_id}/qualification",
    response={200: QualificationOut, **errors(404, 422)},
    summary="Is a helper qualified to serve on a day",
)
def get_qualification(
    request,
    helper_id: int = Path(..., ge=1, le=MAX_ID),
    on: Day | None = OnDay,
):
    """Qualified to serve (上岗资格, 先培训后上岗) on `on`: active, a year of acceptance work, a
    training passed; with the reasons when not."""
    _refuse_unknown_query(request, {"on"})
    helper = _get_helper(request.auth, helper_id, "view")
    day = on or timezone.localdate()
    reasons = reasons_not_qualified(helper, day)
    return {"helper": helper.pk, "on": day, "qualified": not reasons, "reasons": reasons}


# --- Training organisers ---------------------------------------------------------------------------


def _organisers(qs, year: int):
    """Organisers with what `organiser_out` reads, in one query."""
    return (
        qs.with_trainings(year)
        .with_point_count()
        .select_related("county", "department", "organisation", "town_centre")
    )


def organiser_out(o: TrainingOrganiser, year: int) -> dict:
    return {
        "id": o.pk,
        "kind": o.kind,
        "name": o.name,
        "name_follows": o.name_follows,
        "active": o.active,
        "organises_for": o.organises_for,
        "county": o.county.code,
        "department": o.department_id,
        "town_centre": o.town_centre_id,
        "organisation": o.organisation_id,
        "point_count": o.point_count,
        "year": year,
        "trainings": o.trainings,
        "required": TRAININGS_PER_YEAR,
        "short": o.trainings < TRAININGS_PER_YEAR,
    }


def _get_organiser(
    user, organiser_id: int, action: scope.OrganiserAction, loc=None
) -> TrainingOrganiser:
    loc = loc or ["path", "organiser_id"]
    try:
        return scope.get_organiser_for(user, organiser_id, action)
    except Http404:
        if action != "view" and scope.organisers_for(user, "view").filter(pk=organiser_id).exists():
            refusal = (
                _("您无权更正该组织单位的培训范围或名称。")
                if action == "correct"
                else _("您无权为该组织单位登记培训。")
            )
            raise Forbidden(loc, refusal) from None
        raise ApiError(404, loc, _("培训组织单位不存在或无权访问。"), "not_found") from None


@router.get(
    "/training-organisers",
    response={200: OrganiserListOut, **errors(422)},
    summary="List training organisers",
)
def list_organisers(
    request,
    kind: OrganiserKind | None = None,
    county: str | None = Query(None, pattern=r"^[0-9]{6}$", description="county code"),
    short: bool | None = Query(None, description="fewer trainings than required in `year`"),
    active: bool | None = Query(None, description="in service, or not"),
    year: int | None = Year,
    limit: int = Limit,
    offset: int = Offset,
):
    """The organisers the caller may see, each with the trainings it held in `year` and the number
    of points it trains for."""
    _refuse_unknown_query(request, {"kind", "county", "short", "active", "year", "limit", "offset"})
    year = year or timezone.localdate().year
    qs = scope.organisers_for(request.auth, "view").with_trainings(year)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(active=active)
    if county is not None:
        qs = qs.filter(county__code=county)
    if short is not None:
        qs = (
            qs.filter(trainings__lt=TRAININGS_PER_YEAR)
            if short
            else qs.filter(trainings__gte=TRAININGS_PER_YEAR)
        )
    count = qs.count()
    items = _organisers(qs, year).order_by("id")[offset : offset + limit]
    return {"items": [organiser_out(o, year) for o in items], "count": count}


@router.get(
    "/training-organisers/{organiser_id}",
    response={200: OrganiserDetailOut, **errors(404, 422)},
    summary="Get a training organiser",
)
def get_organiser(request, organiser_id: int = Path(..., ge=1, le=MAX_ID), year: int | None = Year):
    _refuse_unknown_query(request, {"year"})
    user = request.auth
    year = year or timezone.localdate().year
    organiser = _get_organiser(user, organiser_id, "view")
    return _organiser_detail(user, organiser.pk, year)


def _organiser_detail(user, pk: int, year: int) -> dict:
    o = _organisers(TrainingOrganiser.objects.all(), year).get(pk=pk)
    visible = access.points_for(user, "view").values("pk")
    out = organiser_out(o, year)
    out["points"] = list(
        o.points.filter(pk__in=visible).order_by("id").values_list("id", flat=True)
    )
    out["corrections"] = [
        {"point": c.point_id, "change": c.change, "note": c.note, "created_at": c.created_at}
        for c in o.corrections.filter(point__in=visible).order_by("point_id")
    ]
    return out


@router.put(
    "/training-organisers/{organiser_id}/points",
    response={200: OrganiserDetailOut, **errors(400, 403, 404, 409, 422)},
    summary="Correct the points a training organiser trains for",
)
def set_organiser_points(
    request, payload: CoverageIn, organiser_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Make `points` exactly the points the organiser trains for (the county's region admins).
    What differs from the rule is kept as corrections (added / removed, with `note`) that every
    later recomputation — when points are added, moved or taken out of service — applies again.
    A point you cannot see → 404; a point of another county, a point out of service added, or any
    point added to an organiser out of service → 409."""
    user = request.auth
    organiser = _get_organiser(user, organiser_id, "correct")
    wanted = set(payload.points)
    points = list(access.points_for(user, "view").filter(pk__in=wanted))
    if len(points) != len(wanted):
        raise NotVisible("points", _("服务点"))
    actions.set_coverage(organiser, points, by=user, note=payload.note)
    return _organiser_detail(user, organiser.pk, timezone.localdate().year)


@router.patch(
    "/training-organisers/{organiser_id}",
    response={200: OrganiserDetailOut, **errors(400, 403, 404, 409, 422)},
    summary="Rename a training organiser",
)
def update_organiser(
    request, payload: OrganiserUpdateIn, organiser_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Give the organiser a name of its own (the county's region admins); `null` or `""`: its
    name follows its department's, organisation's or town's again."""
    user = request.auth
    organiser = _get_organiser(user, organiser_id, "correct")
    sent = payload.model_dump(exclude_unset=True)
    if "name" in sent:
        actions.rename_organiser(organiser, name=sent["name"] or "", by=user)
    return _organiser_detail(user, organiser.pk, timezone.localdate().year)


# --- Trainings -------------------------------------------------------------------------------------


def _sessions(user, action: access.Action):
    return TrainingSession.objects.filter(
        organiser__in=scope.organisers_for(user, action).values("pk")
    )


def training_out(s: TrainingSession) -> dict:
    return {
        "id": s.pk,
        "organiser": s.organiser_id,
        "held_on": s.held_on,
        "topic": s.topic,
        "has_material": bool(s.material),
        "results": [
            {"helper": a.helper_id, "name": str(a.helper), "passed": a.passed}
            for a in s.attendances.all()
        ],
    }


def _training_detail(pk: int) -> dict:
    s = TrainingSession.objects.prefetch_related(
        Prefetch(
            "attendances",
            queryset=TrainingAttendance.objects.select_related("helper__user").order_by(
                "helper_id"
            ),
        )
    ).get(pk=pk)
    return training_out(s)


def _results(user, organiser: TrainingOrganiser, results: list[ResultIn], keep=()) -> dict:
    """The results named in a body, as {Helper: passed}: each helper must be visible (404) and
    serve at one of the organiser's points, unless already recorded at this training (409)."""
    wanted = {r.helper: r.passed for r in results}
    if not wanted:
        return {}
    visible = {h.pk: h for h in scope.helpers_for(user).filter(pk__in=list(wanted))}
    if user.is_superuser:
        visible = {h.pk: h for h in Helper.objects.filter(pk__in=list(wanted))}
    missing = [pk for pk in wanted if pk not in visible]
    if missing:
        raise NotVisible("results", _("帮办代办员"))
    serving = set(
        Helper.objects.filter(pk__in=list(wanted))
        .filter(serving_at(organiser.points.values("pk")))
        .values_list("pk", flat=True)
    ) | set(keep)
    outside = [pk for pk in wanted if pk not in serving]
    if outside:
        raise actions.StaffError(
            {
                "results": _("帮办代办员（编号 %(ids)s）不在该组织单位负责培训的服务点服务。")
                % {"ids": "、".join(str(pk) for pk in outside)}
            }
        )
    return {visible[pk]: passed for pk, passed in wanted.items()}


@router.get("/trainings", response={200: TrainingListOut, **errors(422)}, summary="List trainings")
def list_trainings(
    request,
    organiser: int | None = Query(None, ge=1, le=MAX_ID, description="id of the organiser"),
    year: int | None = Query(None, ge=MIN_YEAR, le=MAX_YEAR, description="calendar year"),
    limit: int = Limit,
    offset: int = Offset,
):
    """The trainings of the organisers the caller may see, newest first."""
    _refuse_unknown_query(request, {"organiser", "year", "limit", "offset"})
    qs = _sessions(request.auth, "view")
    if organiser is not None:
        qs = qs.filter(organiser_id=organiser)
    if year is not None:
        qs = qs.in_year(year)
    count = qs.count()
    items = qs.order_by("-held_on", "-id").prefetch_related(
        Prefetch(
            "attendances",
            queryset=TrainingAttendance.objects.select_related("helper__user").order_by(
                "helper_id"
            ),
        )
    )[offset : offset + limit]
    return {"items": [training_out(s) for s in items], "count": count}


@router.get(
    "/trainings/{training_id}",
    response={200: TrainingOut, **errors(404, 422)},
    summary="Get a training",
)
def get_training(request, training_id: int = Path(..., ge=1, le=MAX_ID)):
    session = _sessions(request.auth, "view").filter(pk=training_id).first()
    if session is None:
        raise ApiError(404, ["path", "training_id"], _("培训不存在或无权访问。"), "not_found")
    return _training_detail(session.pk)


@router.post(
    "/trainings",
    response={201: TrainingOut, **errors(400, 403, 404, 409, 422)},
    summary="Record a training",
)
def create_training(request, payload: TrainingIn):
    """Record a training the organiser held, with each attendee's result (the organiser's own
    admins). Attendees must serve at one of the organiser's points. Teaching material is uploaded
    on the training's page."""
    user = request.auth
    organiser = _get_organiser(user, payload.organiser, "change", loc=["body", "organiser"])
    results = _results(user, organiser, payload.results)
    session = actions.record_training(
        organiser, held_on=payload.held_on, topic=payload.topic, by=user, results=results
    )
    return Status(201, _training_detail(session.pk))


@router.patch(
    "/trainings/{training_id}",
    response={200: TrainingOut, **errors(400, 403, 404, 409, 422)},
    summary="Set a training's results",
)
def update_results(request, payload: ResultsIn, training_id: int = Path(..., ge=1, le=MAX_ID)):
    """Set who attended and whether each passed; attendees not named keep their result."""
    user = request.auth
    session = _sessions(user, "change").select_related("organiser").filter(pk=training_id).first()
    if session is None:
        if _sessions(user, "view").filter(pk=training_id).exists():
            raise Forbidden(["path", "training_id"], _("您无权修改该培训的考核结果。"))
        raise ApiError(404, ["path", "training_id"], _("培训不存在或无权访问。"), "not_found")
    recorded = session.attendances.values_list("helper_id", flat=True)
    results = _results(user, session.organiser, payload.results, keep=recorded)
    actions.set_training_results(session, results, by=user)
    return _training_detail(session.pk)


# --- The linkage directory (联动信息库): the one deliberate exception to scope --------------------
# Any signed-in user reads the whole deployment's directory, through staff/directory.py's queries and
# rows only (directory fields, never model objects): a page costs a fixed number of queries.

TownCode = Query(
    None,
    pattern=r"^([0-9]{9}|[0-9]{9}000)$",
    description="town code (9 digits, or its 12-digit form)",
)
DirectoryDomain = Query(
    None, min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$", description="domain code"
)
DirectoryText = Query(
    None,
    max_length=100,
    pattern=NO_CONTROL,
    description="Chinese text: a point's name (points); a person's or their point's name (helpers)",
)
DIRECTORY_QUERY = {"town", "domain", "q", "limit", "offset"}
_KIND_BY_LABEL = {str(label): value for value, label in ServicePoint.Kind.choices}


class DirectoryPointOut(Schema):
    id: int
    name: str
    kind: Literal[tuple(ServicePoint.Kind.values)]  # type: ignore[valid-type]
    town: str = Field(description="the town (or, for county-level points, the county) it lies in")
    domains: list[str] = Field(description="domain codes: its own, or those its helpers handle")
    hours: str = Field(description="weekly opening hours in one line (Chinese)")
    phone: str


class DirectoryPointListOut(Schema):
    items: list[DirectoryPointOut]
    count: int


class DirectoryHelperOut(Schema):
    name: str
    points: list[str] = Field(description="names of the points where they serve")
    domains: list[str] = Field(description="domain codes")
    work_phone: str


class DirectoryHelperListOut(Schema):
    items: list[DirectoryHelperOut]
    count: int


def _directory_page(queryset, rows_of, limit: int, offset: int) -> dict:
    today = timezone.localdate()
    count = queryset.count()
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    # Domain codes instead of the page's names: the same rows, keyed as the rest of the API.
    codes = dict(Domain.objects.values_list("pk", "code"))
    return {"items": rows_of(ids, on=today, domains=codes), "count": count}


def _directory_filter(town: str | None, domain: str | None, q: str | None) -> directory.Filter:
    return directory.Filter(place=town or "", domain=domain or "", text=q or "")


@router.get(
    "/directory/points",
    response={200: DirectoryPointListOut, **errors(422)},
    summary="The linkage directory: points",
)
def directory_points(
    request,
    town: str | None = TownCode,
    domain: str | None = DirectoryDomain,
    q: str | None = DirectoryText,
    limit: int = Limit,
    offset: int = Offset,
):
    """Every active point of the deployment (any signed-in user: the one exception to scope), in
    tree order, with directory fields only. `domain`: points of that domain or with a qualified
    helper handling it."""
    _refuse_unknown_query(request, DIRECTORY_QUERY)
    f = _directory_filter(town, domain, q)
    page = _directory_page(
        directory.points(f, on=timezone.localdate()), directory.point_rows, limit, offset
    )
    for row in page["items"]:
        row["kind"] = _KIND_BY_LABEL.get(str(row["kind"]), row["kind"])
    return page


@router.get(
    "/directory/helpers",
    response={200: DirectoryHelperListOut, **errors(422)},
    summary="The linkage directory: qualified helpers",
)
def directory_helpers(
    request,
    town: str | None = TownCode,
    domain: str | None = DirectoryDomain,
    q: str | None = DirectoryText,
    limit: int = Limit,
    offset: int = Offset,
):
    """Every helper of the deployment qualified to serve today at an active point (any signed-in
    user), by name, with directory fields only: no username, e-mail, ID number or personal phone."""
    _refuse_unknown_query(request, DIRECTORY_QUERY)
    f = _directory_filter(town, domain, q)
    return _directory_page(
        directory.helpers(f, on=timezone.localdate()), directory.helper_rows, limit, offset
    )


# --- Compliance (达标情况) -------------------------------------------------------------------------
# The page's levels and scope (staff/views.py `compliance_overview`), through the same functions:
# groups summed in the database by `compliance.summary`, points by `compliance.with_compliance`.

RuleCode = Literal[tuple(compliance.RULE_CODES)]  # type: ignore[valid-type]
GroupLevel = Literal["province", "city", "county", "town", "point"]
COMPLIANCE_REGION = r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{9}000)$"
_GROUP_LEVEL = {2: "province", 4: "city", 6: "county"}
FailRule = Query(None, description="only the rows failing this rule")


class RuleCountsOut(Schema):
    staffing: int
    qualified: int
    training: int
    equipment: int
    signage: int


class ComplianceItemOut(Schema):
    level: GroupLevel = Field(description="a group of points (its region's level), or one point")
    region: str | None = Field(description="the group's division code (null for a point)")
    point: int | None = Field(description="the point's id (null for a group)")
    name: str
    kind: PointKind | None = Field(description="the point's kind (null for a group)")  # type: ignore[valid-type]
    points: int = Field(description="points assessed (1 for a point)")
    failing: RuleCountsOut = Field(
        description="per rule, the points failing it (0 or 1 for a point)"
    )
    missing: RuleCountsOut | None = Field(
        description="a point's shortfall per rule: helpers short, unqualified people, organisers "
        "short, equipment missing or overdue, signage (null for a group)"
    )


class ComplianceOut(Schema):
    on: dt.date
    region: str | None = Field(description="the region shown (null for a point's or a scope's)")
    point: int | None = Field(description="the point shown with its children")
    items: list[ComplianceItemOut]
    count: int


class RuleOut(Schema):
    rule: RuleCode  # type: ignore[valid-type]
    ok: bool
    missing: int


class UnqualifiedOut(Schema):
    name: str
    reasons: list[str]


class OrganiserShortOut(Schema):
    id: int
    name: str
    trainings: int = Field(description="trainings held this year")
    required: int


class OverdueOut(Schema):
    id: int
    kind: str = Field(description="equipment kind code")
    quantity: int
    last_checked_on: dt.date | None
    next_check_on: dt.date


class CompliancePointOut(Schema):
    id: int
    name: str
    kind: PointKind  # type: ignore[valid-type]
    on: dt.date
    assessed: bool = Field(description="a kind of point the rules apply to")
    rules: list[RuleOut]
    required_helpers: int
    qualified_helpers: int = Field(description="qualified (full-time where required) helpers")
    unqualified: list[UnqualifiedOut] = Field(description="people serving there, not qualified")
    organisers: int = Field(description="training organisers responsible for the point")
    organisers_short: list[OrganiserShortOut]
    equipment: int = Field(description="equipment items in use")
    equipment_overdue: list[OverdueOut]
    signage_in_place: bool


def _counts(values: dict) -> dict:
    return {code: int(values[code]) for code in compliance.RULE_CODES}


def _point_item(p: ServicePoint) -> dict:
    return {
        "level": "point",
        "region": None,
        "point": p.pk,
        "name": p.name,
        "kind": p.kind,
        "points": 1,
        "failing": {r.code: int(not getattr(p, r.ok)) for r in compliance.RULES},
        "missing": {r.code: int(getattr(p, r.missing)) for r in compliance.RULES},
    }


def _group_items(groups: list[dict], level: str) -> list[dict]:
    return [
        {
            "level": level,
            "region": g["group"],
            "point": None,
            "name": g["name"],
            "kind": None,
            "points": g["points"],
            "failing": _counts({c: g[f"{c}_failing"] for c in compliance.RULE_CODES}),
            "missing": None,
        }
        for g in groups
    ]


def _not_visible(loc: list) -> ApiError:
    return ApiError(404, loc, _("区划或服务点不存在或无权访问。"), "not_found")


@router.get(
    "/compliance",
    response={200: ComplianceOut, **errors(404, 422)},
    summary="Compliance with the rules, per group or per point",
)
def get_compliance(
    request,
    region: str | None = Query(
        None,
        pattern=COMPLIANCE_REGION,
        description="division code: a province or city (one row per city or county), a county "
        "(its zone, sub-zones and windows, then one row per town) or a town (its points, paged)",
    ),
    point: int | None = Query(
        None, ge=1, le=MAX_ID, description="a point: it and its children (e.g. a town centre's)"
    ),
    fail: RuleCode | None = FailRule,  # type: ignore[valid-type]
    limit: int = Limit,
    offset: int = Offset,
):
    """达标情况 as on the compliance page, within the caller's scope: without `region` or `point`,
    where the page starts for the caller; with both, the point (which must lie in the region).
    Groups are summed in the database; points are paged. `404` when the region or point is missing,
    nothing of it is in the caller's scope, or the point lies outside the region."""
    _refuse_unknown_query(request, {"region", "point", "fail", "limit", "offset"})
    user = request.auth
    on = timezone.localdate()
    here = None
    code = region[:9] if region else ""
    if point is not None:
        try:
            here = access.get_point_for(
                user, point, queryset=ServicePoint.objects.select_related("county", "region")
            )
        except Http404:
            raise _not_visible(["query", "point"]) from None
        if code and not here.region.code.startswith(code):
            # Both given: the region only narrows, and the point lies outside it.
            raise _not_visible(["query", "point"])
    code, here = compliance.start(user, code, here)
    drilled = compliance.drill_down(user, on, code="" if here else code, point=here, rule=fail)
    level = drilled.level
    if level.paged:
        items = [_point_item(p) for p in drilled.points[offset : offset + limit]]
        count = drilled.points.count()
        if level.missing(bool(count)):
            raise _not_visible(["query", "region"])
        return {
            "on": on,
            "region": level.code or None,
            "point": here.pk if here else None,
            "items": items,
            "count": count,
        }
    all_items = [_point_item(p) for p in drilled.points] if drilled.points is not None else []
    all_items += _group_items(drilled.groups, level.group_level)
    if level.missing(bool(all_items)):
        raise _not_visible(["query", "region"])
    return {
        "on": on,
        "region": level.code or None,
        "point": None,
        "items": all_items[offset : offset + limit],
        "count": len(all_items),
    }


def _person_name(user) -> str:
    return f"{user.last_name}{user.first_name}".strip() or _("（未填写姓名）")


def _unqualified_at(point: ServicePoint, on: dt.date) -> list[dict]:
    """`compliance.serving_people`'s unqualified people (names only, with the reasons) in two
    queries whatever their number: the helpers annotated by `with_training`, then anyone serving
    as a helper without a profile."""
    serving = compliance.serving_memberships(on).filter(point=point).values("user_id")
    people = [
        (h.user, reasons_from_training(h, on))
        for h in with_training(Helper.objects.filter(user__in=serving), on).select_related("user")
    ]
    people += [
        (u, reasons_not_qualified(None, on))
        for u in get_user_model().objects.filter(pk__in=serving, helper_profile__isnull=True)
    ]
    people.sort(key=lambda item: item[0].get_username())
    return [{"name": _person_name(user), "reasons": reasons} for user, reasons in people if reasons]


@router.get(
    "/compliance/points/{point_id}",
    response={200: CompliancePointOut, **errors(404, 422)},
    summary="What a point is missing, rule by rule",
)
def get_point_compliance(request, point_id: int = Path(..., ge=1, le=MAX_ID)):
    """Per rule whether the point meets it and how much is missing, with the causes the compliance
    page shows behind a red cell: the unqualified people (names only) and why, the organisers short
    of this year's trainings, the equipment whose check is overdue, the signage."""
    user = request.auth
    on = timezone.localdate()
    try:
        p = access.get_point_for(
            user, point_id, queryset=compliance.with_compliance(ServicePoint.objects.all(), on)
        )
    except Http404:
        raise ApiError(
            404, ["path", "point_id"], _("服务点不存在或无权访问。"), "not_found"
        ) from None
    equipment = compliance.equipment_of(p, on)
    return {
        "id": p.pk,
        "name": p.name,
        "kind": p.kind,
        "on": on,
        "assessed": p.kind in compliance.ASSESSED,
        "rules": [
            {"rule": r.code, "ok": bool(getattr(p, r.ok)), "missing": int(getattr(p, r.missing))}
            for r in compliance.RULES
        ],
        "required_helpers": p.required_helpers,
        "qualified_helpers": p.qualified_helpers,
        "unqualified": _unqualified_at(p, on),
        "organisers": p.organisers,
        "organisers_short": [
            {"id": o.pk, "name": o.name, "trainings": o.trainings, "required": TRAININGS_PER_YEAR}
            for o in compliance.organisers_of(p, on.year)
            if o.short
        ],
        "equipment": len(equipment),
        "equipment_overdue": [
            {
                "id": e.pk,
                "kind": e.kind.code,
                "quantity": e.quantity,
                "last_checked_on": e.last_checked_on,
                "next_check_on": e.next_check_on,
            }
            for e in equipment
            if e.overdue
        ],
        "signage_in_place": p.signage_in_place,
    }
