"""Drilling down the network by its regions: province → city → county → town → point.

One read for every page that sums something over the points a user may see and lets them click
down (compliance today, assessment next): at each level, which points are listed one row each and
which are summed per child region. What is measured per point or per group is the caller's; the
shape of the tree is said here once.

- no place (a superuser): one group per province;
- a province or a city (2 or 4 digits): one group per city or county;
- a county (6 digits): its county-level points (zone, sub-zones, windows) one row each, then one
  group per town (the town centres, village stations and partner stations below it);
- a town (9 digits): its points, one row each (paged);
- a point: it and its children, one row each (paged);
- otherwise (a user whose scope is neither one region nor one point): every point in scope (paged).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Substr

from .models import ServicePoint, code_range

Kind = ServicePoint.Kind

#: Kinds listed one row each on a county's level; the rest are summed per town.
COUNTY_LEVEL = [Kind.DEDICATED_ZONE, Kind.DOMAIN_SUBZONE, Kind.DEPARTMENT_WINDOW]
TOWN_LEVEL = [Kind.TOWN_CENTRE, Kind.VILLAGE_STATION, Kind.PARTNER_STATION]

#: The level of the groups a region's code length is grouped by (a child's code length).
GROUP_LEVEL = {2: "province", 4: "city", 6: "county", 9: "town"}


def by_code_prefix(points: QuerySet[ServicePoint], field: str, length: int) -> QuerySet:
    """Annotate `group` = the first `length` digits of `field` (a region code: e.g.
    "county__code", 4 → the city)."""
    return points.annotate(group=Substr(field, 1, length, output_field=CharField()))


@dataclass
class Level:
    """One level of the drill-down, within the points given (a user's scope)."""

    #: The region shown (its code), "" for the top, a point or a whole scope.
    code: str
    #: The point shown with its children, or None.
    point: ServicePoint | None
    #: Every point of the place (to tell "nothing here" from "nothing failing here").
    scope: QuerySet[ServicePoint]
    #: The points listed one row each (None: only groups).
    listed: QuerySet[ServicePoint] | None = None
    #: The points summed per group, annotated `group` (a child region's code); None: no groups.
    grouped: QuerySet | None = None
    #: What the groups are: "province", "city", "county" or "town".
    group_level: str | None = None

    @property
    def paged(self) -> bool:
        """Listed points are paged (a town, a point, a scope); a county's are shown in full."""
        return self.grouped is None

    def missing(self, found: bool) -> bool:
        """A region was asked for and nothing of it is in scope (its page is a 404). Asked only when
        nothing was `found`, so it costs a query only then."""
        return not found and bool(self.code) and not self.scope.exists()


def drill_down(
    points: QuerySet[ServicePoint],
    *,
    code: str = "",
    point: ServicePoint | None = None,
    everything: bool = False,
) -> Level:
    """The level at the region `code` (2, 4, 6 or 9 digits) or at `point` of `points`; with neither,
    the provinces when `everything` (a superuser), else the points themselves."""
    if point is not None:
        scope = points.filter(Q(pk=point.pk) | Q(parent=point))
        return Level(code="", point=point, scope=scope, listed=scope)
    if len(code) == 9:
        low, high = code_range(code)
        scope = points.filter(region__code__gte=low, region__code__lt=high)
        return Level(code=code, point=None, scope=scope, listed=scope)
    if len(code) == 6:
        scope = points.filter(county__code=code)
        return Level(
            code=code,
            point=None,
            scope=scope,
            listed=scope.filter(kind__in=COUNTY_LEVEL),
            grouped=by_code_prefix(scope.filter(kind__in=TOWN_LEVEL), "region__code", 9),
            group_level=GROUP_LEVEL[9],
        )
    if code or everything:
        length = {0: 2, 2: 4, 4: 6}[len(code)]
        scope = points
        if code:
            low, high = code_range(code)
            scope = points.filter(county__code__gte=low, county__code__lt=high)
        return Level(
            code=code,
            point=None,
            scope=scope,
            grouped=by_code_prefix(scope, "county__code", length),
            group_level=GROUP_LEVEL[length],
        )
    return Level(code="", point=None, scope=points, listed=points)
