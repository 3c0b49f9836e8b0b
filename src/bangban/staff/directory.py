"""The linkage directory (帮办代办联动信息库): every active point and every qualified helper of the
deployment, with directory fields only.

It is the one deliberate exception to scope (docs/architecture.md "The gate"): any signed-in user reads the
whole deployment's directory, so nothing leaves this module but the fields written out below — plain
dicts, never model objects: point name, kind, town, domains, opening hours, phone; helper name, the
points where they serve, domains, work phone. No usernames, e-mail addresses, ID numbers or personal
phones; nothing editable.

A page costs a fixed number of queries whatever its size: the page of rows, then one query each for
their hours, their domains and (helpers) their points. An export walks the same queries in chunks.

The text is found through the grams of points' and users' names (`ServicePoint.objects.named`,
`network.models.users_named`; decision 0069): sub-queries of the count and the page, no query more.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from bangban.network.models import (  # noqa: F401 (SERVING_ROLES: named here before, defined once there)
    SERVING_ROLES,
    Domain,
    Membership,
    OpeningHours,
    Region,
    ServicePoint,
    users_named,
)

from .models import Helper, qualified_condition

POINTS = "points"
HELPERS = "helpers"


@dataclass(frozen=True)
class Filter:
    """What the directory is narrowed to: a region (a county, town or village code, or a town's
    name), a domain (its code) and Chinese text (a person's or a point's name)."""

    place: str = ""
    domain: str = ""
    text: str = ""


class UnknownPlace(ValueError):
    """The place named is neither a division code nor a town's name."""


def _place_q(place: str, field: str) -> Q:
    """Points (through `field`, the path to a ServicePoint) in the region `place` names."""
    place = place.strip()
    if not place:
        return Q()
    if place.isascii() and place.isdigit():
        code = place[:9] if len(place) == 12 and place.endswith("000") else place
        if len(code) <= 6:
            return Q(**{f"{field}county__code__gte": code, f"{field}county__code__lt": code + ":"})
        return Q(**{f"{field}region__code__gte": code, f"{field}region__code__lt": code + ":"})
    codes = list(
        Region.objects.filter(
            level__in=[Region.Level.TOWN, Region.Level.COUNTY], name=place
        ).values_list("code", flat=True)
    )
    if not codes:
        raise UnknownPlace(place)
    q = Q()
    for code in codes:
        prefix = "county__code" if len(code) == 6 else "region__code"
        q |= Q(**{f"{field}{prefix}__gte": code, f"{field}{prefix}__lt": code + ":"})
    return q


def _qualified(on: dt.date) -> QuerySet[Helper]:
    return Helper.objects.qualified(on=on)


def _serving(on: dt.date, **filters) -> QuerySet[Membership]:
    """Memberships of qualified helpers serving at active points. The rule is tested on the
    memberships' own helpers (`qualified_condition` through the membership), not by a semi-join on
    every qualified helper of the deployment (70,000 at a province: ~120 ms a query on SQLite)."""
    return Membership.objects.serving().filter(
        qualified_condition(on, via="user__helper_profile"), point__active=True, **filters
    )


def points(f: Filter, *, on: dt.date) -> QuerySet[ServicePoint]:
    """Active points matching the filter, in tree order (ids and ordering only; see `point_rows`)."""
    qs = ServicePoint.objects.active().filter(_place_q(f.place, ""))
    if f.domain:
        handled_by_helper = _serving(
            on, point=OuterRef("pk"), user__helper_profile__domains__code=f.domain
        )
        qs = qs.filter(Q(domain__code=f.domain) | Exists(handled_by_helper))
    if f.text.strip():
        qs = qs.named(f.text.strip())
    return qs.order_by("county__code", "ancestry", "kind", "name", "id")


def helpers(f: Filter, *, on: dt.date) -> QuerySet[Helper]:
    """Qualified helpers serving at an active point, matching the filter."""
    serving = _serving(on, user=OuterRef("user"))
    qs = _qualified(on).filter(Exists(serving))
    if f.place.strip():
        qs = qs.filter(Exists(serving.filter(_place_q(f.place, "point__"))))
    if f.domain:
        qs = qs.filter(domains__code=f.domain)
    text = f.text.strip()
    if text:
        # Those named so, and those serving at a point named so: one set of user ids read through
        # the grams (decision 0069), from which the query starts instead of testing every helper.
        points_named = ServicePoint.objects.named(text).order_by().values("pk")
        serving_there = _serving(on, point__in=points_named).order_by().values("user_id")
        qs = qs.filter(user__in=users_named(text).order_by().union(serving_there))
    return qs.order_by("user__first_name", "user__last_name", "id")


# --- Rows: the directory fields, and nothing else ------------------------------------------------


def _town_name(region: Region) -> str:
    """The town (or, for county-level points, the county) a point lies in."""
    if region.level == Region.Level.VILLAGE and region.parent is not None:
        return region.parent.name
    return region.name


def _hhmm(t: dt.time) -> str:
    return f"{t:%H:%M}"


def hours_summary(periods: Iterable[OpeningHours]) -> str:
    """Weekly hours in one line: weekdays with the same periods are joined into ranges, e.g.
    "星期一至星期五 09:00–12:00、13:30–17:30；延时服务：星期六 09:00–12:00"."""
    by_kind: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for p in sorted(periods, key=lambda p: (p.weekday, p.opens_at)):
        by_kind[p.kind][p.weekday].append(f"{_hhmm(p.opens_at)}–{_hhmm(p.closes_at)}")
    parts = []
    for kind in OpeningHours.Kind.values:
        days = by_kind.get(kind)
        if not days:
            continue
        groups: list[tuple[int, int, tuple[str, ...]]] = []
        for day in sorted(days):
            spans = tuple(days[day])
            if groups and groups[-1][2] == spans and groups[-1][1] == day - 1:
                groups[-1] = (groups[-1][0], day, spans)
            else:
                groups.append((day, day, spans))
        texts = []
        for first, last, spans in groups:
            label = OpeningHours.Weekday(first).label
            if last != first:
                label = _("%(first)s至%(last)s") % {
                    "first": label,
                    "last": OpeningHours.Weekday(last).label,
                }
            texts.append(f"{label} {'、'.join(spans)}")
        text = "，".join(texts)
        if kind != OpeningHours.Kind.REGULAR:
            text = f"{OpeningHours.Kind(kind).label}：{text}"
        parts.append(text)
    return "；".join(parts)


def _domain_names() -> dict[int, str]:
    return dict(Domain.objects.values_list("pk", "name"))


def _order_domains(ids: Iterable[int], names: dict[int, str]) -> list[str]:
    order = list(names)  # Domain's ordering: position, code
    return [names[i] for i in sorted(set(ids), key=order.index) if i in names]


def point_rows(ids: list[int], *, on: dt.date, domains=None) -> list[dict]:
    """The directory fields of the points `ids` (a page, in order): three queries (the points,
    their hours, the domains of their qualified helpers) plus the domain names (pass `domains` to
    read them once per export)."""
    points = list(
        ServicePoint.objects.filter(pk__in=ids)
        .select_related("region__parent")
        .only(
            "id",
            "name",
            "kind",
            "phone",
            "domain_id",
            "region__name",
            "region__level",
            "region__parent__name",
        )
    )
    by_id = {p.pk: p for p in points}
    hours: dict[int, list[OpeningHours]] = defaultdict(list)
    for period in OpeningHours.objects.filter(point_id__in=ids):
        hours[period.point_id].append(period)
    handled: dict[int, set[int]] = defaultdict(set)
    for point_id, domain_id in (
        _serving(on, point_id__in=ids)
        .filter(user__helper_profile__domains__isnull=False)
        .values_list("point_id", "user__helper_profile__domains")
        .distinct()
    ):
        handled[point_id].add(domain_id)
    names = domains if domains is not None else _domain_names()
    rows = []
    for pk in ids:
        p = by_id.get(pk)
        if p is None:
            continue
        domain_ids = {p.domain_id} if p.domain_id else handled[pk]
        rows.append(
            {
                "id": p.pk,
                "name": p.name,
                "kind": p.get_kind_display(),
                "town": _town_name(p.region),
                "domains": _order_domains(domain_ids, names),
                "hours": hours_summary(hours[pk]),
                "phone": p.phone,
            }
        )
    return rows


def helper_rows(ids: list[int], *, on: dt.date, domains=None) -> list[dict]:
    """The directory fields of the helpers `ids` (a page, in order): three queries (names and
    work phones, the points where they serve, their domains) plus the domain names."""
    found = {
        pk: (first, last, phone, user_id)
        for pk, first, last, phone, user_id in Helper.objects.filter(pk__in=ids).values_list(
            "pk", "user__first_name", "user__last_name", "work_phone", "user_id"
        )
    }
    user_ids = [v[3] for v in found.values()]
    serves: dict[int, list[str]] = defaultdict(list)
    for user_id, point_name in (
        _serving(on, user_id__in=user_ids)
        .order_by("point__ancestry", "point__name", "point_id")
        .values_list("user_id", "point__name")
        .distinct()
    ):
        if point_name not in serves[user_id]:
            serves[user_id].append(point_name)
    handled: dict[int, set[int]] = defaultdict(set)
    for helper_id, domain_id in Helper.domains.through.objects.filter(
        helper_id__in=ids
    ).values_list("helper_id", "domain_id"):
        handled[helper_id].add(domain_id)
    names = domains if domains is not None else _domain_names()
    rows = []
    for pk in ids:
        if pk not in found:
            continue
        first, last, phone, user_id = found[pk]
        rows.append(
            {
                "name": f"{last}{first}".strip() or _("（未填写姓名）"),
                "points": serves[user_id],
                "domains": _order_domains(handled[pk], names),
                "work_phone": phone,
            }
        )
    return rows


def id_chunks(queryset: QuerySet, size: int = 2000) -> Iterator[list[int]]:
    """The ids of `queryset`, in its order, in chunks of `size`: one query for the ids, then the
    caller's row queries per chunk (an export never holds more than a chunk of rows)."""
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- Excel export -------------------------------------------------------------------------------

#: The most rows (points and helpers together) one export writes; a larger filter is refused.
MAX_EXPORT_ROWS = 100_000


class TooManyRows(ValueError):
    def __init__(self, count: int):
        self.count = count
        super().__init__(
            _(
                "当前条件下共有 %(n)d 条记录，超过一次导出的上限 %(max)d 条，请按镇（街道）或领域缩小范围后再导出。"
            )
            % {"n": count, "max": MAX_EXPORT_ROWS}
        )


def point_columns() -> list[tuple[str, str, int]]:
    """(header, key, width) of the points sheet."""
    return [
        (_("服务点编号"), "id", 10),
        (_("服务点名称"), "name", 36),
        (_("类型"), "kind", 22),
        (_("所在镇（街道）"), "town", 16),
        (_("负责领域"), "domains", 30),
        (_("服务时间"), "hours", 50),
        (_("联系电话"), "phone", 16),
    ]


def helper_columns() -> list[tuple[str, str, int]]:
    return [
        (_("姓名"), "name", 12),
        (_("服务点"), "points", 40),
        (_("负责领域"), "domains", 30),
        (_("工作电话"), "work_phone", 16),
    ]


def export(f: Filter, path: str, *, on: dt.date) -> int:
    """Write the directory of the filter to an .xlsx file at `path` (XlsxWriter, constant memory:
    rows go to disk as they are written). Returns the number of rows; TooManyRows above the cap."""
    import xlsxwriter

    point_qs, helper_qs = points(f, on=on), helpers(f, on=on)
    count = point_qs.count() + helper_qs.count()
    if count > MAX_EXPORT_ROWS:
        raise TooManyRows(count)
    names = _domain_names()
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    sheets = [
        (_("服务点"), point_columns(), point_qs, point_rows),
        (_("帮办代办员"), helper_columns(), helper_qs, helper_rows),
    ]
    for title, columns, queryset, rows_of in sheets:
        sheet = workbook.add_worksheet(title)
        for col, (label, _key, width) in enumerate(columns):
            sheet.set_column(col, col, width)
            sheet.write_string(0, col, label, header)
        sheet.freeze_panes(1, 0)
        row = 1
        for ids in id_chunks(queryset):
            for item in rows_of(ids, on=on, domains=names):
                for col, (_label, key, _width) in enumerate(columns):
                    value = item[key]
                    if isinstance(value, list):
                        value = "、".join(value)
                    if isinstance(value, int):
                        sheet.write_number(row, col, value)
                    else:
                        sheet.write_string(row, col, value)
                row += 1
    workbook.close()
    return count
