"""Case numbers: gap-free per county and day, never given twice (overlapping registrations:
test_concurrency.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from bangban.cases.actions import case_number, next_sequence


def test_the_sequence_is_zero_padded_to_four_digits_and_longer_when_needed():
    day = dt.date(2026, 11, 25)
    assert case_number("370323", day, 42) == "370323-20261125-0042"
    assert case_number("370323", day, 12345) == "370323-20261125-12345"


def test_a_rolled_back_registration_gives_its_number_back(yiyuan):
    day = dt.date(2026, 11, 25)
    county = yiyuan.county.pk
    assert next_sequence(county, day) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_sequence(county, day) == 2
        raise RuntimeError("the registration failed")
    assert next_sequence(county, day) == 2


def test_each_county_and_day_counts_on_its_own(yiyuan):
    county = yiyuan.county.pk
    assert next_sequence(county, dt.date(2026, 11, 25)) == 1
    assert next_sequence(county, dt.date(2026, 11, 26)) == 1
    assert next_sequence(county, dt.date(2026, 11, 25)) == 2
