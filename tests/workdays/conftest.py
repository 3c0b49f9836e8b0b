"""Calendar values for the arithmetic tests, and a clean calendar cache around every test."""

from __future__ import annotations

import pytest

from bangban.workdays import calendar
from bangban.workdays.arithmetic import Calendar
from bangban.workdays.seeding import package_days, package_years


def package_calendar(*, without: set[int] = frozenset()) -> Calendar:
    """The package's years as a calendar value, leaving out `without` (always unknown, whatever the
    installed package learns later)."""
    years = [y for y in package_years() if y not in without]
    return Calendar.build(years, {d.day: d.is_workday for d in package_days().values()})


@pytest.fixture(scope="session")
def cal() -> Calendar:
    """2004–2026 known, 2027 and later unknown, whatever the installed package knows."""
    return package_calendar(without=set(range(2027, 2200)))


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Tests roll the table back; the process-wide cache must not outlive them."""
    calendar.invalidate()
    yield
    calendar.invalidate()
