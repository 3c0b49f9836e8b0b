"""The calendar value the arithmetic runs on, loaded from the calendar table once and cached.

`current()` is the one way the rest of the project gets it. The actions that change the table call
`invalidate()` (at once and again on commit); another process notices a change through a cheap stamp
(the number of years and their latest `updated_at`), checked at most every `RECHECK_SECONDS`. See
docs/decisions/0011-working-day-calendar.md.

The wrappers below (`deadline`, `is_workday`, …) are the arithmetic over `current()`.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from django.db.models import Count, Max

from . import arithmetic
from .arithmetic import Calendar, Deadline, Unit

RECHECK_SECONDS = 30.0

_lock = threading.Lock()
_cached: Calendar | None = None
_stamp: tuple | None = None
_checked_at = 0.0


def _read_stamp() -> tuple:
    from .models import CalendarYear

    row = CalendarYear.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    return (row["n"], row["at"])


def load() -> Calendar:
    """A fresh value from the table (two queries)."""
    from .models import CalendarDay, CalendarYear

    years = list(CalendarYear.objects.filter(published=True).values_list("year", flat=True))
    if not years:
        return Calendar.build([], {})
    days = CalendarDay.objects.filter(
        day__gte=dt.date(min(years), 1, 1), day__lte=dt.date(max(years), 12, 31)
    ).values_list("day", "is_workday")
    return Calendar.build(years, days)


def current() -> Calendar:
    """The cached calendar value (reloaded after `invalidate()` or when the table changed)."""
    global _cached, _stamp, _checked_at
    now = time.monotonic()
    with _lock:
        if _cached is not None and now - _checked_at < RECHECK_SECONDS:
            return _cached
    stamp = _read_stamp()
    with _lock:
        if _cached is not None and stamp == _stamp:
            _checked_at = now
            return _cached
    value = load()
    with _lock:
        _cached, _stamp, _checked_at = value, stamp, now
    return value


def invalidate() -> None:
    """Forget the cached value; the next `current()` reloads it."""
    global _cached, _stamp, _checked_at
    with _lock:
        _cached, _stamp, _checked_at = None, None, 0.0


# --- The arithmetic over the current calendar -------------------------------------------------------


def is_workday(day: dt.date) -> bool:
    return arithmetic.is_workday(day, calendar=current())


def deadline(start: dt.date, n: int, unit: Unit = "working") -> Deadline:
    return arithmetic.deadline(start, n, unit, calendar=current())


def working_days_between(a: dt.date, b: dt.date) -> int:
    return arithmetic.working_days_between(a, b, calendar=current())


def after_suspension(current_deadline: Deadline, suspended_on: dt.date, resumed_on: dt.date):
    return arithmetic.after_suspension(
        current_deadline, suspended_on, resumed_on, calendar=current()
    )


def after_extension(current_deadline: Deadline, working_days: int) -> Deadline:
    return arithmetic.after_extension(current_deadline, working_days, calendar=current())
