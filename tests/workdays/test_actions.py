"""Correcting a day and entering a year, through the actions, and who may do it (the gate)."""

from __future__ import annotations

import datetime as dt

import pytest

from bangban.network.models import Region, Role
from bangban.workdays import calendar, scope
from bangban.workdays.actions import CalendarError, publish_year, set_day
from bangban.workdays.arithmetic import Deadline
from bangban.workdays.models import CalendarDay, CalendarYear

D = dt.date.fromisoformat
Kind = CalendarDay.Kind


@pytest.fixture
def without_2027(db):
    """2027 not entered, whatever the installed package knows."""
    CalendarDay.objects.filter(day__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    calendar.invalidate()


def test_entering_2027_turns_a_provisional_deadline_final(without_2027):
    assert calendar.deadline(D("2026-12-28"), 15) == Deadline(D("2027-01-19"), True)
    publish_year(2027, [(D("2027-01-01"), Kind.HOLIDAY, "元旦")], by=None)
    assert calendar.deadline(D("2026-12-28"), 15) == Deadline(D("2027-01-19"), False)
    row = CalendarYear.objects.get(year=2027)
    assert (row.published, row.source) == (True, "admin")


def test_an_entered_year_can_move_a_deadline(without_2027):
    publish_year(
        2027,
        [(D("2027-01-01"), Kind.HOLIDAY, "元旦"), (D("2027-01-04"), Kind.HOLIDAY, "元旦")],
        by=None,
    )
    assert calendar.deadline(D("2026-12-28"), 15) == Deadline(D("2027-01-20"), False)


def test_entering_a_year_replaces_its_days(db):
    publish_year(2026, [(D("2026-01-01"), Kind.HOLIDAY, "元旦")], by=None)
    assert list(CalendarDay.objects.filter(day__year=2026).values_list("day", flat=True)) == [
        D("2026-01-01")
    ]


@pytest.mark.parametrize(
    "days",
    [
        [],
        [(D("2027-01-04"), Kind.MAKEUP_WORKDAY, "")],
        [(D("2028-01-01"), Kind.HOLIDAY, "元旦")],
        [(D("2027-01-01"), Kind.HOLIDAY, ""), (D("2027-01-01"), Kind.HOLIDAY, "")],
        [(D("2027-01-01"), Kind.WEEKEND, "")],
        [(D("2027-01-01"), Kind.HOLIDAY, "长" * 51)],
    ],
)
def test_a_bad_year_is_refused_and_nothing_changes(without_2027, days):
    with pytest.raises(CalendarError) as error:
        publish_year(2027, days, by=None)
    assert error.value.errors["days"]
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_year_out_of_range_is_refused(db):
    with pytest.raises(CalendarError):
        publish_year(1999, [(D("1999-01-01"), Kind.HOLIDAY, "")], by=None)


def test_correcting_a_day_changes_the_cached_calendar(db):
    assert calendar.is_workday(D("2026-11-09"))
    set_day(D("2026-11-09"), kind=Kind.HOLIDAY, name="临时", by=None)
    assert not calendar.is_workday(D("2026-11-09"))
    set_day(D("2026-11-09"), kind=Kind.WORKDAY, by=None)
    assert calendar.is_workday(D("2026-11-09"))
    assert not CalendarDay.objects.filter(day=D("2026-11-09")).exists()


def test_correcting_a_day_marks_the_year_as_entered_by_an_admin(db):
    set_day(D("2026-11-09"), kind=Kind.HOLIDAY, by=None)
    assert CalendarYear.objects.get(year=2026).source == "admin"


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        ("2026-11-09", Kind.MAKEUP_WORKDAY),  # a Monday
        ("2026-11-09", Kind.WEEKEND),
        ("2026-11-07", Kind.WORKDAY),  # a Saturday
    ],
)
def test_a_kind_that_does_not_fit_the_weekday_is_refused(db, day, kind):
    with pytest.raises(CalendarError):
        set_day(D(day), kind=kind, by=None)


def test_a_day_of_an_unentered_year_is_refused(without_2027):
    with pytest.raises(CalendarError):
        set_day(D("2027-01-04"), kind=Kind.HOLIDAY, by=None)


# --- Who edits ----------------------------------------------------------------------------------


def test_the_province_admin_edits_the_calendar(yiyuan, make_account):
    province = Region.objects.get(code="37")
    assert scope.can_edit_calendar(make_account(Role.REGION_ADMIN, province))


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.HELPER])
def test_no_one_else_at_the_top_edits_the_calendar(yiyuan, make_account, role):
    province = Region.objects.get(code="37")
    if role == Role.HELPER:
        user = make_account(role, yiyuan.centre)
    else:
        user = make_account(role, province)
    assert not scope.can_edit_calendar(user)


def test_a_county_admin_below_the_province_does_not_edit_the_calendar(yiyuan, make_account):
    assert not scope.can_edit_calendar(make_account(Role.REGION_ADMIN, yiyuan.county))


def test_the_county_admin_of_a_county_deployment_edits_the_calendar(yiyuan, make_account):
    user = make_account(Role.REGION_ADMIN, yiyuan.county)
    Region.objects.filter(code="370323").update(parent=None)
    Region.objects.filter(code="3703").delete()
    Region.objects.filter(code="37").delete()
    user._bangban_memberships = None
    assert scope.can_edit_calendar(user)


def test_with_two_top_regions_only_a_superuser_edits(yiyuan, make_account, django_user_model):
    user = make_account(Role.REGION_ADMIN, Region.objects.get(code="37"))
    Region.objects.create(code="41", name="河南省", level=Region.Level.PROVINCE)
    assert not scope.can_edit_calendar(user)
    boss = django_user_model.objects.create_superuser("root-cal", password="x")
    assert scope.can_edit_calendar(boss)


def test_an_inactive_or_anonymous_user_does_not_edit(yiyuan, make_account):
    from django.contrib.auth.models import AnonymousUser

    user = make_account(Role.REGION_ADMIN, Region.objects.get(code="37"))
    user.is_active = False
    assert not scope.can_edit_calendar(user)
    assert not scope.can_edit_calendar(AnonymousUser())
