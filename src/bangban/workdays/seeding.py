"""What the `chinesecalendar` package knows, in the calendar table's terms, and writing it there.

Used by the data migration (with the historical models) and by `bangban calendar sync` (with the
current ones): `sync_years(CalendarYear, CalendarDay, ...)` takes the model classes for that reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FIRST_YEAR = 2004

#: The package's holiday names, in Chinese (the names of the State Council's notices).
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"


@dataclass(frozen=True)
class PackageDay:
    day: dt.date
    kind: str
    name: str

    @property
    def is_workday(self) -> bool:
        return self.kind == MAKEUP_WORKDAY


def package_last_year() -> int:
    from chinese_calendar.constants import holidays

    return max(day.year for day in holidays)


def package_years() -> range:
    """The years the installed package knows: 2004 through the last it has a holiday for."""
    return range(FIRST_YEAR, package_last_year() + 1)


def package_days(year: int | None = None) -> dict[dt.date, PackageDay]:
    """The package's exceptional days (of one year, or all)."""
    from chinese_calendar.constants import holidays, workdays

    out: dict[dt.date, PackageDay] = {}
    for table, kind in ((holidays, HOLIDAY), (workdays, MAKEUP_WORKDAY)):
        for day, label in table.items():
            if year is None or day.year == year:
                name = HOLIDAY_NAMES.get(str(label), str(label))
                out[day] = PackageDay(day, kind, name)
    return dict(sorted(out.items()))


def sync_years(CalendarYear, CalendarDay, *, force: bool = False, by=None) -> dict[str, list[int]]:  # noqa: N803
    """Make the table hold the package's years. A year an admin entered is left alone unless
    `force`. Writes only what differs, so a second run changes nothing.

    Returns {"added": [...], "updated": [...], "kept_admin": [...], "unchanged": [...]}."""
    report: dict[str, list[int]] = {"added": [], "updated": [], "kept_admin": [], "unchanged": []}
    existing = {row.year: row for row in CalendarYear.objects.all()}
    for year in package_years():
        row = existing.get(year)
        if row is not None and row.source == "admin" and not force:
            report["kept_admin"].append(year)
            continue
        wanted = {d.day: (d.kind, d.name) for d in package_days(year).values()}
        have = {
            day: (kind, name)
            for day, kind, name in CalendarDay.objects.filter(
                day__gte=dt.date(year, 1, 1), day__lte=dt.date(year, 12, 31)
            ).values_list("day", "kind", "name")
        }
        same_days = wanted == have
        same_year = row is not None and row.published and row.source == "package"
        if same_days and same_year:
            report["unchanged"].append(year)
            continue
        if not same_days:
            CalendarDay.objects.filter(
                day__gte=dt.date(year, 1, 1), day__lte=dt.date(year, 12, 31)
            ).delete()
            CalendarDay.objects.bulk_create(
                CalendarDay(day=day, kind=kind, name=name, is_workday=kind == MAKEUP_WORKDAY)
                for day, (kind, name) in sorted(wanted.items())
            )
        if row is None:
            CalendarYear.objects.create(year=year, published=True, source="package", updated_by=by)
            report["added"].append(year)
        else:
            row.published, row.source, row.updated_by = True, "package", by
            row.save()
            report["updated"].append(year)
    return report
