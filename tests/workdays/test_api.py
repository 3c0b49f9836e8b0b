"""The calendar API: deadlines for everyone signed in, corrections for the top region admin only."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.utils import timezone

from bangban.network.api import digest
from bangban.network.models import ApiToken, Role
from bangban.workdays.models import CalendarDay, CalendarYear

D = dt.date.fromisoformat


def bearer(user) -> dict:
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, digest=digest(token), expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def helper(yiyuan, make_account):
    return bearer(make_account(Role.HELPER, yiyuan.station("南麻街道")))


@pytest.fixture
def province_admin(yiyuan, make_account):
    return bearer(make_account(Role.REGION_ADMIN, yiyuan.county.parent.parent))


@pytest.fixture
def county_admin(yiyuan, make_account):
    return bearer(make_account(Role.REGION_ADMIN, yiyuan.county))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("start=2026-09-28&days=10", "2026-10-16"),
        ("start=2026-10-03&days=5&unit=working", "2026-10-14"),
        ("start=2026-09-21&days=10&unit=natural", "2026-10-08"),
        ("start=2026-11-07&days=0", "2026-11-09"),
    ],
)
def test_deadline_answers_the_worked_values(client, helper, query, expected):
    response = client.get(f"/api/v1/calendar/deadline?{query}", headers=helper)
    assert response.status_code == 200
    assert response.json() == {"deadline": expected, "provisional": False}


def test_a_deadline_in_an_unpublished_year_is_provisional(client, helper):
    CalendarYear.objects.filter(year__gte=2027).delete()
    response = client.get("/api/v1/calendar/deadline?start=2026-12-28&days=15", headers=helper)
    assert response.json() == {"deadline": "2027-01-19", "provisional": True}


@pytest.mark.parametrize(
    "query",
    [
        "start=1999-12-31&days=1",
        "start=2101-01-01&days=1",
        "start=2026-02-30&days=1",
        "start=2026-11-02&days=3651",
        "start=2026-11-02&days=-1",
        "start=2026-11-02&days=1&unit=weeks",
        "start=2026-11-02",
        "start=2026-11-02&days=1&dayz=2",
    ],
)
def test_deadline_refuses_bad_input_in_chinese(client, helper, query):
    response = client.get(f"/api/v1/calendar/deadline?{query}", headers=helper)
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"]


def test_deadline_needs_a_token(client, db):
    response = client.get("/api/v1/calendar/deadline?start=2026-11-02&days=1")
    assert response.status_code == 401


def test_years_lists_the_seeded_years(client, helper, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/calendar/years", headers=helper)
    body = response.json()
    assert body["items"][0]["year"] == 2004
    assert body["count"] == CalendarYear.objects.count()


def test_a_years_days_are_its_holidays_and_make_up_days(client, helper):
    body = client.get("/api/v1/calendar/years/2026/days", headers=helper).json()
    assert body["published"] is True
    days = {item["day"]: item for item in body["items"]}
    assert days["2026-10-01"] == {
        "day": "2026-10-01",
        "is_workday": False,
        "kind": "holiday",
        "name": "国庆节",
    }
    assert days["2026-10-10"]["kind"] == "makeup_workday"


def test_an_unknown_years_days_are_empty_and_unpublished(client, helper):
    CalendarYear.objects.filter(year=2099).delete()
    body = client.get("/api/v1/calendar/years/2099/days", headers=helper).json()
    assert body == {"year": 2099, "published": False, "items": [], "count": 0}


def test_the_top_region_admin_corrects_a_day(client, province_admin):
    response = client.put(
        "/api/v1/calendar/days/2026-11-09",
        {"kind": "holiday", "name": "临时休假"},
        content_type="application/json",
        headers=province_admin,
    )
    assert response.status_code == 200
    assert response.json()["kind"] == "holiday"
    again = client.get("/api/v1/calendar/deadline?start=2026-11-06&days=1", headers=province_admin)
    assert again.json()["deadline"] == "2026-11-10"
    assert CalendarYear.objects.get(year=2026).source == "admin"


def test_putting_a_day_back_to_default_removes_its_row(client, province_admin):
    response = client.put(
        "/api/v1/calendar/days/2026-10-10",
        {"kind": "weekend"},
        content_type="application/json",
        headers=province_admin,
    )
    assert response.json() == {
        "day": "2026-10-10",
        "is_workday": False,
        "kind": "weekend",
        "name": "",
    }
    assert not CalendarDay.objects.filter(day=D("2026-10-10")).exists()


@pytest.mark.parametrize("who", ["county_admin", "helper"])
def test_others_may_not_correct_a_day(client, yiyuan, request, who):
    response = client.put(
        "/api/v1/calendar/days/2026-11-09",
        {"kind": "holiday"},
        content_type="application/json",
        headers=request.getfixturevalue(who),
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(day=D("2026-11-09")).exists()


def test_a_day_of_an_unentered_year_is_a_conflict(client, province_admin):
    CalendarYear.objects.filter(year=2099).delete()
    response = client.put(
        "/api/v1/calendar/days/2099-01-05",
        {"kind": "holiday"},
        content_type="application/json",
        headers=province_admin,
    )
    assert response.status_code == 409
    assert "尚未录入" in response.json()["detail"][0]["msg"]


def test_a_make_up_day_on_a_weekday_is_a_conflict(client, province_admin):
    response = client.put(
        "/api/v1/calendar/days/2026-11-09",
        {"kind": "makeup_workday"},
        content_type="application/json",
        headers=province_admin,
    )
    assert response.status_code == 409


def test_unknown_body_fields_are_refused(client, province_admin):
    response = client.put(
        "/api/v1/calendar/days/2026-11-09",
        {"kind": "holiday", "colour": "red"},
        content_type="application/json",
        headers=province_admin,
    )
    assert response.status_code == 422
