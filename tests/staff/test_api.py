"""The staff JSON API: helpers (list, filters, get, PATCH, qualification) and trainings
(organisers, sessions, results), scoped through the gate, with the one error shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bangban.network.models import Role
from bangban.staff.models import Helper, TrainingOrganiser
from tests.network.test_api import Api, token_for

RCB = "沂源农村商业银行"
ABC = "中国农业银行沂源县支行"


@pytest.fixture
def api_as(client, make_account):
    def make(role, binding):
        return Api(client, token_for(client, make_account(role, binding)))

    return make


@pytest.fixture
def county_api(api_as, yiyuan):
    return api_as(Role.REGION_ADMIN, yiyuan.county)


def test_helpers_list_filters_by_qualification_and_town(county_api, yiyuan, make_helper):
    good = make_helper(yiyuan.station("鲁村镇"))
    untrained = make_helper(yiyuan.station("南麻街道"), trained_on=None)
    body = county_api.get("/helpers", qualified="true").json()
    assert [h["id"] for h in body["items"]] == [good.pk]
    body = county_api.get("/helpers", qualified="false").json()
    assert [h["id"] for h in body["items"]] == [untrained.pk]
    assert body["items"][0]["reasons"] == ["尚未参加培训，须先培训后上岗。"]
    town = yiyuan.town("南麻街道").region.code
    assert county_api.get("/helpers", town=town).json()["count"] == 1
    assert county_api.get("/helpers", town=town + "000").json()["count"] == 1
    point = yiyuan.station("鲁村镇").pk
    assert [h["id"] for h in county_api.get("/helpers", point=point).json()["items"]] == [good.pk]


def test_an_unknown_filter_is_refused(county_api):
    response = county_api.get("/helpers", qualifed="true")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "qualifed"]


@pytest.mark.parametrize("extra", [0, 4])
def test_helpers_list_query_count_is_fixed(
    county_api, yiyuan, make_helper, django_assert_num_queries, extra
):
    for _ in range(1 + extra):
        make_helper(yiyuan.station("鲁村镇"))
    with django_assert_num_queries(6):  # the token reads the memberships with it
        response = county_api.get("/helpers")
    assert response.json()["count"] == 1 + extra


def test_partner_admin_sees_nothing_of_another_banks_people_or_trainings(
    api_as, yiyuan, make_helper
):
    theirs = make_helper(yiyuan.partner_station(ABC))
    ours = make_helper(yiyuan.partner_station(RCB))
    api = api_as(Role.PARTNER_ADMIN, yiyuan.organisation(RCB))
    assert [h["id"] for h in api.get("/helpers").json()["items"]] == [ours.pk]
    assert api.get(f"/helpers/{theirs.pk}").status_code == 404
    assert api.get(f"/helpers/{theirs.pk}/qualification").status_code == 404
    names = [o["name"] for o in api.get("/training-organisers").json()["items"]]
    assert names == [RCB]
    other = TrainingOrganiser.objects.get(organisation__name=ABC)
    assert api.get(f"/training-organisers/{other.pk}").status_code == 404
    assert api.get("/trainings", organiser=other.pk).json()["count"] == 0
    response = api.post(
        "/trainings",
        {"organiser": other.pk, "held_on": "2026-01-05", "topic": "培训", "results": []},
    )
    assert response.status_code == 404


def test_qualification_on_a_day(county_api, yiyuan, make_helper):
    helper = make_helper(
        yiyuan.zone, started_on=dt.date(2024, 2, 29), trained_on=dt.date(2024, 3, 1)
    )
    before = county_api.get(f"/helpers/{helper.pk}/qualification", on="2025-02-27").json()
    assert before["qualified"] is False
    assert "不满一年" in before["reasons"][0]
    after = county_api.get(f"/helpers/{helper.pk}/qualification", on="2025-02-28").json()
    assert after == {"helper": helper.pk, "on": "2025-02-28", "qualified": True, "reasons": []}


def test_patch_a_profile_and_its_rule_errors(county_api, yiyuan, make_helper):
    helper = make_helper(yiyuan.zone)
    response = county_api.patch(
        f"/helpers/{helper.pk}", {"full_time": False, "domains": ["medical_insurance"]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["domains"] == ["medical_insurance"]
    assert not Helper.objects.get(pk=helper.pk).full_time
    response = county_api.patch(f"/helpers/{helper.pk}", {"left_on": "2019-01-01"})
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "left_on"]


def test_a_helper_may_read_but_not_change_its_profile(yiyuan, make_helper, client):
    helper = make_helper(yiyuan.station("鲁村镇"))
    api = Api(client, token_for(client, helper.user))
    assert api.get(f"/helpers/{helper.pk}").status_code == 200
    response = api.patch(f"/helpers/{helper.pk}", {"full_time": False})
    assert response.status_code == 403
    assert response.json()["detail"][0]["type"] == "permission_denied"


def test_record_a_training_with_results_then_correct_them(api_as, yiyuan, make_helper):
    town = yiyuan.town("鲁村镇")
    helper = make_helper(yiyuan.station("鲁村镇"), trained_on=None)
    outsider = make_helper(yiyuan.station("南麻街道"), trained_on=None)
    organiser = TrainingOrganiser.objects.get(town_centre=town)
    api = api_as(Role.TOWN_ADMIN, town)
    today = timezone.localdate().isoformat()
    body = {"organiser": organiser.pk, "held_on": today, "topic": "业务培训"}
    refused = api.post("/trainings", {**body, "results": [{"helper": outsider.pk, "passed": True}]})
    assert refused.status_code == 404  # not visible to a 鲁村镇 admin
    response = api.post("/trainings", {**body, "results": [{"helper": helper.pk, "passed": False}]})
    assert response.status_code == 201, response.content
    training = response.json()
    assert training["results"] == [{"helper": helper.pk, "name": str(helper), "passed": False}]
    assert not Helper.objects.qualified(timezone.localdate()).filter(pk=helper.pk).exists()
    response = api.patch(
        f"/trainings/{training['id']}", {"results": [{"helper": helper.pk, "passed": True}]}
    )
    assert response.status_code == 200
    assert Helper.objects.qualified(timezone.localdate()).filter(pk=helper.pk).exists()
    organiser_out = api.get(f"/training-organisers/{organiser.pk}").json()
    assert (organiser_out["trainings"], organiser_out["short"]) == (1, True)


def test_a_future_training_is_a_rule_error(county_api, organiser):
    response = county_api.post(
        "/trainings", {"organiser": organiser.pk, "held_on": "2099-01-01", "topic": "培训"}
    )
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "held_on"]


def test_supervisor_may_not_record_a_training(api_as, yiyuan, organiser):
    api = api_as(Role.SUPERVISOR, yiyuan.county)
    response = api.post(
        "/trainings", {"organiser": organiser.pk, "held_on": "2026-01-05", "topic": "培训"}
    )
    assert response.status_code == 403
