"""The figures of 好差评 for any scope and period (docs/domain.md "好差评 figures", decision 0053), by
point, helper or town, with their totals. Read for the figures page, its Excel download and the API
alike (`figures_for`), so a figure means the same thing everywhere.

Each figure is a count over a denominator (`Rate`), never a rate alone; "—" when the denominator is
0. Two queries make a whole set, whatever the number of points: the ratings given in the period and
the service occasions of the period, each grouped in the database (`values()` + `annotate()` with
conditional counts); then one or two small reads name the groups and one reads the counties'
settings.

- 好评率: good over the active first ratings given in the period. Good is levels 4–5, or 3–5 in a
  county whose `FeedbackPolicy.count_basic_as_good` is set: counted per county, then summed.
- 差评率: levels 1–2 over the same.
- 未评价率: the occasions of the period whose rating window has closed with no active first rating
  (a province's default rating counts as unrated), over the occasions of the period whose window
  has closed.
- 主动评价率: the occasions of the period with an active first rating, over the occasions of the
  period.
- 差评整改率: the bad active first ratings whose rectification is closed (`Step.CLOSED`), over the bad
  active first ratings.
- 实名差评回访率: the named (not anonymous) bad active first ratings called back (`called_back_at` set,
  or `rules.CALLS_ENOUGH` failed calls), over the named bad active first ratings.

A rating overturned on appeal is in none of them (`RatingQuerySet.active`), and neither is its
occasion; they are counted apart (`overturned`). Follow-up ratings (追评) are not first ratings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from django.contrib.auth import get_user_model
from django.db.models import Count, FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangban.network.models import Region, ServicePoint
from bangban.workdays import calendar

from .models import BAD, FeedbackPolicy, Level, Rating
from .rules import BUREAU_KINDS, CALLS_ENOUGH, RATING_DAYS
from .scope import occasions_for, ratings_for
from .workflow import Step

By = Literal["point", "helper", "town"]
GROUPINGS: dict[str, str] = {
    "point": gettext_lazy("服务点"),
    "helper": gettext_lazy("帮办代办员"),
    "town": gettext_lazy("镇（街道）"),
}
PRESETS: dict[str, str] = {
    "month": gettext_lazy("本月"),
    "quarter": gettext_lazy("本季度"),
    "year": gettext_lazy("本年"),
}
GOOD = (Level.SATISFIED, Level.VERY_SATISFIED)

# --- The period -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both included."""

    start: dt.date
    end: dt.date

    @classmethod
    def preset(cls, name: str, today: dt.date) -> Period:
        """This month, quarter or year, up to `today`."""
        if name == "year":
            return cls(today.replace(month=1, day=1), today)
        if name == "quarter":
            return cls(today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today)
        return cls(today.replace(day=1), today)


def window_closed_through(today: dt.date) -> dt.date:
    """The last service day whose rating window (补充评价, `rules.rating_closes_on`: the 5th working day
    after it) has ended before `today`; occasions on or before it may no longer be rated."""
    day = today - dt.timedelta(days=1)
    while calendar.deadline(day, RATING_DAYS).date >= today:
        day -= dt.timedelta(days=1)
    return day


# --- One figure -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """`count` of `of`: a figure and its denominator, never one without the other."""

    count: int
    of: int

    @property
    def value(self) -> float | None:
        """The fraction (0–1), or None when there is nothing to divide by."""
        return self.count / self.of if self.of else None

    @property
    def percent(self) -> str:
        return "—" if not self.of else f"{self.count * 100 / self.of:.1f}%"

    def __str__(self) -> str:
        return f"{self.percent}（{self.count}/{self.of}）"


#: What is counted for each group; every figure is two of them.
COUNTS = (
    "ratings",  # active first ratings given in the period
    "good",  # of them, good by their county's setting
    "bad",  # of them, levels 1–2
    "rectified",  # of the bad, rectification closed
    "named_bad",  # of the bad, not anonymous
    "called_back",  # of the named bad, called back (or tried enough times)
    "overturned",  # first ratings of the period overturned on appeal (out of the figures)
    "defaults",  # the province's default ratings of the period (counted as unrated)
    "occasions",  # service occasions of the period (overturned ones left out)
    "rated",  # of them, with an active first rating
    "closed",  # of them, whose rating window has closed
    "unrated",  # of the closed, with no active first rating
)


@dataclass
class Row:
    """One group (a point, a helper, a town) or the total, with its counts and its figures."""

    #: (group, id): ("point", a point's id), ("helper", a user's id or None), ("town", its town
    #: centre's id), ("county", a county region's id: its points the bureau answers for); None for
    #: the total.
    key: tuple | None
    name: str
    kind: str = ""
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    @property
    def group(self) -> str:
        return self.key[0] if self.key else "total"

    @property
    def id(self):  # noqa: A003 - the group's id
        return self.key[1] if self.key else None

    def add(self, counts: dict) -> None:
        for name, value in counts.items():
            self.counts[name] += value

    def __getattr__(self, name):
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    @property
    def good_rate(self) -> Rate:
        return Rate(self.counts["good"], self.counts["ratings"])

    @property
    def bad_rate(self) -> Rate:
        return Rate(self.counts["bad"], self.counts["ratings"])

    @property
    def unrated_rate(self) -> Rate:
        return Rate(self.counts["unrated"], self.counts["closed"])

    @property
    def rated_rate(self) -> Rate:
        return Rate(self.counts["rated"], self.counts["occasions"])

    @property
    def rectified_rate(self) -> Rate:
        return Rate(self.counts["rectified"], self.counts["bad"])

    @property
    def called_back_rate(self) -> Rate:
        return Rate(self.counts["called_back"], self.counts["named_bad"])

    def rates(self) -> dict[str, Rate]:
        return {name: getattr(self, name) for name in RATES}

    @property
    def labelled_rates(self) -> list[tuple[str, Rate]]:
        return [(label, getattr(self, name)) for name, label in RATES.items()]


#: The figures, in the order the page, the export and the API give them.
RATES: dict[str, str] = {
    "good_rate": gettext_lazy("好评率"),
    "bad_rate": gettext_lazy("差评率"),
    "unrated_rate": gettext_lazy("未评价率"),
    "rated_rate": gettext_lazy("主动评价率"),
    "rectified_rate": gettext_lazy("差评整改率"),
    "called_back_rate": gettext_lazy("实名差评回访率"),
}


@dataclass
class FigureSet:
    period: Period
    by: str
    rows: list[Row]
    total: Row
    #: {county name: whether 基本满意 counts as good there}, for the counties whose ratings are in.
    policies: dict[str, bool]
    closed_through: dt.date

    @property
    def basic_counts(self) -> bool | None:
        """Whether 基本满意 counts as good: True or False when every county says the same, None
        when they differ (then each county's own setting, summed)."""
        values = set(self.policies.values())
        return values.pop() if len(values) == 1 else (False if not values else None)

    @property
    def good_rule(self) -> str:
        """What counts as good here, in words (shown beside 好评率)."""
        basic = self.basic_counts
        if basic is None:
            return _("各县按本县设置分别计算后相加：") + "；".join(
                _("%(county)s按 %(levels)s 级") % {"county": name, "levels": "3–5" if on else "4–5"}
                for name, on in self.policies.items()
            )
        return (
            _("好评按 3–5 级计算（本县设置：基本满意计入好评）")
            if basic
            else _("好评按 4–5 级计算")
        )


# --- The reads ---------------------------------------------------------------------------------------


def _active_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}province_default": False, f"{prefix}overturned": False})


def rating_counts(ratings, period: Period, field_name: str) -> dict:
    """{(group, county id): counts} of the first ratings given in `period`, grouped by
    `field_name` ("point" or "helper") and county: one query."""
    active = _active_q()
    bad = active & Q(level__in=sorted(BAD))
    named = bad & Q(anonymous=False)
    called = Q(rectification__called_back_at__isnull=False) | Q(
        rectification__failed_calls__gte=CALLS_ENOUGH
    )
    rows = (
        ratings.first_assess()
        .between(period.start, period.end)
        .order_by()
        .values(field_name, "county")
        .annotate(
            ratings=Count("pk", filter=active),
            good45=Count("pk", filter=active & Q(level__in=GOOD)),
            basic=Count("pk", filter=active & Q(level=Level.BASIC)),
            bad=Count("pk", filter=bad),
            rectified=Count("pk", filter=bad & Q(rectification__status=Step.CLOSED)),
            named_bad=Count("pk", filter=named),
            called_back=Count("pk", filter=named & called),
            overturned=Count("pk", filter=Q(province_default=False, overturned=True)),
            defaults=Count("pk", filter=Q(province_default=True)),
        )
    )
    return {(row.pop(field_name), row.pop("county")): row for row in rows}


def occasion_counts(occasions, period: Period, field_name: str, closed_through: dt.date) -> dict:
    """{group: counts} of the service occasions of `period`, grouped by `field_name`: one query
    (each occasion joined to its first rating only)."""
    first = FilteredRelation("ratings", condition=Q(ratings__assess=Rating.Assess.FIRST))
    # An occasion whose first rating was overturned on appeal is left out of these figures too.
    kept = Q(first__pk__isnull=True) | Q(first__overturned=False) | Q(first__province_default=True)
    rated = Q(first__pk__isnull=False) & _active_q("first__")
    closed = kept & Q(on__lte=closed_through)
    rows = (
        occasions.between(period.start, period.end)
        .annotate(first=first)
        .order_by()
        .values(field_name)
        .annotate(
            occasions=Count("pk", filter=kept),
            rated=Count("pk", filter=rated),
            closed=Count("pk", filter=closed),
            closed_rated=Count("pk", filter=closed & rated),
        )
    )
    found = {}
    for row in rows:
        row["unrated"] = row["closed"] - row.pop("closed_rated")
        found[row.pop(field_name)] = row
    return found


def _policies(county_ids) -> dict[int, bool]:
    found = dict(
        FeedbackPolicy.objects.filter(county_id__in=list(county_ids)).values_list(
            "county_id", "count_basic_as_good"
        )
    )
    return {pk: found.get(pk, False) for pk in county_ids}


def _fold_ratings(by_county: dict, policies: dict[int, bool]) -> dict:
    """{group: counts}: each county's good by its own setting, then summed over counties."""
    folded: dict = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    for (group, county), row in by_county.items():
        counts = folded[group]
        good = row.pop("good45") + (row["basic"] if policies[county] else 0)
        row.pop("basic")
        counts["good"] += good
        for name, value in row.items():
            counts[name] += value
    return folded


def _point_groups(ids) -> dict[int, tuple[object, str, str, str]]:
    """{point id: (key, name, kind, sort key)} for points."""
    points = ServicePoint.objects.filter(pk__in=list(ids)).only("pk", "name", "kind", "ancestry")
    return {
        p.pk: (("point", p.pk), p.name, p.get_kind_display(), f"{p.ancestry}{p.pk}/")
        for p in points
    }


def _town_groups(ids) -> dict[int, tuple[object, str, str, str]]:
    """{point id: (key, name, kind, sort key)} folding each point into its town (the town centre
    and the stations under it), or into its county's own group for the points the bureau answers
    for (the county centre, its zones and windows, the partner stations: `rules.BUREAU_KINDS`)."""
    points = list(
        ServicePoint.objects.filter(pk__in=list(ids))
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
    return groups


def _helper_groups(ids) -> dict[object, tuple[object, str, str, str]]:
    users = get_user_model().objects.filter(pk__in=[i for i in ids if i is not None])
    groups = {
        u.pk: (
            ("helper", u.pk),
            u.get_full_name() or u.username,
            "",
            u.get_full_name() or u.username,
        )
        for u in users.only("pk", "first_name", "last_name", "username")
    }
    if None in ids:
        groups[None] = (("helper", None), _("（未记录服务人员）"), "", "\uffff")
    return groups


def figures_for(user, period: Period, by: By = "point", today: dt.date | None = None) -> FigureSet:
    """The figures of what `user` may see (`feedback.scope`) in `period`, by point, helper or town,
    and their total."""
    today = today or timezone.localdate()
    closed_through = window_closed_through(today)
    field_name = "helper" if by == "helper" else "point"
    by_county = rating_counts(ratings_for(user), period, field_name)
    counties = {county for _group, county in by_county}
    policies = _policies(counties)
    counts = _fold_ratings(by_county, policies)
    for group, row in occasion_counts(
        occasions_for(user), period, field_name, closed_through
    ).items():
        for name, value in row.items():
            counts.setdefault(group, dict.fromkeys(COUNTS, 0))[name] += value
    namer = {"point": _point_groups, "helper": _helper_groups, "town": _town_groups}[by]
    names = namer(set(counts))
    rows: dict = {}
    order: dict = {}
    for group, row_counts in counts.items():
        key, name, kind, sort = names.get(group, ((by, group), str(group), "", "\uffff"))
        row = rows.get(key)
        if row is None:
            row = rows[key] = Row(key=key, name=name, kind=kind)
            order[key] = sort
        row.add(row_counts)
    total = Row(key=None, name=_("合计"))
    for row in rows.values():
        total.add(row.counts)
    county_names = dict(Region.objects.filter(pk__in=list(counties)).values_list("pk", "name"))
    return FigureSet(
        period=period,
        by=by,
        rows=sorted(rows.values(), key=lambda r: (order[r.key], r.name)),
        total=total,
        policies={county_names[pk]: value for pk, value in sorted(policies.items())},
        closed_through=closed_through,
    )
