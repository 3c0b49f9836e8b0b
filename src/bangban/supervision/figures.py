"""The figures of complaints and inspections (监督检查统计; docs/domain.md "监督检查 figures", decision
0060) for any scope and period, by point, helper or town, with their totals. Read for the figures
page, its Excel download and the API alike (`figures_for`), so a figure means the same thing
everywhere. Reads only.

The shape is 好差评's (`feedback.figures`, decision 0053, whose `Period`, `Rate`, groupings and
period presets are used as they are): each rate is a count over a denominator
(`Rate`), "—" when the denominator is 0; each table is grouped in the database (`values()` +
`annotate()` with conditional counts), so a whole set costs a fixed number of queries whatever the
number of points: one for the complaints, two for the inspections (the inspections, then their
findings), one or two to name the groups.

Complaints are those received in the period (`received_on`) that the user may see
(`scope.complaints_for`):
- by kind (咨询/求助/投诉/举报/建议) and by category (违规收费, 推诿扯皮, …);
- 已答复: answered (a 求助 turned into a case counts, answered on the case's registration); 已退回:
  sent back to the hotline as not ours;
- 按时办结率: answered by the due day (`due`, after an approved extension) or returned by the return
  day (`return_due`) — `rules.on_time` as a query — over the complaints that had to be done by now:
  the answered and returned ones and the open ones already overdue (an overdue complaint cannot be
  on time any more; leaving it out would reward not answering);
- 属实率: the answered complaints found true (情况属实, `upheld`), over the answered complaints
  with a verdict (`upheld` set; a 咨询 or 建议 is often given none);
- 未办结, 已超期: open now, and of them past their due day today.

Inspections are the submitted ones whose submission falls in the period (`scope.inspections_for`;
a draft is never counted, not even its inspector's own): by point or town (by helper, by point: an
inspection is of a point): count, unannounced (暗访), the average and lowest score as a percentage
of the inspection's full score (checklists differ by level, so raw scores do not compare), the
findings (a checklist item with at least one occurrence) and of them those whose rectification is
closed (整改办结率).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from django.contrib.auth import get_user_model
from django.db.models import Count, F, FloatField, Min, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.feedback.figures import GROUPINGS, PRESETS, Period, Rate
from bangban.feedback.rules import BUREAU_KINDS
from bangban.feedback.workflow import Step as RectificationStep
from bangban.network import access
from bangban.network.models import Region, Role, ServicePoint

from .models import Category, Finding, Inspection, Kind
from .scope import complaints_for, inspections_for
from .workflow import OPEN, Step

By = Literal["point", "helper", "town"]

__all__ = ["GROUPINGS", "PRESETS", "FigureSet", "Period", "Rate", "figures_for"]

# --- The rows ------------------------------------------------------------------------------------

#: What is counted of the complaints of each group, beside one count per kind and per category
#: (`kind_<value>`, `category_<value>`).
COMPLAINT_COUNTS = (
    "complaints",  # received in the period
    "answered",  # answered (or turned into a case)
    "returned",  # sent back as not ours
    "on_time",  # answered by `due`, or returned by `return_due`
    "due_by_now",  # answered, returned, or open and overdue today: what had to be done by now
    "judged",  # answered with a verdict (upheld set)
    "upheld",  # of them, 情况属实
    "open",  # not answered nor returned yet
    "overdue",  # of them, past `due` today
    *(f"kind_{value}" for value in Kind.values),
    *(f"category_{value}" for value in Category.values),
)
#: What is counted of the inspections of each group.
INSPECTION_COUNTS = (
    "inspections",  # submitted in the period
    "unannounced",  # of them, 暗访
    "scored",  # of them, with a score and a full score
    "percent_sum",  # the sum of their scores as percentages of their full scores
    "findings",  # their findings with at least one occurrence
    "rectified",  # of those, with the rectification closed
)


@dataclass
class Row:
    """One group (a point, a helper, a town, the county's own points) or the total."""

    #: (group, id): ("point", a point's id or None), ("helper", a user's id or None), ("town", its
    #: town centre's id), ("county", a county's id: the points the bureau answers for); None for
    #: the total.
    key: tuple | None
    name: str
    kind: str = ""
    counts: dict = field(default_factory=dict)
    #: The lowest score as a percentage (inspections only; None when none was scored).
    lowest: float | None = None

    @property
    def group(self) -> str:
        return self.key[0] if self.key else "total"

    @property
    def id(self):  # noqa: A003 - the group's id
        return self.key[1] if self.key else None

    def add(self, counts: dict, lowest: float | None = None) -> None:
        for name, value in counts.items():
            self.counts[name] = self.counts.get(name, 0) + value
        if lowest is not None and (self.lowest is None or lowest < self.lowest):
            self.lowest = lowest

    def __getattr__(self, name):
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)


class ComplaintRow(Row):
    def __init__(self, key, name, kind=""):
        super().__init__(key=key, name=name, kind=kind, counts=dict.fromkeys(COMPLAINT_COUNTS, 0))

    @property
    def on_time_rate(self) -> Rate:
        """按时办结率."""
        return Rate(self.counts["on_time"], self.counts["due_by_now"])

    @property
    def upheld_rate(self) -> Rate:
        """属实率."""
        return Rate(self.counts["upheld"], self.counts["judged"])

    def rates(self) -> dict[str, Rate]:
        return {"on_time_rate": self.on_time_rate, "upheld_rate": self.upheld_rate}

    @property
    def by_kind(self) -> list[tuple[str, int]]:
        return [(label, self.counts[f"kind_{value}"]) for value, label in Kind.choices]

    @property
    def by_category(self) -> list[tuple[str, int]]:
        return [(label, self.counts[f"category_{value}"]) for value, label in Category.choices]


class InspectionRow(Row):
    def __init__(self, key, name, kind=""):
        super().__init__(key=key, name=name, kind=kind, counts=dict.fromkeys(INSPECTION_COUNTS, 0))

    @property
    def average(self) -> float | None:
        """The average score, as a percentage of the full score (None when none was scored)."""
        scored = self.counts["scored"]
        return self.counts["percent_sum"] / scored if scored else None

    @property
    def average_text(self) -> str:
        return score_text(self.average)

    @property
    def lowest_text(self) -> str:
        return score_text(self.lowest)

    @property
    def rectified_rate(self) -> Rate:
        """整改办结率 of the findings."""
        return Rate(self.counts["rectified"], self.counts["findings"])


def score_text(value: float | None) -> str:
    """A score percentage as shown: "87.5%", or "—"."""
    return "—" if value is None else f"{value:.1f}%"


@dataclass
class FigureSet:
    period: Period
    by: str
    #: The county picked (None: every county of the scope).
    county: Region | None
    complaints: list[ComplaintRow]
    complaints_total: ComplaintRow
    #: The grouping of the inspections: by town when `by` is "town", else by point.
    inspections_by: str
    inspections: list[InspectionRow]
    inspections_total: InspectionRow
    today: dt.date


# --- Who is above a county ---------------------------------------------------------------------------


def counties_of(user) -> list[Region]:
    """The counties `user` sees as a region role (region administrator, supervisor) of a city or
    a province, or every county for a superuser: those the county picker offers. Empty for
    everyone bound to one county or below (they have nothing to pick)."""
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if access.is_superuser(user):
        return list(counties.order_by("code"))
    q = Q()
    for m in access.memberships(user):
        if m.role in (Role.REGION_ADMIN, Role.SUPERVISOR) and m.region.level in (
            Region.Level.PROVINCE,
            Region.Level.CITY,
        ):
            low, high = m.region.code_range
            q |= Q(code__gte=low, code__lt=high)
    return list(counties.filter(q).order_by("code")) if q else []


# --- The reads ---------------------------------------------------------------------------------------


def on_time_q() -> Q:
    """`rules.on_time` as a query: answered by the due day, or returned by the return day."""
    return Q(status=Step.ANSWERED, answered_on__lte=F("due")) | Q(
        status=Step.RETURNED, returned_on__lte=F("return_due")
    )


def complaint_counts(complaints, period: Period, field_name: str, today: dt.date) -> dict:
    """{group: counts} of the complaints received in `period`, grouped by `field_name` ("point" or
    "helper"): one query."""
    open_q = Q(status__in=sorted(OPEN))
    overdue = open_q & Q(due__lt=today)
    answered = Q(status=Step.ANSWERED)
    closed = answered | Q(status=Step.RETURNED)
    judged = answered & Q(upheld__isnull=False)
    counts = {
        "complaints": Count("pk"),
        "answered": Count("pk", filter=answered),
        "returned": Count("pk", filter=Q(status=Step.RETURNED)),
        "on_time": Count("pk", filter=on_time_q()),
        "due_by_now": Count("pk", filter=closed | overdue),
        "judged": Count("pk", filter=judged),
        "upheld": Count("pk", filter=judged & Q(upheld=True)),
        "open": Count("pk", filter=open_q),
        "overdue": Count("pk", filter=overdue),
    }
    for value in Kind.values:
        counts[f"kind_{value}"] = Count("pk", filter=Q(kind=value))
    for value in Category.values:
        counts[f"category_{value}"] = Count("pk", filter=Q(category=value))
    rows = (
        complaints.filter(received_on__gte=period.start, received_on__lte=period.end)
        .order_by()
        .values(field_name)
        .annotate(**counts)
    )
    return {row.pop(field_name): row for row in rows}


def _percent():
    return Cast(F("score"), FloatField()) * 100.0 / Cast(F("full_score"), FloatField())


def inspection_counts(inspections, period: Period) -> tuple[dict, dict]:
    """({point id: counts}, {point id: lowest percentage}) of the inspections submitted in
    `period`: two queries (the inspections, then their findings)."""
    submitted = inspections.filter(
        status=Inspection.Status.SUBMITTED,
        submitted_at__date__gte=period.start,
        submitted_at__date__lte=period.end,
    )
    scored = Q(score__isnull=False, full_score__gt=0)
    rows = (
        submitted.order_by()
        .values("point")
        .annotate(
            inspections=Count("pk"),
            unannounced=Count("pk", filter=Q(announced=False)),
            scored=Count("pk", filter=scored),
            percent_sum=Sum(_percent(), filter=scored),
            lowest=Min(_percent(), filter=scored),
        )
    )
    counts: dict = {}
    lowest: dict = {}
    for row in rows:
        point = row.pop("point")
        lowest[point] = row.pop("lowest")
        row["percent_sum"] = float(row["percent_sum"] or 0)
        counts[point] = {**row, "findings": 0, "rectified": 0}
    found = Q(occurrences__gt=0)
    findings = (
        Finding.objects.filter(inspection__in=submitted.values("pk"))
        .order_by()
        .values("inspection__point")
        .annotate(
            findings=Count("pk", filter=found),
            rectified=Count("pk", filter=found & Q(rectification__status=RectificationStep.CLOSED)),
        )
    )
    for row in findings:
        point = row.pop("inspection__point")
        if point in counts:
            counts[point].update(row)
    return counts, lowest


# --- Naming the groups -------------------------------------------------------------------------------


def _point_groups(ids) -> dict:
    """{point id: (key, name, kind, sort key)}; None: the complaints linked to no point."""
    points = ServicePoint.objects.filter(pk__in=[i for i in ids if i is not None])
    groups = {
        p.pk: (("point", p.pk), p.name, p.get_kind_display(), f"{p.ancestry}{p.pk}/")
        for p in points.only("pk", "name", "kind", "ancestry")
    }
    if None in ids:
        groups[None] = (("point", None), _("（未关联服务点）"), "", "\uffff")
    return groups


def _town_groups(ids) -> dict:
    """{point id: (key, name, kind, sort key)} folding each point into its town (the town centre
    above it), or into its county's group "县级" for the points the bureau answers for (the county
    centre, its zones and windows, the partner stations: `feedback.rules.BUREAU_KINDS`)."""
    points = list(
        ServicePoint.objects.filter(pk__in=[i for i in ids if i is not None])
        .select_related("county")
        .only("pk", "name", "kind", "ancestry", "county__name", "county__code")
    )
    above = {i for p in points for i in p.ancestor_ids}
    towns = {
        t.pk: t
        for t in ServicePoint.objects.filter(
            pk__in=sorted(above), kind=ServicePoint.Kind.TOWN_CENTRE
        ).only("pk", "name", "ancestry")
    }
    town_label = ServicePoint.Kind.TOWN_CENTRE.label
    groups = {}
    for p in points:
        town = None
        if p.kind == ServicePoint.Kind.TOWN_CENTRE:
            town = p
        elif p.kind not in BUREAU_KINDS:
            town = next((towns[i] for i in reversed(p.ancestor_ids) if i in towns), None)
        if town is None:
            name = _("%(county)s县级服务点和合作网点") % {"county": p.county.name}
            groups[p.pk] = (("county", p.county_id), name, _("县级"), f"/{p.county.code}/")
        else:
            groups[p.pk] = (("town", town.pk), town.name, town_label, f"{town.ancestry}{town.pk}/")
    if None in ids:
        groups[None] = (("town", None), _("（未关联服务点）"), "", "\uffff")
    return groups


def _helper_groups(ids) -> dict:
    users = get_user_model().objects.filter(pk__in=[i for i in ids if i is not None])
    groups = {}
    for u in users.only("pk", "first_name", "last_name", "username"):
        name = u.get_full_name() or u.username
        groups[u.pk] = (("helper", u.pk), name, "", name)
    if None in ids:
        groups[None] = (("helper", None), _("（未关联人员）"), "", "\uffff")
    return groups


NAMERS = {"point": _point_groups, "helper": _helper_groups, "town": _town_groups}


def _rows(counts: dict, by: str, make, lowest: dict | None = None) -> list:
    names = NAMERS[by](set(counts))
    rows: dict = {}
    order: dict = {}
    for group, row_counts in counts.items():
        key, name, kind, sort = names.get(group, ((by, group), str(group), "", "\uffff"))
        row = rows.get(key)
        if row is None:
            row = rows[key] = make(key, name, kind)
            order[key] = sort
        row.add(row_counts, (lowest or {}).get(group))
    return sorted(rows.values(), key=lambda r: (order[r.key], r.name))


def _total(rows: list, make) -> Row:
    total = make(None, _("合计"))
    for row in rows:
        total.add(row.counts, row.lowest)
    return total


def figures_for(
    user,
    period: Period,
    by: By = "point",
    today: dt.date | None = None,
    county: Region | None = None,
) -> FigureSet:
    """The figures of the complaints and inspections `user` may see (`supervision.scope`) in
    `period`, by point, helper or town, with their totals; of one `county` when given (the picker
    of those above a county)."""
    today = today or timezone.localdate()
    complaints = complaints_for(user)
    inspections = inspections_for(user)
    if county is not None:
        complaints = complaints.filter(county=county)
        inspections = inspections.filter(county=county)
    field_name = "helper" if by == "helper" else "point"
    complaint_rows = _rows(
        complaint_counts(complaints, period, field_name, today), by, ComplaintRow
    )
    inspections_by = "town" if by == "town" else "point"
    counts, lowest = inspection_counts(inspections, period)
    inspection_rows = _rows(counts, inspections_by, InspectionRow, lowest)
    return FigureSet(
        period=period,
        by=by,
        county=county,
        complaints=complaint_rows,
        complaints_total=_total(complaint_rows, ComplaintRow),
        inspections_by=inspections_by,
        inspections=inspection_rows,
        inspections_total=_total(inspection_rows, InspectionRow),
        today=today,
    )
