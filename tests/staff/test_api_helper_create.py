"""Helper profiles through the API: `POST /helpers` for an account serving at a point the caller may
change (the same people as the HTML "new profile" page), and `GET /helpers/without-profile` to find
the accounts still missing one (docs/decisions/0027-helper-profiles-api.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from bangban.network.models import Role
from bangban.staff.models import Helper
from tests.network.test_api import Api, token_for

PROFILE = {"origin": "village_committee", "started_on": "2024-03-01", "work_phone": "13953312345"}


@pytest.fixture
def api_as(client, make_account):
    def make(role, binding):
        return Api(client, token_for(client, make_account(role, binding)))

    return make


@pytest.fixture
def county_api(api_as, yiyuan):
    return api_as(Role.REGION_ADMIN, yiyuan.county)


@pytest.fixture
def newcomer(yiyuan, make_account):
    return make_account(Role.HELPER, yiyuan.station("鲁村镇"), username="newcomer")


def test_an_account_made_through_the_api_gets_its_profile_and_is_then_listed(county_api, yiyuan):
    station = yiyuan.station("鲁村镇")
    account = county_api.post(
        "/accounts",
        {
            "username": "lucun-helper-01",
            "password": "Ch4nge-me-soon-2026",
            "full_name": "张三",
            "role": "helper",
            "point": station.pk,
        },
    ).json()
    missing = county_api.get("/helpers/without-profile").json()
    assert [(a["user"], a["may_create"]) for a in missing["items"]] == [(account["id"], True)]
    assert missing["items"][0]["serving"] == [
        {"point": station.pk, "point_name": station.name, "role": "helper"}
    ]
    response = county_api.post(
        "/helpers", {"user": account["id"], **PROFILE, "domains": ["medical_insurance"]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["username"], body["full_time"], body["domains"]) == (
        "lucun-helper-01",
        True,
        ["medical_insurance"],
    )
    assert body["qualified"] is False  # not trained yet
    assert [h["id"] for h in county_api.get("/helpers").json()["items"]] == [body["id"]]
    assert county_api.get("/helpers/without-profile").json()["count"] == 0


@pytest.mark.parametrize(
    ("role", "binding", "status"),
    [
        (Role.REGION_ADMIN, "county", 201),
        (Role.TOWN_ADMIN, "town", 201),
        (Role.POINT_LEAD, "station", 201),
        (Role.TOWN_ADMIN, "other_town", 404),
        (Role.PARTNER_ADMIN, "bank", 404),
        (Role.DEPARTMENT_ADMIN, "department", 404),
        (Role.SUPERVISOR, "county", 403),
        (Role.HELPER, "station", 403),
    ],
)
def test_who_may_give_a_village_helper_a_profile(api_as, yiyuan, newcomer, role, binding, status):
    bindings = {
        "county": yiyuan.county,
        "town": yiyuan.town("鲁村镇"),
        "station": yiyuan.station("鲁村镇"),
        "other_town": yiyuan.town("南麻街道"),
        "bank": yiyuan.organisation("沂源农村商业银行"),
        "department": yiyuan.department("县医疗保障局"),
    }
    response = api_as(role, bindings[binding]).post("/helpers", {"user": newcomer.pk, **PROFILE})
    assert response.status_code == status
    if status != 201:
        assert response.json()["detail"][0]["loc"] == ["body", "user"]
    assert Helper.objects.filter(user=newcomer).exists() == (status == 201)


@pytest.mark.parametrize(
    ("role", "binding", "where"),
    [
        (Role.DEPARTMENT_ADMIN, "department", "subzone"),
        (Role.PARTNER_ADMIN, "bank", "bank_station"),
    ],
)
def test_department_and_partner_admins_give_their_own_people_a_profile(
    api_as, yiyuan, make_account, role, binding, where
):
    places = {
        "subzone": yiyuan.subzone("medical_insurance"),
        "bank_station": yiyuan.partner_station("沂源农村商业银行"),
    }
    person = make_account(Role.HELPER, places[where])
    bindings = {
        "department": yiyuan.department("县医疗保障局"),
        "bank": yiyuan.organisation("沂源农村商业银行"),
    }
    response = api_as(role, bindings[binding]).post("/helpers", {"user": person.pk, **PROFILE})
    assert response.status_code == 201


def test_an_account_serving_nowhere_is_not_found(county_api, yiyuan, make_account):
    town_admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    response = county_api.post("/helpers", {"user": town_admin.pk, **PROFILE})
    assert response.status_code == 404


def test_a_second_profile_is_a_conflict(county_api, newcomer):
    assert county_api.post("/helpers", {"user": newcomer.pk, **PROFILE}).status_code == 201
    response = county_api.post("/helpers", {"user": newcomer.pk, **PROFILE, "origin": "window"})
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "user"]
    assert Helper.objects.get(user=newcomer).origin == "village_committee"


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"started_on": (dt.date.today() + dt.timedelta(days=2)).isoformat()}, 409, "started_on"),
        ({"left_on": "2023-01-01"}, 409, "left_on"),
        ({"origin": "mayor"}, 422, "origin"),
        ({"origin": None}, 422, "origin"),
        ({"started_on": "2024-02-30"}, 422, "started_on"),
        ({"started_on": 0}, 422, "started_on"),
        ({"work_phone": "139\x00"}, 422, "work_phone"),
        ({"domains": ["no_such_domain"]}, 404, "domains"),
        ({"nickname": "小张"}, 422, "nickname"),
    ],
)
def test_bad_profiles_are_refused_at_the_field(county_api, newcomer, changes, status, field):
    response = county_api.post("/helpers", {"user": newcomer.pk, **PROFILE, **changes})
    assert response.status_code == status
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert not Helper.objects.filter(user=newcomer).exists()


def test_a_missing_started_on_is_malformed(county_api, newcomer):
    response = county_api.post("/helpers", {"user": newcomer.pk, "origin": "window"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "started_on"]


def test_without_profile_is_scoped_and_marks_who_may_be_given_one(
    api_as, yiyuan, newcomer, make_account
):
    make_account(Role.HELPER, yiyuan.station("南麻街道"), username="elsewhere")
    supervisor = api_as(Role.SUPERVISOR, yiyuan.county)
    items = supervisor.get("/helpers/without-profile").json()["items"]
    assert {(a["username"], a["may_create"]) for a in items} >= {("newcomer", False)}
    town = api_as(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    body = town.get("/helpers/without-profile").json()
    assert [(a["username"], a["may_create"]) for a in body["items"]] == [("newcomer", True)]
    station = yiyuan.station("南麻街道").pk
    assert town.get("/helpers/without-profile", point=station).json()["count"] == 0


@pytest.mark.parametrize("extra", [0, 4])
def test_without_profile_costs_a_fixed_number_of_queries(
    county_api, yiyuan, make_account, django_assert_num_queries, extra
):
    for index in range(1 + extra):
        make_account(Role.HELPER, yiyuan.station("鲁村镇", index))
    with django_assert_num_queries(5):  # the token reads the memberships with it
        response = county_api.get("/helpers/without-profile")
    assert response.json()["count"] == 1 + extra
