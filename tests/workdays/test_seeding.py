"""The calendar table: seeded by migrate, re-seeded by `bangban calendar sync`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import chinese_calendar
import pytest
from django.core.management import call_command

from bangban.workdays import calendar
from bangban.workdays.models import CalendarDay, CalendarYear
from bangban.workdays.seeding import package_days, package_last_year

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def sync(*args) -> str:
    out = StringIO()
    call_command("calendar", "sync", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return (
        list(CalendarYear.objects.values_list("year", "published", "source", "updated_at")),
        list(CalendarDay.objects.values_list("day", "is_workday", "kind", "name")),
    )


def test_migrate_seeds_2004_through_the_packages_last_year():
    years = list(CalendarYear.objects.values_list("year", flat=True))
    assert years == list(range(2004, package_last_year() + 1))
    assert not CalendarYear.objects.exclude(published=True, source="package").exists()


def test_the_seeded_days_are_the_packages_exceptional_days():
    assert CalendarDay.objects.count() == len(package_days())
    national_day = CalendarDay.objects.get(day=D("2026-10-01"))
    assert (national_day.kind, national_day.is_workday, national_day.name) == (
        "holiday",
        False,
        "国庆节",
    )
    makeup = CalendarDay.objects.get(day=D("2026-10-10"))
    assert (makeup.kind, makeup.is_workday) == ("makeup_workday", True)


def test_the_loaded_calendar_agrees_with_the_package():
    value = calendar.load()
    day = D("2004-01-01")
    while day.year <= package_last_year():
        assert value.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_sync_twice_changes_nothing():
    sync()
    before = snapshot()
    out = sync()
    assert snapshot() == before
    assert "added: -" in out and "updated: -" in out


def test_sync_adds_a_missing_year_back():
    CalendarDay.objects.filter(day__year=2026).delete()
    CalendarYear.objects.filter(year=2026).delete()
    assert "added: 2026" in sync()
    assert CalendarDay.objects.filter(day__year=2026).count() == len(package_days(2026))


def test_sync_repairs_a_changed_package_year():
    CalendarDay.objects.filter(day=D("2026-10-10")).delete()
    assert "updated: 2026" in sync()
    assert CalendarDay.objects.filter(day=D("2026-10-10"), kind="makeup_workday").exists()


def test_sync_keeps_a_year_an_admin_entered():
    CalendarYear.objects.filter(year=2026).update(source="admin")
    CalendarDay.objects.filter(day=D("2026-10-10")).delete()
    out = sync()
    assert "kept (entered by an admin; --force to overwrite): 2026" in out
    assert not CalendarDay.objects.filter(day=D("2026-10-10")).exists()


def test_sync_force_overwrites_a_year_an_admin_entered():
    CalendarYear.objects.filter(year=2026).update(source="admin")
    CalendarDay.objects.filter(day=D("2026-10-10")).delete()
    assert "updated: 2026" in sync("--force")
    assert CalendarDay.objects.filter(day=D("2026-10-10")).exists()
    assert CalendarYear.objects.get(year=2026).source == "package"


def test_sync_makes_the_cached_calendar_see_the_change():
    CalendarDay.objects.filter(day=D("2026-10-10")).delete()
    calendar.invalidate()
    assert not calendar.is_workday(D("2026-10-10"))
    sync()
    assert calendar.is_workday(D("2026-10-10"))


def test_the_table_holds_what_one_row_can_say():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(day=D("2031-01-01"), kind="holiday", is_workday=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(day=D("2031-01-01"), kind="weekend", is_workday=False)
