"""Compliance with the rules (达标情况): per point, whether it meets each rule, and the same
aggregated per group (province → city → county → town) in the database.

The rules, one column each:

- ``staffing``: enough qualified helpers for its kind (`staffing.with_staffing`);
- ``qualified``: nobody serving there is unqualified today (helpers, and leads with a helper profile);
- ``training``: every organiser responsible for the point's training (`TrainingOrganiser.points`)
  has held at least `TRAININGS_PER_YEAR` trainings this year, and it has at least one organiser;
- ``equipment``: it has equipment in use and no periodic check is overdue;
- ``signage``: the uniform signage is in place.

Only the points where helpers serve (the kinds of `staffing.MINIMUM`) are assessed: the county centre
itself is a building housing the zone, sub-zones and windows, each assessed on its own.

Scope is the caller's: pass `access.points_for(user, "view")` narrowed to a region or a town. Every
function here is one query whatever the number of points (correlated sub-queries per point, summed
per group), so a province's 62,000 stations are summarised without loading them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from bangban.network import access, drill
from bangban.network.models import Membership, Region, Role, ServicePoint

from . import compliance_summary
from .models import TRAININGS_PER_YEAR, Helper, TrainingOrganiser, qualified_condition
from .staffing import FULL_TIME_ONLY, MINIMUM, required_helpers, with_staffing


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    #: The annotation that is true when a point meets the rule.
    ok: str
    #: The annotation counting what is missing at a point (shown as "未达标 (n)").
    missing: str


RULES = [
    Rule("staffing", _("人员配备"), "staffed", "helpers_short"),
    Rule("qualified", _("上岗资格"), "all_qualified", "unqualified_helpers"),
    Rule("training", _("年度培训"), "trainings_held", "organisers_short"),
    Rule("equipment", _("设施设备"), "equipment_ok", "equipment_missing"),
    Rule("signage", _("统一标识"), "signage_ok", "signage_missing"),
]
RULE_CODES = [rule.code for rule in RULES]
RULES_BY_CODE = {rule.code: rule for rule in RULES}

#: The kinds of point assessed (those where helpers serve).
ASSESSED = list(MINIMUM)
#: Kinds listed one row each on a county's page; the rest are summed per town (`network.drill`).
COUNTY_LEVEL, TOWN_LEVEL = drill.COUNTY_LEVEL, drill.TOWN_LEVEL


def _int(subquery: QuerySet) -> Coalesce:
    return Coalesce(Subquery(subquery, output_field=IntegerField()), Value(0))


def serving_memberships(on: dt.date) -> QuerySet[Membership]:
    """Memberships of people serving at a point: helpers, and leads who have a helper profile."""
    return Membership.objects.serving().filter(
        Q(role=Role.HELPER) | Q(user__helper_profile__isnull=False)
    )


def _unqualified(on: dt.date) -> Coalesce:
    """Per point (OuterRef): the people serving there who are not qualified on `on`. The rule is
    tested on the point's own members' profiles (`qualified_condition` through the membership), not
    against the set of every qualified helper, which SQLite re-ran per point (county page 740 ms).
    A member without a profile fails it: `left_on IS NULL AND NULL AND NOT EXISTS` is not true."""
    counted = (
        serving_memberships(on)
        .filter(point=OuterRef("pk"))
        .exclude(qualified_condition(on, "user__helper_profile"))
        .order_by()
        .values("point")
        .annotate(n=Count("user", distinct=True))
        .values("n")
    )
    return _int(counted)


def short_organisers(year: int) -> QuerySet[TrainingOrganiser]:
    return TrainingOrganiser.objects.short_of_trainings(year)


def _organisers(short_in: int | None = None) -> Coalesce:
    """Per point (OuterRef): its training organisers (only those short of trainings in a year)."""
    links = TrainingOrganiser.points.through.objects.filter(servicepoint_id=OuterRef("pk"))
    if short_in is not None:
        links = links.filter(trainingorganiser_id__in=short_organisers(short_in).values("pk"))
    counted = links.order_by().values("servicepoint_id").annotate(n=Count("*")).values("n")
    return _int(counted)


def with_rule_counts(points: QuerySet[ServicePoint], on: dt.date) -> QuerySet[ServicePoint]:
    """The raw per-point figures the rules are judged on (each a correlated sub-query):
    `qualified_helpers` and `required_helpers`, `unqualified_helpers`, `organisers` and
    `organisers_with_few` (short of trainings in `on`'s year), `equipment_count` and
    `equipment_overdue`."""
    return (
        with_staffing(points, on)
        .with_equipment_status(on)
        .annotate(
            unqualified_helpers=_unqualified(on),
            organisers=_organisers(),
            organisers_with_few=_organisers(short_in=on.year),
        )
    )


def with_compliance(points: QuerySet[ServicePoint], on: dt.date) -> QuerySet[ServicePoint]:
    """Annotate each point with, per rule, whether it is met (`staffed`, `all_qualified`,
    `trainings_held`, `equipment_ok`, `signage_ok`) and how much is missing (`helpers_short`,
    `unqualified_helpers`, `organisers_short`, `equipment_missing`, `signage_missing`). One query,
    whatever the number of points (meant for a page of points: a group is `summary`'s)."""
    return with_rule_counts(points, on).annotate(
        helpers_short=Case(
            When(
                qualified_helpers__lt=F("required_helpers"),
                then=F("required_helpers") - F("qualified_helpers"),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
        all_qualified=ExpressionWrapper(Q(unqualified_helpers=0), output_field=BooleanField()),
        # No organiser at all counts as one missing.
        organisers_short=Case(
            When(organisers=0, then=Value(1)),
            default=F("organisers_with_few"),
            output_field=IntegerField(),
        ),
        trainings_held=ExpressionWrapper(
            Q(organisers__gt=0, organisers_with_few=0), output_field=BooleanField()
        ),
        # No equipment at all counts as one missing.
        equipment_missing=Case(
            When(equipment_count=0, then=Value(1)),
            default=F("equipment_overdue"),
            output_field=IntegerField(),
        ),
        equipment_ok=ExpressionWrapper(
            Q(equipment_count__gt=0, equipment_overdue=0), output_field=BooleanField()
        ),
        signage_ok=ExpressionWrapper(Q(signage_in_place=True), output_field=BooleanField()),
        signage_missing=Case(
            When(signage_in_place=True, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    )


#: Per rule, the condition (on the raw annotations) under which a point fails it.
FAILS = {
    "staffing": Q(qualified_helpers__lt=F("required_helpers")),
    "qualified": Q(unqualified_helpers__gt=0),
    "training": Q(organisers=0) | Q(organisers_with_few__gt=0),
    "equipment": Q(equipment_count=0) | Q(equipment_overdue__gt=0),
    "signage": Q(signage_in_place=False),
}


def failing(points: QuerySet[ServicePoint], rule: str) -> QuerySet[ServicePoint]:
    """Narrow points annotated by `with_compliance` to those failing `rule`."""
    return points.filter(FAILS[rule])


def assessed(points: QuerySet[ServicePoint]) -> QuerySet[ServicePoint]:
    return points.filter(kind__in=ASSESSED, active=True)


def summary(points: QuerySet[ServicePoint], on: dt.date, group: str | None = None) -> list[dict]:
    """Per group (an expression name annotated on `points`, e.g. from `by_code_prefix`): `points`
    assessed, and per rule `<rule>_failing`, the number of points failing it. One query.

    At province scale correlated sub-queries per point cost seconds (one index probe per point
    and rule, and PostgreSQL re-runs the organisers' HAVING for each), so the per-point figures are
    computed here set-wise instead: one grouped derived table per rule over the points in scope
    (built from the same querysets as `with_rule_counts`), joined to the points and summed."""
    from bangban.network.models import Equipment

    scope = assessed(points)
    ids = scope.values("pk")
    qualified = Helper.objects.qualified(on)
    staff = (
        Membership.objects.serving(at=ids)
        .order_by()
        .values("point_id")
        .annotate(
            q=Count("user_id", distinct=True, filter=Q(user_id__in=qualified.values("user_id"))),
            qft=Count(
                "user_id",
                distinct=True,
                filter=Q(user_id__in=qualified.filter(full_time=True).values("user_id")),
            ),
            unq=Count(
                "user_id",
                distinct=True,
                filter=(Q(role=Role.HELPER) | Q(user__helper_profile__isnull=False))
                & ~Q(user_id__in=qualified.values("user_id")),
            ),
        )
    )
    training = (
        TrainingOrganiser.points.through.objects.filter(servicepoint_id__in=ids)
        .order_by()
        .values("servicepoint_id")
        .annotate(
            organisers=Count("*"),
            few=Count(
                "trainingorganiser_id",
                filter=Q(trainingorganiser_id__in=short_organisers(on.year).values("pk")),
            ),
        )
    )
    equipment = (
        Equipment.objects.in_use()
        .filter(point_id__in=ids)
        .with_check_dates()
        .order_by()
        .values("point_id")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(next_check_on__lt=on)))
    )
    rows = scope.annotate(required=required_helpers()).order_by()
    rows = rows.annotate(grp=F(group)) if group else rows.annotate(grp=Value("", CharField()))
    rows = rows.annotate(pid=F("pk")).values("pid", "kind", "signage_in_place", "required", "grp")

    parts, params = [], []
    for queryset in (rows, staff, training, equipment):
        sql, p = queryset.query.sql_with_params()
        parts.append(sql)
        params.extend(p)
    full_time_only = list(FULL_TIME_ONLY)
    marks = ", ".join(["%s"] * len(full_time_only))
    # Built only from compiled querysets and placeholders; every value is a parameter.
    sql = f"""
        SELECT p.grp, COUNT(*),
          SUM(CASE WHEN (CASE WHEN p.kind IN ({marks}) THEN COALESCE(s.qft, 0)
                              ELSE COALESCE(s.q, 0) END) < p.required THEN 1 ELSE 0 END),
          SUM(CASE WHEN COALESCE(s.unq, 0) > 0 THEN 1 ELSE 0 END),
          SUM(CASE WHEN COALESCE(t.organisers, 0) = 0 OR COALESCE(t.few, 0) > 0
                   THEN 1 ELSE 0 END),
          SUM(CASE WHEN COALESCE(e.n, 0) = 0 OR COALESCE(e.overdue, 0) > 0 THEN 1 ELSE 0 END),
          SUM(CASE WHEN p.signage_in_place THEN 0 ELSE 1 END)
        FROM ({parts[0]}) p
        LEFT JOIN ({parts[1]}) s ON s.point_id = p.pid
        LEFT JOIN ({parts[2]}) t ON t.servicepoint_id = p.pid
        LEFT JOIN ({parts[3]}) e ON e.point_id = p.pid
        GROUP BY p.grp ORDER BY p.grp
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*full_time_only, *params])
        result = cursor.fetchall()
    keys = ["group", "points", *(f"{code}_failing" for code in RULE_CODES)]
    return [dict(zip(keys, row, strict=True)) for row in result]


by_code_prefix = drill.by_code_prefix


# --- Where a user starts, and a page of points ---------------------------------------------------


def home(user):
    """Where a user's compliance view starts: ("region", code | None), ("point", point) or ("scope", None)."""
    if access.is_superuser(user):
        return "region", None
    places = set()
    for m in access.memberships(user):
        # A special supervisor falls to "scope": theirs is empty (they see no point's people).
        if m.role in (Role.REGION_ADMIN, Role.SUPERVISOR):
            places.add(("region", m.region.code))
        elif m.role in (Role.TOWN_ADMIN, Role.POINT_LEAD, Role.HELPER):
            places.add(("point", m.point))
        else:
            places.add(("scope", None))
    if len(places) == 1:
        return places.pop()
    return "scope", None


def start(user, code: str, point: ServicePoint | None) -> tuple[str, ServicePoint | None]:
    """The (region code, point) a compliance view shows, the page's and the API's alike: a county
    centre's is its county's (the centre is a building, not assessed itself); nothing asked, the
    user's `home`."""
    if point is not None:
        if point.kind == ServicePoint.Kind.COUNTY_CENTRE:
            return point.county.code, None
        return code, point
    if not code:
        what, where = home(user)
        if what == "region":
            return where or "", None
        if what == "point":
            return "", where
    return code, None


@dataclass
class Drilled:
    """A level of the drill-down (`network.drill`) with its compliance: the points listed (ordered,
    annotated by `with_compliance`, narrowed to those failing `rule`) and the groups' `summary`
    rows (each with the region's `name`; only those failing `rule`)."""

    level: drill.Level
    points: QuerySet[ServicePoint] | None
    groups: list[dict]


def drill_down(user, on: dt.date, *, code: str = "", point=None, rule=None) -> Drilled:
    """The compliance page's and `GET /compliance`'s rows at `code` or `point` (see `start`),
    within what `user` may see: one query for the groups, one for the listed points. A user who
    sees the whole region gets its groups from the summary rows (`compliance_summary`: one query,
    a fixed few more when a county's rows are stale); others' are summed live."""
    level = drill.drill_down(
        access.points_for(user, "view"),
        code=code,
        point=point,
        everything=access.is_superuser(user),
    )
    points = None
    if level.listed is not None:
        points = ordered_points(level.listed, on)
        if not level.paged:
            points = points.select_related(None)
        if rule:
            points = failing(points, rule)
    groups = []
    if level.grouped is not None:
        if compliance_summary.whole(user, level.code):
            groups = compliance_summary.summary(level, on)
        else:
            groups = summary(level.grouped, on, "group")
        if rule:
            groups = [g for g in groups if g[f"{rule}_failing"]]
        names = dict(
            Region.objects.filter(code__in=[g["group"] for g in groups]).values_list("code", "name")
        )
        for g in groups:
            g["name"] = names.get(g["group"], g["group"])
    return Drilled(level, points, groups)


def ordered_points(queryset: QuerySet[ServicePoint], on: dt.date) -> QuerySet[ServicePoint]:
    """The assessed points of `queryset` with their compliance, in the order a page lists them."""
    return (
        with_compliance(assessed(queryset), on)
        .select_related("domain")
        .annotate(kind_rank=KIND_RANK)
        .order_by("kind_rank", "domain__position", "region__code", "name", "id")
    )


KIND_RANK = Case(
    *(When(kind=kind, then=Value(rank)) for rank, kind in enumerate(ServicePoint.Kind.values)),
    output_field=IntegerField(),
)


# --- The causes at one point (the page behind a red cell) ----------------------------------------


@dataclass
class ServingPerson:
    user: object
    helper: Helper | None
    roles: list[str]
    reasons: list[str]
    counts: bool  # counts toward the point's minimum (qualified, and full-time where required)


def serving_people(point: ServicePoint, on: dt.date) -> list[ServingPerson]:
    """Everyone serving at `point`, each with the reasons they are not qualified on `on` (empty when
    they are) and whether they count toward the point's minimum."""
    from .qualification import reasons_not_qualified

    people: dict[int, ServingPerson] = {}
    memberships = (
        serving_memberships(on)
        .filter(point=point)
        .select_related("user", "user__helper_profile")
        .order_by("user__username", "role")
    )
    for m in memberships:
        person = people.get(m.user_id)
        if person is None:
            helper = getattr(m.user, "helper_profile", None)
            reasons = reasons_not_qualified(helper, on)
            counts = not reasons and (point.kind not in FULL_TIME_ONLY or helper.full_time)
            person = people[m.user_id] = ServingPerson(m.user, helper, [], reasons, counts)
        person.roles.append(m.get_role_display())
    return list(people.values())


def organisers_of(point: ServicePoint, year: int) -> list[TrainingOrganiser]:
    """The point's training organisers, each with `trainings` held in `year` and `short`."""
    organisers = list(TrainingOrganiser.objects.filter(points=point).with_trainings(year))
    for organiser in organisers:
        organiser.short = organiser.trainings < TRAININGS_PER_YEAR
    return organisers


def equipment_of(point: ServicePoint, on: dt.date) -> list:
    """The point's equipment in use, each with its check dates and `overdue` on `on`."""
    from bangban.network.models import Equipment

    items = list(
        Equipment.objects.filter(point=point)
        .in_use()
        .with_check_dates()
        .select_related("kind")
        .order_by("kind__position", "id")
    )
    for item in items:
        item.overdue = item.next_check_on < on
    return items
