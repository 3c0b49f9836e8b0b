"""Staffing rules (the seed's 三(三); docs/domain.md "Staff"): how many qualified helpers each kind of point
needs, and the one function that computes compliance for any set of points.

Everyone qualified serving at a point counts toward its minimum, leads included; a station's minimum
is met only by full-time *and* qualified helpers (docs/domain.md "Definitions"). Compliance is computed in
the database — one correlated count per point, then grouped — so a province's 62,000 stations are
summarised without loading them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from bangban.network.models import Membership, ServicePoint

from .models import qualified_condition

Kind = ServicePoint.Kind

#: Qualified helpers each kind of point needs; kinds not named need none (the county centre itself).
MINIMUM = {
    Kind.DEDICATED_ZONE: 3,
    Kind.DOMAIN_SUBZONE: 2,
    Kind.DEPARTMENT_WINDOW: 1,
    Kind.TOWN_CENTRE: 1,
    Kind.VILLAGE_STATION: 1,
    Kind.PARTNER_STATION: 1,
}

#: Kinds whose minimum counts full-time helpers only (至少确定1名专职帮办代办员).
FULL_TIME_ONLY = {Kind.TOWN_CENTRE, Kind.VILLAGE_STATION, Kind.PARTNER_STATION}


def required_helpers() -> Case:
    return Case(
        *(When(kind=kind, then=Value(n)) for kind, n in MINIMUM.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


def _serving(on: dt.date, *, full_time: bool) -> QuerySet:
    """Memberships at the outer point held by someone qualified on `on` (full-time if asked)."""
    memberships = Membership.objects.serving(at=OuterRef("pk")).filter(
        qualified_condition(on, "user__helper_profile")
    )
    return memberships.filter(user__helper_profile__full_time=True) if full_time else memberships


def _count(memberships: QuerySet) -> Subquery:
    counted = (
        memberships.order_by().values("point").annotate(n=Count("user", distinct=True)).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_staffing(points: QuerySet[ServicePoint], on: dt.date) -> QuerySet[ServicePoint]:
    """Annotate each point with `qualified_helpers` (counted as its kind requires), `required_helpers`
    and `staffed` (whether the minimum is met)."""
    counted = Case(
        When(kind__in=FULL_TIME_ONLY, then=_count(_serving(on, full_time=True))),
        default=_count(_serving(on, full_time=False)),
        output_field=IntegerField(),
    )
    return points.annotate(qualified_helpers=counted, required_helpers=required_helpers()).annotate(
        staffed=ExpressionWrapper(
            Q(qualified_helpers__gte=F("required_helpers")), output_field=BooleanField()
        )
    )


def staffing_summary(points: QuerySet[ServicePoint], on: dt.date, *group_by: str) -> QuerySet:
    """Per group (e.g. "county__code", or "parent" for the stations of each town): how many points
    need helpers (`points`) and how many of those meet their minimum (`staffed`). Without a group:
    one row for the whole set."""
    annotated = with_staffing(points.filter(kind__in=MINIMUM.keys()), on).order_by()
    if group_by:
        annotated = annotated.values(*group_by)
    else:
        annotated = annotated.annotate(whole=Value(1)).values("whole")
    return annotated.annotate(
        points=Count("pk"),
        staffed_points=Sum(
            Case(
                When(qualified_helpers__gte=F("required_helpers"), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        ),
    ).order_by(*group_by)
