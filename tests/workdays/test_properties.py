"""Properties of the arithmetic over random dates from 2004 to 2030 (hypothesis)."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from hypothesis import given
from hypothesis import strategies as st

from bangban.workdays.arithmetic import (
    Deadline,
    after_suspension,
    deadline,
    is_workday,
    next_workday,
    working_days_between,
)
from bangban.workdays.seeding import package_years

from .conftest import package_calendar

CAL = package_calendar()
KNOWN = set(package_years())

dates = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2030, 12, 31))
counts = st.integers(min_value=0, max_value=300)
units = st.sampled_from(["working", "natural"])


@given(start=dates, n=counts, unit=units)
def test_a_deadline_never_falls_on_a_non_working_day(start, n, unit):
    assert is_workday(deadline(start, n, unit, calendar=CAL).date, calendar=CAL)


@given(start=dates, n=counts)
def test_counting_back_from_a_deadline_gives_n(start, n):
    start = next_workday(start, calendar=CAL)
    end = deadline(start, n, calendar=CAL).date
    assert working_days_between(start, end, calendar=CAL) == n


@given(start=dates, n=counts, offset=st.integers(0, 400), length=st.integers(0, 400))
def test_suspending_and_resuming_never_shortens_a_limit(start, n, offset, length):
    before = deadline(start, n, calendar=CAL)
    suspended = start + dt.timedelta(days=offset)
    after = after_suspension(before, suspended, suspended + dt.timedelta(days=length), calendar=CAL)
    assert after.date >= before.date
    assert after.provisional >= before.provisional


@given(day=dates)
def test_is_workday_agrees_with_the_package_where_it_knows_the_year(day):
    if day.year in KNOWN:
        assert is_workday(day, calendar=CAL) == chinese_calendar.is_workday(day)


@given(start=dates, n=counts)
def test_a_deadline_in_known_years_only_is_final(start, n):
    result = deadline(start, n, calendar=CAL)
    if start.year in KNOWN and result.date.year in KNOWN:
        assert result == Deadline(result.date, False)
    else:
        assert result.provisional


@given(start=dates, n=counts)
def test_deadline_agrees_with_the_package_find_workday(start, n):
    result = deadline(start, n, calendar=CAL)
    if result.date.year in KNOWN and start.year in KNOWN:
        assert chinese_calendar.find_workday(n, start) == result.date
