"""The calendar page: everyone signed in reads it; only the top region admin corrects and enters."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bangban.network.models import Region, Role
from bangban.workdays import calendar
from bangban.workdays.models import CalendarDay, CalendarYear

D = dt.date.fromisoformat
NOON_2026 = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def province_admin(yiyuan, make_account, client):
    user = make_account(Role.REGION_ADMIN, Region.objects.get(code="37"))
    client.force_login(user)
    return user


@pytest.fixture
def county_admin(yiyuan, make_account, client):
    user = make_account(Role.REGION_ADMIN, yiyuan.county)
    client.force_login(user)
    return user


@time_machine.travel(NOON_2026, tick=False)
def test_the_page_shows_this_years_holidays(client, county_admin):
    response = client.get("/calendar/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "2026 年工作日历" in text
    assert "国庆节" in text and "2026-10-10" in text


def test_a_reader_sees_no_forms_and_no_nav_entry(client, county_admin):
    text = client.get("/calendar/?year=2026").content.decode()
    assert "更正某一天" not in text
    assert 'href="/calendar/"' not in text


def test_the_top_admin_sees_the_forms_and_the_nav_entry(client, province_admin):
    text = client.get("/calendar/?year=2026").content.decode()
    assert "更正某一天" in text and "录入一年的节假日安排" in text
    assert 'href="/calendar/"' in text


def test_the_page_names_no_software_package_to_its_users(client, province_admin):
    text = client.get("/calendar/?year=2026").content.decode()
    assert "国务院办公厅" in text
    assert "chinesecalendar" not in text and "软件包" not in text


def test_an_unentered_year_says_its_deadlines_are_provisional(client, county_admin):
    CalendarYear.objects.filter(year=2099).delete()
    text = client.get("/calendar/?year=2099").content.decode()
    assert "尚未录入" in text and "暂定" in text


def test_the_page_needs_a_login(client, db):
    assert client.get("/calendar/").status_code == 302


def test_the_top_admin_corrects_a_day(client, province_admin):
    response = client.post(
        "/calendar/days/", {"day": "2026-11-09", "kind": "holiday", "name": "临时休假"}
    )
    assert response.status_code == 302
    assert not calendar.is_workday(D("2026-11-09"))


def test_a_bad_correction_is_explained_in_chinese(client, province_admin):
    response = client.post("/calendar/days/", {"day": "2026-11-09", "kind": "makeup_workday"})
    assert response.status_code == 200
    assert "不能设为调休上班日" in response.content.decode()
    assert not CalendarDay.objects.filter(day=D("2026-11-09")).exists()


def test_the_top_admin_enters_a_year(client, province_admin):
    CalendarDay.objects.filter(day__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    lines = "2027-01-01 放假 元旦\n2027-10-01 至 2027-10-07 放假 国庆节\n2027-10-09 上班 国庆节"
    response = client.post("/calendar/years/", {"year": "2027", "days": lines})
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).source == "admin"
    assert CalendarDay.objects.filter(day__year=2027).count() == 9
    assert calendar.deadline(D("2026-12-28"), 15).provisional is False


def test_bad_lines_are_all_reported_and_nothing_changes(client, province_admin):
    CalendarYear.objects.filter(year=2027).delete()
    response = client.post(
        "/calendar/years/", {"year": "2027", "days": "2027-01-01 休息\n2027-02-30 放假 春节"}
    )
    text = response.content.decode()
    assert "第 1 行格式不对" in text and "第 2 行格式不对" in text
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_day_outside_the_year_is_refused(client, province_admin):
    CalendarYear.objects.filter(year=2027).delete()
    response = client.post("/calendar/years/", {"year": "2027", "days": "2028-01-01 放假 元旦"})
    assert "不属于 2027 年" in response.content.decode()


@pytest.mark.parametrize("path", ["/calendar/days/", "/calendar/years/"])
def test_others_may_not_post(client, county_admin, path):
    response = client.post(path, {"day": "2026-11-09", "kind": "holiday"})
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(day=D("2026-11-09")).exists()


def test_the_page_reads_a_few_queries(client, province_admin, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        client.get("/calendar/?year=2026")


def test_the_page_speaks_english_when_asked(client, province_admin):
    client.cookies["django_language"] = "en"
    text = client.get("/calendar/?year=2026").content.decode()
    assert "Working-day calendar 2026" in text and "Correct a day" in text
