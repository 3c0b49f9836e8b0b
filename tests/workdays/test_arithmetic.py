"""The worked values of docs/domain.md "Definitions", table-driven, on a calendar value (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from bangban.workdays.arithmetic import (
    Calendar,
    Deadline,
    after_extension,
    after_suspension,
    deadline,
    is_workday,
    next_workday,
    suspension_days,
    working_days_between,
)

D = dt.date.fromisoformat

WORKED_VALUES = [
    # start, n, unit, expected, why
    ("2026-09-28", 10, "working", "2026-10-16", "make-up Saturday 10-10 counts"),
    ("2026-02-13", 5, "working", "2026-02-27", "make-up Saturday 02-14 is day 1"),
    ("2026-11-07", 0, "working", "2026-11-09", "n=0 on a Saturday: the next working day"),
    ("2026-09-21", 10, "natural", "2026-10-08", "10-01 is a holiday: moved to 10-08"),
    ("2026-10-03", 5, "working", "2026-10-14", "holiday Saturday: moved to 10-08, then counted"),
    ("2026-11-02", 10, "working", "2026-11-16", "the clock example: accepted 11-02"),
    ("2026-11-12", 10, "working", "2026-11-26", "the clock example: accepted 11-12"),
    ("2026-11-09", 0, "working", "2026-11-09", "n=0 on a working day: that day"),
    ("2026-11-06", 1, "working", "2026-11-09", "the start day is not counted"),
    ("2026-11-06", 0, "natural", "2026-11-06", "0 natural days on a working day"),
]


@pytest.mark.parametrize(("start", "n", "unit", "expected", "why"), WORKED_VALUES)
def test_worked_value(cal, start, n, unit, expected, why):
    assert deadline(D(start), n, unit, calendar=cal) == Deadline(D(expected), False), why


def test_a_deadline_reaching_an_unknown_year_is_provisional(cal):
    result = deadline(D("2026-12-28"), 15, calendar=cal)
    assert result == Deadline(D("2027-01-19"), provisional=True)


def test_entering_the_unknown_year_makes_the_deadline_final(cal):
    entered = Calendar.build([*cal.known_years, 2027], {**cal.exceptions, D("2027-01-01"): False})
    assert deadline(D("2026-12-28"), 15, calendar=entered) == Deadline(D("2027-01-19"), False)


def test_an_unknown_year_skips_the_fixed_holidays(cal):
    assert not is_workday(D("2027-01-01"), calendar=cal)
    assert not is_workday(D("2027-10-01"), calendar=cal)
    assert not is_workday(D("2027-05-01"), calendar=cal)
    assert is_workday(D("2027-01-04"), calendar=cal)


def test_an_unknown_year_ignores_rows_of_that_year():
    # A half-entered year is not used until it is published.
    value = Calendar.build([2026], {D("2027-01-04"): False})
    assert is_workday(D("2027-01-04"), calendar=value)


def test_a_known_year_reaching_nothing_unknown_is_final(cal):
    assert not deadline(D("2026-12-01"), 10, calendar=cal).provisional


def test_natural_days_into_an_unknown_year_are_provisional(cal):
    assert deadline(D("2026-12-20"), 20, "natural", calendar=cal).provisional


def test_make_up_working_day_is_a_working_day(cal):
    assert is_workday(D("2026-10-10"), calendar=cal)  # Saturday, 调休上班
    assert not is_workday(D("2026-10-05"), calendar=cal)  # Monday, 国庆节


def test_working_days_between_counts_the_end_not_the_start(cal):
    assert working_days_between(D("2026-11-05"), D("2026-11-12"), calendar=cal) == 5
    assert working_days_between(D("2026-11-12"), D("2026-11-05"), calendar=cal) == 0
    assert working_days_between(D("2026-11-05"), D("2026-11-05"), calendar=cal) == 0


def test_next_workday_moves_through_a_holiday(cal):
    assert next_workday(D("2026-10-01"), calendar=cal) == D("2026-10-08")


# --- The clock of a case ------------------------------------------------------------------------


def test_suspension_moves_the_deadline_by_the_working_days_suspended(cal):
    accepted = deadline(D("2026-11-02"), 10, calendar=cal)
    assert accepted.date == D("2026-11-16")
    moved = after_suspension(accepted, D("2026-11-05"), D("2026-11-12"), calendar=cal)
    assert moved == Deadline(D("2026-11-23"), False)


def test_suspending_and_resuming_on_the_same_day_costs_nothing(cal):
    accepted = deadline(D("2026-11-02"), 10, calendar=cal)
    same = after_suspension(accepted, D("2026-11-05"), D("2026-11-05"), calendar=cal)
    assert same == accepted


def test_a_suspension_over_a_weekend_costs_only_working_days(cal):
    assert suspension_days(D("2026-11-06"), D("2026-11-09"), calendar=cal) == 1


def test_resuming_before_suspending_is_refused(cal):
    with pytest.raises(ValueError):
        suspension_days(D("2026-11-12"), D("2026-11-05"), calendar=cal)


def test_an_extension_adds_working_days(cal):
    accepted = Deadline(D("2026-11-16"))
    assert after_extension(accepted, 5, calendar=cal) == Deadline(D("2026-11-23"), False)


def test_an_extension_into_an_unknown_year_is_provisional(cal):
    moved = after_extension(Deadline(D("2026-12-28")), 5, calendar=cal)
    assert moved.provisional


def test_a_provisional_deadline_stays_provisional_after_a_suspension(cal):
    moved = after_suspension(
        Deadline(D("2026-11-16"), True), D("2026-11-05"), D("2026-11-06"), calendar=cal
    )
    assert moved.provisional


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: deadline(D("2026-11-02"), -1, calendar=c), ValueError),
        (lambda c: deadline(D("2026-11-02"), 1, "weeks", calendar=c), ValueError),
        (lambda c: deadline(D("2026-11-02"), 1.5, calendar=c), TypeError),
        (lambda c: deadline(dt.datetime(2026, 11, 2), 1, calendar=c), TypeError),
        (lambda c: is_workday("2026-11-02", calendar=c), TypeError),
    ],
)
def test_bad_arguments_are_refused(cal, call, error):
    with pytest.raises(error):
        call(cal)
