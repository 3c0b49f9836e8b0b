"""Case numbers: gap-free per county and day, never given twice, even when registrations overlap."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction

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


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="PostgreSQL only: the in-memory SQLite test database cannot be shared by threads",
)
@pytest.mark.django_db(transaction=True)
def test_overlapping_registrations_get_distinct_gap_free_numbers(yiyuan_committed):
    county = yiyuan_committed.county.pk
    day = dt.date(2026, 11, 25)
    start = threading.Barrier(8, timeout=20)
    numbers: list[int] = []
    errors: list[Exception] = []

    def register_twenty():
        try:
            start.wait()
            for _ in range(20):
                with transaction.atomic():
                    numbers.append(next_sequence(county, day))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register_twenty) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(numbers) == list(range(1, 161))
