"""The compliance page's summary rows (docs/decisions/0063-compliance-summary.md): per county, its
assessed points summed per group of the drill-down, so a province's page sums ~2,000 rows instead of
judging 64,000 points.

Exact by construction, never by a separate formula: a county's rows are `compliance.summary` itself,
run for that county's points and stored with the date it was judged on and the county's generation.

- Every write that changes a fact the rules read calls `changed(counties)` inside its transaction
  (the staff actions directly; the network's writes through `network.changes.facts_changed` and
  `announce`, staff/on_network.py): the county's generation goes up by one.
- A county's rows are used only when they were computed on the day asked for and at the county's
  current generation; otherwise the reader recomputes the stale counties first (`fresh`), all of
  them in one query. What changes with the date alone (a year of service reached, a helper's
  leaving day, a check falling due, a new year) is therefore never read from yesterday's rows.
- The reader locks the stale counties' generation rows before computing, and a writer raises the
  generation in its own transaction: a write that commits while the reader computes either waited
  for the reader (and then raises the generation past the rows just stored) or was seen by it.

Used only where the user sees every point of the region drilled (a superuser; a region admin or
supervisor of the region or above): other scopes are summed live by `compliance.summary`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat, Substr

from bangban.network import access, drill
from bangban.network.models import Region, Role, ServicePoint, code_range

from .models import ComplianceCounty, ComplianceSummary

FIGURES = [
    "points",
    "staffing_failing",
    "qualified_failing",
    "training_failing",
    "equipment_failing",
    "signage_failing",
]


def changed(counties: Iterable[int] | None) -> None:
    """The facts of `counties` (ids; None: every county) changed: raise their generation. Call it
    inside the write's transaction; one query for a county that has its row, a fixed few more
    otherwise, whatever the number of counties."""
    if counties is None:
        ids = list(Region.objects.filter(level=Region.Level.COUNTY).values_list("pk", flat=True))
    else:
        ids = sorted({c for c in counties if c is not None})
    if not ids:
        return
    # The write's transaction; alone (an operator's call), one of its own.
    with transaction.atomic(savepoint=False):
        rows = ComplianceCounty.objects.filter(county_id__in=ids)
        if len(ids) > 1:
            # Locked in the order `fresh` locks them (PostgreSQL), so a write spanning counties and a
            # reader never wait for each other crosswise.
            list(rows.select_for_update().order_by("pk").values_list("pk", flat=True))
        raised = rows.update(generation=F("generation") + 1)
        if raised < len(ids):
            # A county never summed nor changed yet: its row, then raised like the others (a reader
            # inserting it meanwhile makes this insert wait for the reader's commit).
            ComplianceCounty.objects.bulk_create(
                [ComplianceCounty(county_id=c) for c in ids], ignore_conflicts=True
            )
            rows.filter(generation=0).update(generation=1)


def counties_serving(users) -> list[int]:
    """The counties of the points where `users` (ids or a queryset of ids) serve."""
    from bangban.network.models import Membership

    return list(
        Membership.objects.serving()
        .filter(user_id__in=users, point__isnull=False)
        .values_list("point__county_id", flat=True)
        .distinct()
    )


def whole(user, code: str) -> bool:
    """Does `user` see every point of the region `code` ("" : everything)? Then its groups may be
    read from the summary rows."""
    if access.is_superuser(user):
        return True
    if not code or not getattr(user, "is_active", False):
        return False
    return any(
        m.role in (Role.REGION_ADMIN, Role.SUPERVISOR)
        and "view" in access.ROLE_ACTIONS[m.role]
        and code.startswith(m.region.code)
        for m in access.memberships(user)
    )


def _counties(code: str):
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if len(code) == 6:
        return counties.filter(code=code)
    if code:
        low, high = code_range(code)
        return counties.filter(code__gte=low, code__lt=high)
    return counties


def fresh(code: str, on: dt.date) -> None:
    """Make the summary rows of the counties of region `code` exact for `on`: one query when they
    are; otherwise a fixed handful, recomputing every stale county in one `compliance.summary`."""
    from . import compliance

    current = ComplianceCounty.objects.filter(
        county_id=OuterRef("pk"), computed_on=on, computed_generation=F("generation")
    )
    stale = list(
        _counties(code).filter(~Exists(current)).order_by("pk").values_list("pk", flat=True)
    )
    if not stale:
        return
    with transaction.atomic():
        ComplianceCounty.objects.bulk_create(
            [ComplianceCounty(county_id=c) for c in stale], ignore_conflicts=True
        )
        generations = dict(
            ComplianceCounty.objects.select_for_update()
            .filter(county_id__in=stale)
            .order_by("pk")
            .values_list("county_id", "generation")
        )
        town_level = Q(kind__in=drill.TOWN_LEVEL)
        points = ServicePoint.objects.filter(county_id__in=stale).annotate(
            group=Concat(
                Cast("county_id", CharField()),
                Case(When(town_level, then=Value(":T:")), default=Value(":C:")),
                Case(
                    When(town_level, then=Substr("region__code", 1, 9)),
                    default=Value(""),
                    output_field=CharField(),
                ),
                output_field=CharField(),
            )
        )
        rows = []
        for row in compliance.summary(points, on, "group"):
            county, level, town = row.pop("group").split(":", 2)
            rows.append(
                ComplianceSummary(
                    county_id=int(county), town_level=level == "T", town_code=town, **row
                )
            )
        ComplianceSummary.objects.filter(county_id__in=stale).delete()
        ComplianceSummary.objects.bulk_create(rows)
        ComplianceCounty.objects.filter(county_id__in=stale).update(
            computed_on=on,
            computed_generation=Case(
                *(When(county_id=c, then=Value(g)) for c, g in generations.items()),
                output_field=IntegerField(),
            ),
        )


def summary(level: drill.Level, on: dt.date) -> list[dict]:
    """`compliance.summary(level.grouped, on, "group")` read from the summary rows (made `fresh`
    first): the same dicts, for a level grouped by city, county or town."""
    fresh(level.code, on)
    rows = ComplianceSummary.objects.order_by()
    code = level.code
    if len(code) == 6:
        rows = rows.filter(county__code=code, town_level=True).annotate(grp=F("town_code"))
    else:
        if code:
            low, high = code_range(code)
            rows = rows.filter(county__code__gte=low, county__code__lt=high)
        length = {0: 2, 2: 4, 4: 6}[len(code)]
        rows = rows.annotate(grp=Substr("county__code", 1, length, output_field=CharField()))
    result = rows.values("grp").annotate(**{f: Sum(f) for f in FIGURES}).order_by("grp")
    return [{"group": r["grp"], **{f: r[f] for f in FIGURES}} for r in result if r["points"]]
