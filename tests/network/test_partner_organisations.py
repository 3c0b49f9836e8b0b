"""A county's partner organisations (合作单位: banks, post, supermarkets, telecom shops): added,
renamed, retyped, deactivated and reactivated by the county administrator; a deactivated one keeps
its stations, readable and counted, but takes no new station or partner administrator."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.http import Http404
from django.urls import reverse, reverse_lazy

from bangban.network import access, actions, changes
from bangban.network.models import Membership, PartnerOrganisation, Role, ServicePoint
from tests.network.test_api import Api, assert_error, token_for
from tests.pages import page_text as text

Kind = ServicePoint.Kind
NetworkError = actions.NetworkError
Type = PartnerOrganisation.PartnerType


@pytest.fixture
def heard(monkeypatch):
    heard = []
    module = SimpleNamespace(network_changed=heard.append)
    monkeypatch.setattr(changes, "later_app_modules", lambda name: iter([module]))
    return heard


def deactivated(name: str) -> PartnerOrganisation:
    organisation = PartnerOrganisation.objects.get(name=name)
    return actions.update_partner_organisation(organisation, active=False, by=None)


def history(obj) -> list[tuple[int, str]]:
    return list(
        LogEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
        .order_by("pk")
        .values_list("action_flag", "change_message")
    )


# --- Actions ---------------------------------------------------------------------------------------


def test_an_organisation_is_added_to_a_county_the_demo_does_not_know(linqu, make_account, heard):
    admin = make_account(Role.REGION_ADMIN, linqu.county)
    bank = actions.create_partner_organisation(
        linqu.county, name="临朐农商银行", partner_type=Type.BANK, by=admin
    )
    assert (bank.county, bank.partner_type, bank.active) == (linqu.county, "bank", True)
    assert history(bank) == [(ADDITION, "新增合作单位：临朐农商银行")]
    (change,) = heard
    assert (change.county, change.organisations, change.departments) == (
        linqu.county,
        frozenset({bank.pk}),
        frozenset(),
    )


def test_an_unknown_partner_type_is_a_field_error(linqu):
    with pytest.raises(NetworkError) as caught:
        actions.create_partner_organisation(
            linqu.county, name="临朐某某", partner_type="insurer", by=None
        )
    assert list(caught.value.errors) == ["partner_type"]
    assert not PartnerOrganisation.objects.filter(county=linqu.county).exists()


def test_a_name_used_in_the_county_is_a_field_error(yiyuan):
    with pytest.raises(NetworkError) as caught:
        actions.create_partner_organisation(
            yiyuan.county, name="沂源农村商业银行", partner_type=Type.BANK, by=None
        )
    assert caught.value.errors == {"name": ["本县已有名为“沂源农村商业银行”的合作单位。"]}


def test_rename_and_retype_are_recorded_and_announced(yiyuan, heard):
    shop = yiyuan.organisation("沂源县华联超市")
    actions.update_partner_organisation(shop, name="沂源华联", partner_type=Type.POST, by=None)
    shop.refresh_from_db()
    assert (shop.name, shop.partner_type) == ("沂源华联", "post")
    assert [c.organisations for c in heard] == [frozenset({shop.pk})]


def test_the_history_says_what_changed(yiyuan, make_account):
    admin = make_account(Role.REGION_ADMIN, yiyuan.county)
    shop = yiyuan.organisation("沂源县华联超市")
    actions.update_partner_organisation(shop, partner_type=Type.POST, active=False, by=admin)
    assert history(shop) == [(CHANGE, "修改：合作类型、停用")]


def test_a_deactivated_organisation_keeps_its_stations_readable_and_counted(yiyuan, make_account):
    admin = make_account(Role.PARTNER_ADMIN, yiyuan.organisation("沂源农村商业银行"))
    bank = deactivated("沂源农村商业银行")
    stations = ServicePoint.objects.filter(organisation=bank)
    assert stations.count() == 2
    assert all(s.active for s in stations)
    assert PartnerOrganisation.objects.with_point_counts().get(pk=bank.pk).station_count == 2
    assert set(access.points_for(admin, "change")) == set(stations)


def test_no_new_station_for_a_deactivated_organisation(yiyuan):
    bank = deactivated("沂源农村商业银行")
    with pytest.raises(NetworkError) as caught:
        actions.create_point(
            yiyuan.town("悦庄镇"),
            kind=Kind.PARTNER_STATION,
            name="农商银行悦庄支行帮办代办服务站",
            organisation=bank,
            by=None,
        )
    assert "已停用" in caught.value.errors["organisation"][0]
    assert ServicePoint.objects.filter(organisation=bank).count() == 2


def test_no_station_is_moved_to_a_deactivated_organisation(yiyuan):
    station = yiyuan.partner_station("沂源县华联超市")
    bank = deactivated("沂源农村商业银行")
    with pytest.raises(NetworkError) as caught:
        actions.update_point(station, organisation=bank, by=None)
    assert list(caught.value.errors) == ["organisation"]
    station.refresh_from_db()
    assert station.organisation.name == "沂源县华联超市"


def test_a_station_of_a_deactivated_organisation_can_still_be_edited(yiyuan):
    bank = deactivated("沂源农村商业银行")
    station = yiyuan.partner_station("沂源农村商业银行")
    actions.update_point(station, phone="0533-1234567", organisation=bank, by=None)
    station.refresh_from_db()
    assert station.phone == "0533-1234567"


def test_no_new_partner_admin_for_a_deactivated_organisation(yiyuan, make_account):
    bank = deactivated("沂源农村商业银行")
    with pytest.raises(NetworkError) as caught:
        make_account(Role.PARTNER_ADMIN, bank)
    assert "已停用" in caught.value.errors["organisation"][0]
    user = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    with pytest.raises(NetworkError):
        actions.grant_membership(user, role=Role.PARTNER_ADMIN, binding=bank, by=None)
    assert not Membership.objects.filter(organisation=bank).exists()


# --- Who sees them ---------------------------------------------------------------------------------


def test_a_partner_admin_sees_its_own_organisation_read_only(yiyuan, make_account):
    bank = yiyuan.organisation("沂源农村商业银行")
    admin = make_account(Role.PARTNER_ADMIN, bank)
    assert list(access.organisations_for(admin)) == [bank]
    assert not access.departments_for(admin).exists()
    with pytest.raises(Http404):
        access.get_organisation_for(admin, bank.pk, "change")
    assert not access.can_manage_organisations(admin, yiyuan.county)


@pytest.mark.parametrize(
    ("role", "place", "manages"),
    [
        (Role.REGION_ADMIN, "county", True),
        (Role.SUPERVISOR, "county", False),
        (Role.TOWN_ADMIN, "town", False),
        (Role.POINT_LEAD, "station", False),
        (Role.HELPER, "station", False),
    ],
)
def test_the_county_list_of_organisations(yiyuan, linqu, make_account, role, place, manages):
    theirs = actions.create_partner_organisation(
        linqu.county, name="临朐农商银行", partner_type=Type.BANK, by=None
    )
    binding = {
        "county": yiyuan.county,
        "town": yiyuan.town("鲁村镇"),
        "station": yiyuan.station("鲁村镇"),
    }[place]
    user = make_account(role, binding)
    visible = access.organisations_for(user)
    assert visible.count() == 5
    assert not visible.filter(pk=theirs.pk).exists()
    assert access.can_manage_organisations(user, yiyuan.county) is manages
    assert not access.can_manage_organisations(user, linqu.county)
    assert not access.departments_for(make_account(Role.PARTNER_ADMIN, theirs)).exists()


def test_a_department_admin_sees_no_organisation(yiyuan, make_account):
    admin = make_account(Role.DEPARTMENT_ADMIN, yiyuan.department("县医疗保障局"))
    assert not access.organisations_for(admin).exists()


# --- The API ---------------------------------------------------------------------------------------


@pytest.fixture
def api_as(client, make_account):
    def make(role, binding):
        return Api(client, token_for(client, make_account(role, binding)))

    return make


@pytest.fixture
def county_api(api_as, yiyuan):
    return api_as(Role.REGION_ADMIN, yiyuan.county)


def test_the_list_gives_ids_type_state_and_station_counts(county_api, yiyuan):
    deactivated("沂源农村商业银行")
    body = county_api.get("/partner-organisations").json()
    assert body["count"] == 5
    by_name = {item["name"]: item for item in body["items"]}
    assert by_name["沂源农村商业银行"] == {
        "id": yiyuan.organisation("沂源农村商业银行").pk,
        "county": "370323",
        "name": "沂源农村商业银行",
        "partner_type": "bank",
        "active": False,
        "stations": 2,
    }
    assert [
        i["name"] for i in county_api.get("/partner-organisations", active="false").json()["items"]
    ] == ["沂源农村商业银行"]
    assert county_api.get("/partner-organisations", q="银行").json()["count"] == 2


def test_the_list_runs_a_fixed_number_of_queries(county_api, django_assert_num_queries):
    county_api.get("/partner-organisations")
    with django_assert_num_queries(3):  # the token with the memberships, count, page
        assert len(county_api.get("/partner-organisations", limit=1).json()["items"]) == 1
    with django_assert_num_queries(3):
        assert len(county_api.get("/partner-organisations").json()["items"]) == 5


def test_stations_are_found_by_their_organisation(county_api, yiyuan):
    bank = yiyuan.organisation("沂源农村商业银行")
    body = county_api.get("/points", organisation=bank.pk).json()
    assert body["count"] == 2
    assert {item["kind"] for item in body["items"]} == {"partner_station"}


def test_a_county_admin_adds_a_bank_through_the_api(api_as, linqu):
    api = api_as(Role.REGION_ADMIN, linqu.county)
    response = api.post(
        "/partner-organisations",
        {"county": "370724", "name": "临朐农商银行", "partner_type": "bank"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["stations"] == 0
    assert PartnerOrganisation.objects.get(name="临朐农商银行").county == linqu.county


@pytest.mark.parametrize(
    "body",
    [
        {"county": "370323", "name": "某银行"},
        {"county": "370323", "name": "某银行", "partner_type": "insurer"},
        {"county": "370323", "name": "", "partner_type": "bank"},
        {"county": "37", "name": "某银行", "partner_type": "bank"},
    ],
)
def test_bad_input_is_422(county_api, body):
    assert_error(county_api.post("/partner-organisations", body), 422)
    assert not PartnerOrganisation.objects.filter(name="某银行").exists()


def test_a_name_taken_is_409(county_api):
    response = county_api.post(
        "/partner-organisations",
        {"county": "370323", "name": "沂源农村商业银行", "partner_type": "bank"},
    )
    assert_error(response, 409, "name")


def test_retype_deactivate_and_reactivate_through_the_api(county_api, yiyuan):
    shop = yiyuan.organisation("沂源县华联超市")
    url = f"/partner-organisations/{shop.pk}"
    body = county_api.patch(url, {"partner_type": "post", "active": False}).json()
    assert (body["partner_type"], body["active"], body["stations"]) == ("post", False, 1)
    assert county_api.patch(url, {"active": True}).json()["active"] is True
    assert_error(county_api.patch(url, {"partner_type": None}), 422, "partner_type")


def test_read_only_roles_get_403_and_strangers_404(api_as, yiyuan, linqu):
    bank = yiyuan.organisation("沂源农村商业银行")
    town = api_as(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    assert town.get(f"/partner-organisations/{bank.pk}").status_code == 200
    assert_error(town.patch(f"/partner-organisations/{bank.pk}", {"active": False}), 403)
    stranger = api_as(Role.REGION_ADMIN, linqu.county)
    assert_error(stranger.get(f"/partner-organisations/{bank.pk}"), 404, "organisation_id")
    assert_error(stranger.patch(f"/partner-organisations/{bank.pk}", {"active": False}), 404)
    response = stranger.post(
        "/partner-organisations",
        {"county": "370323", "name": "某银行", "partner_type": "bank"},
    )
    assert_error(response, 404, "county")
    bank.refresh_from_db()
    assert bank.active is True


def test_the_api_refuses_a_station_of_a_deactivated_organisation(api_as, yiyuan):
    bank = deactivated("沂源农村商业银行")
    town = api_as(Role.TOWN_ADMIN, yiyuan.town("悦庄镇"))
    response = town.post(
        "/points",
        {
            "kind": "partner_station",
            "name": "农商银行悦庄支行帮办代办服务站",
            "parent": yiyuan.town("悦庄镇").pk,
            "organisation": bank.pk,
        },
    )
    assert_error(response, 409, "organisation")


def test_the_api_refuses_a_partner_admin_of_a_deactivated_organisation(county_api, yiyuan):
    bank = deactivated("沂源农村商业银行")
    response = county_api.post(
        "/accounts",
        {
            "username": "bank-admin",
            "password": "Secure-pass-123",
            "role": "partner_admin",
            "organisation": bank.pk,
        },
    )
    assert_error(response, 409, "organisation")
    assert not get_user_model().objects.filter(username="bank-admin").exists()


# --- The pages -------------------------------------------------------------------------------------

LIST = reverse_lazy("network:organisation_list")


def options(page: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select, name
    return set(re.findall(r'<option value="([^"]+)"', select.group(0)))


@pytest.fixture
def as_county_admin(client, yiyuan, make_account):
    client.force_login(make_account(Role.REGION_ADMIN, yiyuan.county))
    return client


def test_the_list_page_shows_type_state_and_stations(as_county_admin, yiyuan):
    deactivated("沂源农村商业银行")
    body = text(as_county_admin.get(LIST))
    assert "共 5 个" in body
    assert f"编号（ID）：{yiyuan.organisation('沂源农村商业银行').pk}" in body
    assert "合作网点 2 个" in body
    assert "通信运营商" in body
    assert body.count("已停用</span>") == 1
    inactive = text(as_county_admin.get(LIST, {"state": "inactive"}))
    assert "共 1 个" in inactive


def test_the_list_page_runs_a_fixed_number_of_queries(
    as_county_admin, yiyuan, django_assert_num_queries
):
    as_county_admin.get(LIST)
    # session, user, memberships, counties shown, counties managed, count, page
    with django_assert_num_queries(7):
        as_county_admin.get(LIST, {"q": "银行"})
    with django_assert_num_queries(7):
        as_county_admin.get(LIST)


def test_a_town_admin_reads_the_list_and_changes_nothing(client, yiyuan, make_account):
    client.force_login(make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇")))
    bank = yiyuan.organisation("沂源农村商业银行")
    body = text(client.get(LIST))
    assert "沂源农村商业银行" in body
    assert reverse("network:organisation_edit", args=[bank.pk]) not in body
    assert client.get(reverse("network:organisation_new")).status_code == 404
    response = client.post(reverse("network:organisation_active", args=[bank.pk]), {"active": "0"})
    assert response.status_code == 404


def test_the_county_admin_adds_a_bank_on_the_page(client, linqu, make_account):
    client.force_login(make_account(Role.REGION_ADMIN, linqu.county))
    response = client.post(
        reverse("network:organisation_new"), {"name": "临朐农商银行", "partner_type": "bank"}
    )
    assert response.status_code == 302
    bank = PartnerOrganisation.objects.get(name="临朐农商银行")
    assert (bank.county, bank.partner_type) == (linqu.county, "bank")


def test_a_missing_type_is_shown_beside_the_field(as_county_admin):
    response = as_county_admin.post(reverse("network:organisation_new"), {"name": "某银行"})
    assert response.status_code == 200
    assert 'id="id_partner_type_error"' in text(response)
    assert not PartnerOrganisation.objects.filter(name="某银行").exists()


def test_retype_and_deactivate_on_the_page(as_county_admin, yiyuan):
    shop = yiyuan.organisation("沂源县华联超市")
    edit = reverse("network:organisation_edit", args=[shop.pk])
    assert "停用后，不能再为这个合作单位新设合作网点" in text(as_county_admin.get(edit))
    response = as_county_admin.post(edit, {"name": "沂源华联", "partner_type": "post"})
    assert response.status_code == 302
    as_county_admin.post(reverse("network:organisation_active", args=[shop.pk]), {"active": "0"})
    shop.refresh_from_db()
    assert (shop.name, shop.partner_type, shop.active) == ("沂源华联", "post", False)


def test_the_partner_station_form_offers_only_organisations_in_service(
    client, yiyuan, make_account
):
    town = yiyuan.town("悦庄镇")
    client.force_login(make_account(Role.TOWN_ADMIN, town))
    bank = deactivated("沂源农村商业银行")
    page = text(client.get(reverse("network:point_add", args=[town.pk])))
    assert options(page, "organisation") == {
        str(o.pk) for o in PartnerOrganisation.objects.filter(county=yiyuan.county, active=True)
    }
    response = client.post(
        reverse("network:point_add", args=[town.pk]),
        {
            "kind": Kind.PARTNER_STATION,
            "name": "农商银行悦庄支行帮办代办服务站",
            "organisation": bank.pk,
        },
    )
    assert response.status_code == 200
    assert ServicePoint.objects.filter(organisation=bank).count() == 2


def test_a_station_of_a_deactivated_organisation_is_still_edited_on_its_page(
    as_county_admin, yiyuan
):
    bank = deactivated("沂源农村商业银行")
    station = yiyuan.partner_station("沂源农村商业银行")
    url = reverse("network:point_edit", args=[station.pk])
    assert "沂源农村商业银行（已停用）" in text(as_county_admin.get(url))
    response = as_county_admin.post(
        url,
        {"name": station.name, "phone": "0533-7654321", "organisation": bank.pk, "active": "on"},
    )
    assert response.status_code == 302
    station.refresh_from_db()
    assert station.phone == "0533-7654321"
    assert "合作单位已停用" in text(
        as_county_admin.get(reverse("network:point", args=[station.pk]))
    )


def test_the_account_form_offers_no_deactivated_organisation(as_county_admin, yiyuan):
    bank = deactivated("沂源农村商业银行")
    page = text(as_county_admin.get(reverse("network:account_new")))
    assert str(bank.pk) not in options(page, "organisation")
