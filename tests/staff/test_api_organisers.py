"""The training organisers through the API: what each trains for, the county administrator's
corrections (`PUT …/points`) and names (`PATCH`), with scope and the one error shape."""

from __future__ import annotations

import pytest

from bangban.network import actions as network
from bangban.network.divisions import import_divisions
from bangban.network.models import Role, ServicePoint
from bangban.staff.models import CoverageCorrection, TrainingOrganiser
from tests.network.test_api import Api, token_for
from tests.network.test_divisions import county_row, files, town_row

OK = TrainingOrganiser.Kind


@pytest.fixture
def api_as(client, make_account):
    def make(role, binding):
        return Api(client, token_for(client, make_account(role, binding)))

    return make


@pytest.fixture
def county_api(api_as, yiyuan):
    return api_as(Role.REGION_ADMIN, yiyuan.county)


@pytest.fixture
def lucun(yiyuan) -> TrainingOrganiser:
    return TrainingOrganiser.objects.get(town_centre=yiyuan.town("鲁村镇"))


def points_url(organiser) -> str:
    return f"/training-organisers/{organiser.pk}/points"


def test_an_organiser_says_what_it_trains_for_and_how_many_points(county_api, lucun):
    body = county_api.get(f"/training-organisers/{lucun.pk}").json()
    assert body["organises_for"] == "鲁村镇便民服务中心及所辖村（社区）便民服务站"
    assert (body["active"], body["name_follows"]) == (True, True)
    assert body["point_count"] == len(body["points"]) == lucun.points.count()
    assert body["corrections"] == []


def test_the_list_filters_organisers_out_of_service(county_api, yiyuan):
    network.update_point(yiyuan.town("燕崖镇"), active=False, by=None)
    body = county_api.get("/training-organisers", active="false").json()
    assert [o["name"] for o in body["items"]] == ["燕崖镇"]


@pytest.mark.parametrize("extra", [0, 3])
def test_the_list_costs_a_fixed_number_of_queries(
    county_api, yiyuan, django_assert_num_queries, extra
):
    for index in range(extra):
        network.update_point(yiyuan.station("鲁村镇", index), active=False, by=None)
    county_api.get("/training-organisers")
    with django_assert_num_queries(3):  # the token reads the memberships with it
        response = county_api.get("/training-organisers")
    assert response.json()["count"] == TrainingOrganiser.objects.count()


def test_put_points_removes_and_adds_as_corrections(county_api, yiyuan, lucun):
    station = yiyuan.station("鲁村镇")
    extra = yiyuan.station("东里镇")
    wanted = (set(lucun.points.values_list("pk", flat=True)) - {station.pk}) | {extra.pk}
    response = county_api.put(points_url(lucun), {"points": sorted(wanted), "note": "调整片区"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body["points"]) == wanted
    assert {(c["point"], c["change"], c["note"]) for c in body["corrections"]} == {
        (station.pk, "removed", "调整片区"),
        (extra.pk, "added", "调整片区"),
    }


def test_a_point_outside_the_callers_sight_is_not_found(api_as, yiyuan, tmp_path, make_account):
    import_divisions(
        **files(tmp_path, [county_row("370398", "新设县")], [town_row("370398101", "河口镇")], [])
    )
    elsewhere = ServicePoint.objects.get(region__code="370398101")
    api = api_as(Role.REGION_ADMIN, yiyuan.county)
    bureau = TrainingOrganiser.objects.get(kind=OK.COUNTY_BUREAU, county=yiyuan.county)
    response = api.put(points_url(bureau), {"points": [elsewhere.pk], "note": "误操作"})
    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["body", "points"]


def test_a_point_of_another_county_is_a_rule_error_for_a_city_admin(api_as, yiyuan, tmp_path):
    import_divisions(
        **files(tmp_path, [county_row("370398", "新设县")], [town_row("370398101", "河口镇")], [])
    )
    elsewhere = ServicePoint.objects.get(region__code="370398101")
    api = api_as(Role.REGION_ADMIN, yiyuan.county.parent)  # 淄博市: sees both counties
    bureau = TrainingOrganiser.objects.get(kind=OK.COUNTY_BUREAU, county=yiyuan.county)
    before = set(bureau.points.values_list("pk", flat=True))
    response = api.put(
        points_url(bureau), {"points": sorted(before | {elsewhere.pk}), "note": "误操作"}
    )
    assert response.status_code == 409
    item = response.json()["detail"][0]
    assert (item["loc"], item["type"]) == (["body", "points"], "rule")
    assert "不属于该组织单位所在的县" in item["msg"]
    assert set(bureau.points.values_list("pk", flat=True)) == before


def test_a_point_out_of_service_cannot_be_added(county_api, yiyuan, lucun):
    station = yiyuan.station("东里镇")
    network.update_point(station, active=False, by=None)
    points = [*lucun.points.values_list("pk", flat=True), station.pk]
    response = county_api.put(points_url(lucun), {"points": points, "note": "帮扶"})
    assert response.status_code == 409
    assert "已停用" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    "body",
    [
        {"points": []},
        {"points": [1], "note": ""},
        {"points": "1", "note": "说明"},
        {"points": [0], "note": "说明"},
        {"points": [1], "note": "说明", "extra": 1},
        {"points": [1], "note": "说明\x00"},
    ],
)
def test_bad_input_is_refused_with_nothing_changed(county_api, lucun, body):
    before = set(lucun.points.values_list("pk", flat=True))
    response = county_api.put(points_url(lucun), body)
    assert response.status_code == 422
    assert set(lucun.points.values_list("pk", flat=True)) == before


@pytest.mark.parametrize(
    ("role", "binding", "status"),
    [
        ("town_admin", "town", 403),
        ("helper", "station", 403),
        ("supervisor", "county", 403),
        ("town_admin", "other_town", 404),
    ],
)
def test_only_region_admins_correct_coverage(api_as, yiyuan, lucun, role, binding, status):
    bindings = {
        "town": yiyuan.town("鲁村镇"),
        "station": yiyuan.station("鲁村镇"),
        "county": yiyuan.county,
        "other_town": yiyuan.town("南麻街道"),
    }
    api = api_as(role, bindings[binding])
    response = api.put(points_url(lucun), {"points": [], "note": "清空"})
    assert response.status_code == status
    assert api.patch(f"/training-organisers/{lucun.pk}", {"name": "新名称"}).status_code == status
    assert lucun.points.exists()
    assert not CoverageCorrection.objects.filter(organiser=lucun).exists()


def test_patch_gives_a_name_and_null_lets_it_follow_again(county_api, lucun):
    body = county_api.patch(f"/training-organisers/{lucun.pk}", {"name": "鲁村镇培训站"}).json()
    assert (body["name"], body["name_follows"]) == ("鲁村镇培训站", False)
    body = county_api.patch(f"/training-organisers/{lucun.pk}", {"name": None}).json()
    assert (body["name"], body["name_follows"]) == ("鲁村镇", True)


def test_corrections_made_through_the_api_survive_a_point_moved_back_and_forth(
    county_api, yiyuan, lucun
):
    bank = yiyuan.partner_station("沂源农村商业银行")  # at 鲁村镇, trained by its bank
    points = [*lucun.points.values_list("pk", flat=True), bank.pk]
    county_api.put(points_url(lucun), {"points": points, "note": "镇里一并培训"})
    network.update_point(bank, parent=yiyuan.town("东里镇"), by=None)
    network.update_point(bank, parent=yiyuan.town("鲁村镇"), by=None)
    assert set(TrainingOrganiser.objects.filter(points=bank).values_list("name", flat=True)) == {
        "鲁村镇",
        "沂源农村商业银行",
    }
