"""Working-day arithmetic: pure functions over an immutable `Calendar` value, no database.

The rules are docs/domain.md "Definitions", working-day arithmetic and the clock of a case:

- A day of a *known* (published) year is a working day by the calendar: Monday to Friday unless it is a
  holiday, Saturday and Sunday only when it is a make-up working day (调休上班).
- A day of an *unknown* year: Monday to Friday minus the fixed-date statutory holidays (1 January, 1–2 May,
  1–3 October); every result that touched an unknown year is **provisional**.
- `deadline(start, n, "working")`: the n-th working day after `start`, the start day not counted
  (民法典 §201); a non-working `start` first moves to the next working day. `n = 0`: `start` if it is a
  working day, else the next working day.
- `deadline(start, n, "natural")`: `start` + n calendar days, moved to the next working day if that is not
  one (民法典 §203).
- `working_days_between(a, b)`: the number of working days d with a < d ≤ b.
- Suspension adds the working days in (suspended day, resumed day] to the deadline; an extension adds
  working days.

The one place where time limits are computed: everything else calls these (through
`bangban.workdays.calendar`, which loads the value from the calendar table once and caches it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Unit = Literal["working", "natural"]
UNITS: tuple[str, ...] = ("working", "natural")

#: The statutory holidays with a fixed date, assumed for a year nobody has entered yet.
FIXED_HOLIDAYS: frozenset[tuple[int, int]] = frozenset(
    {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}
)

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """A computed date and whether it rests on a year whose holidays are not yet known."""

    date: dt.date
    provisional: bool = False


@dataclass(frozen=True)
class Calendar:
    """The published years and, for them, the days that differ from Monday–Friday (day → working?).

    Build it with `Calendar.build(years, days)`; it is immutable and safe to share between threads.
    """

    known_years: frozenset[int] = frozenset()
    exceptions: Mapping[dt.date, bool] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def build(cls, years: Iterable[int], days: Mapping[dt.date, bool] | Iterable) -> Calendar:
        """`years`: the published years; `days`: day → is it a working day (only days of those years
        are kept: an unpublished year is counted by the fixed rule, whatever rows it has)."""
        known = frozenset(int(y) for y in years)
        pairs = days.items() if isinstance(days, Mapping) else days
        kept = {day: bool(flag) for day, flag in pairs if day.year in known}
        return cls(known, MappingProxyType(kept))

    def is_known(self, year: int) -> bool:
        return year in self.known_years

    def is_workday(self, day: dt.date) -> bool:
        return is_workday(day, calendar=self)


def _as_date(day) -> dt.date:
    if isinstance(day, dt.datetime):
        raise TypeError("a date is expected, not a datetime (convert to Asia/Shanghai first)")
    if not isinstance(day, dt.date):
        raise TypeError(f"a date is expected, got {type(day).__name__}")
    return day


def is_workday(day: dt.date, *, calendar: Calendar) -> bool:
    day = _as_date(day)
    if day.year in calendar.known_years:
        flag = calendar.exceptions.get(day)
        return day.weekday() < 5 if flag is None else flag
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def _unknown_between(first: dt.date, last: dt.date, calendar: Calendar) -> bool:
    """Does any day of [first, last] lie in a year that is not known?"""
    return any(year not in calendar.known_years for year in range(first.year, last.year + 1))


def next_workday(day: dt.date, *, calendar: Calendar) -> dt.date:
    """`day` itself if it is a working day, else the next working day."""
    day = _as_date(day)
    while not is_workday(day, calendar=calendar):
        day += ONE_DAY
    return day


def deadline(start: dt.date, n: int, unit: Unit = "working", *, calendar: Calendar) -> Deadline:
    """The deadline `n` working (or natural) days after `start`; see the module's rules."""
    start = _as_date(start)
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("n must be an int")
    if n < 0:
        raise ValueError("n must not be negative")
    if unit == "working":
        day = next_workday(start, calendar=calendar)
        counted = 0
        while counted < n:
            day += ONE_DAY
            if is_workday(day, calendar=calendar):
                counted += 1
        return Deadline(day, _unknown_between(start, day, calendar))
    if unit == "natural":
        target = start + dt.timedelta(days=n)
        day = next_workday(target, calendar=calendar)
        return Deadline(day, _unknown_between(target, day, calendar))
    raise ValueError(f"unknown unit {unit!r}; expected one of {UNITS}")


def working_days_between(a: dt.date, b: dt.date, *, calendar: Calendar) -> int:
    """The number of working days d with a < d ≤ b (0 when b ≤ a)."""
    a, b = _as_date(a), _as_date(b)
    count = 0
    day = a + ONE_DAY
    while day <= b:
        if is_workday(day, calendar=calendar):
            count += 1
        day += ONE_DAY
    return count


# --- The clock of a case --------------------------------------------------------------------------


def suspension_days(suspended_on: dt.date, resumed_on: dt.date, *, calendar: Calendar) -> int:
    """The working days a suspension costs: those in (suspended day, resumed day]."""
    if resumed_on < suspended_on:
        raise ValueError("a clock cannot resume before it was suspended")
    return working_days_between(suspended_on, resumed_on, calendar=calendar)


def after_suspension(
    current: Deadline, suspended_on: dt.date, resumed_on: dt.date, *, calendar: Calendar
) -> Deadline:
    """`current` moved by the working days in (suspended_on, resumed_on]; suspending and resuming on
    the same day costs nothing."""
    days = suspension_days(suspended_on, resumed_on, calendar=calendar)
    moved = deadline(current.date, days, "working", calendar=calendar)
    provisional = (
        current.provisional
        or moved.provisional
        or _unknown_between(suspended_on, resumed_on, calendar)
    )
    return Deadline(moved.date, provisional)


def after_extension(current: Deadline, working_days: int, *, calendar: Calendar) -> Deadline:
    """`current` extended by `working_days` working days (an approved extension)."""
    moved = deadline(current.date, working_days, "working", calendar=calendar)
    return Deadline(moved.date, current.provisional or moved.provisional)
