"""Writes to the calendar table: correcting one day, entering a year. Each is one transaction that
makes the cached calendar reload. Who may call them is the calendar's policy
(`workdays.scope.can_edit_calendar`), asked by the page and the API before they call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from bangban.kernel.errors import RuleError

from . import calendar
from .models import CalendarDay, CalendarYear
from .signals import calendar_changed

Kind = CalendarDay.Kind

MIN_YEAR, MAX_YEAR = 2000, 2100
NAME_LENGTH = 50


class CalendarError(RuleError):
    """A rule of the calendar was broken: {field: [Chinese messages]}."""


def default_kind(day: dt.date) -> str:
    return Kind.WORKDAY if day.weekday() < 5 else Kind.WEEKEND


def _check_day(day: dt.date, kind: str, name: str, field: str = "kind") -> list[str]:
    """The Chinese problems with setting `day` to `kind` (empty: fine)."""
    problems = []
    if kind not in Kind.values:
        problems.append(_("日期类型无效。"))
    elif kind == Kind.MAKEUP_WORKDAY and day.weekday() < 5:
        problems.append(
            _("%(day)s 是周一至周五，本来就上班，不能设为调休上班日。") % {"day": day.isoformat()}
        )
    elif kind == Kind.WEEKEND and day.weekday() < 5:
        problems.append(
            _("%(day)s 是周一至周五，不能设为周末；放假请选择“法定节假日”。")
            % {"day": day.isoformat()}
        )
    elif kind == Kind.WORKDAY and day.weekday() >= 5:
        problems.append(
            _("%(day)s 是周六或周日；要上班请选择“调休上班”。") % {"day": day.isoformat()}
        )
    if len(name) > NAME_LENGTH:
        problems.append(_("名称不能超过 %(n)s 个字。") % {"n": NAME_LENGTH})
    return problems


def _invalidate() -> None:
    calendar.invalidate()
    transaction.on_commit(calendar.invalidate)


def _announce(first: dt.date, last: dt.date) -> None:
    """Tell the listeners of `calendar_changed` once the change has committed."""
    transaction.on_commit(lambda: calendar_changed.send(sender=CalendarDay, first=first, last=last))


@transaction.atomic
def set_day(day: dt.date, *, kind: str, name: str = "", by) -> CalendarDay | None:
    """Correct one day of a published year. `kind` holiday or makeup_workday stores the day;
    workday (Monday–Friday) or weekend (Saturday, Sunday) returns it to the default and removes its
    row. The year becomes one an admin entered (`bangban calendar sync` leaves it alone).

    Returns the stored row, or None when the day is back to the default."""
    name = (name or "").strip()
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise CalendarError({"day": [_("日期须在 2000 年至 2100 年之间。")]})
    year = CalendarYear.objects.select_for_update().filter(year=day.year, published=True).first()
    if year is None:
        raise CalendarError(
            {
                "day": [
                    _("%(year)s 年的节假日安排尚未录入，请先录入该年度的全部节假日和调休上班日。")
                    % {"year": day.year}
                ]
            }
        )
    problems = _check_day(day, kind, name)
    if problems:
        raise CalendarError({"kind": problems})
    row = None
    if kind == default_kind(day):
        CalendarDay.objects.filter(day=day).delete()
    else:
        row, _created = CalendarDay.objects.update_or_create(
            day=day,
            defaults={"kind": kind, "is_workday": kind == Kind.MAKEUP_WORKDAY, "name": name},
        )
    year.source, year.updated_by = CalendarYear.Source.ADMIN, by
    year.save()
    _invalidate()
    _announce(day, day)
    return row


@transaction.atomic
def publish_year(year: int, days: Iterable[tuple[dt.date, str, str]], *, by) -> CalendarYear:
    """Enter a year's arrangement from the State Council's notice: its holidays and make-up working
    days as (day, kind, name). Replaces whatever the year had; the year is then published, and every
    provisional deadline reaching into it becomes final (recomputed on the next read).
    """
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarError({"year": [_("年度须在 2000 年至 2100 年之间。")]})
    days = list(days)
    problems: list[str] = []
    seen: set[dt.date] = set()
    for day, kind, name in days:
        if day.year != year:
            problems.append(
                _("%(day)s 不属于 %(year)s 年。") % {"day": day.isoformat(), "year": year}
            )
            continue
        if day in seen:
            problems.append(_("%(day)s 重复录入。") % {"day": day.isoformat()})
        seen.add(day)
        if kind not in (Kind.HOLIDAY, Kind.MAKEUP_WORKDAY):
            problems.append(
                _("%(day)s：只能录入法定节假日或调休上班日。") % {"day": day.isoformat()}
            )
            continue
        problems += _check_day(day, kind, (name or "").strip())
    if not any(kind == Kind.HOLIDAY for _day, kind, _name in days):
        problems.append(_("请至少录入一个法定节假日。"))
    if problems:
        raise CalendarError({"days": problems})
    row, _created = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"source": CalendarYear.Source.ADMIN}
    )
    CalendarDay.objects.filter(
        day__gte=dt.date(year, 1, 1), day__lte=dt.date(year, 12, 31)
    ).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(
            day=day,
            kind=kind,
            is_workday=kind == Kind.MAKEUP_WORKDAY,
            name=(name or "").strip(),
        )
        for day, kind, name in sorted(days)
    )
    row.published, row.source, row.updated_by = True, CalendarYear.Source.ADMIN, by
    row.save()
    _invalidate()
    _announce(dt.date(year, 1, 1), dt.date(year, 12, 31))
    return row
