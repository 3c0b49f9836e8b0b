"""A county's departments (进驻部门): the county administrator adds, renames, deactivates and
reactivates them (`network.actions`), who sees and manages them (the gate), and "takes no new ones":
a deactivated department keeps its windows and sub-zones, readable and counted, but no new window,
sub-zone or department administrator is bound to it."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.http import Http404
from django.urls import reverse, reverse_lazy

from bangban.network import access, actions, changes, units
from bangban.network.models import Department, Domain, Membership, Region, Role, ServicePoint
from tests.network.test_api import Api, assert_error, token_for
from tests.pages import page_text as text

Kind = ServicePoint.Kind
NetworkError = actions.NetworkError


@pytest.fixture
def heard(monkeypatch):
    """Every change announced, through a fake later app's `on_network` module."""
    heard = []
    module = SimpleNamespace(network_changed=heard.append)
    monkeypatch.setattr(changes, "later_app_modules", lambda name: iter([module]))
    return heard


@pytest.fixture
def county_admin(yiyuan, make_account):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


def deactivated(name: str, by=None) -> Department:
    department = Department.objects.get(name=name, county__code="370323")
    return actions.update_department(department, active=False, by=by)


def history(obj) -> list[tuple[int, str]]:
    return list(
        LogEntry.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)
        .order_by("pk")
        .values_list("action_flag", "change_message")
    )


# --- Adding, renaming, deactivating ------------------------------------------------------------------


def test_a_department_is_added_to_a_county_the_demo_does_not_know(linqu, make_account, heard):
    admin = make_account(Role.REGION_ADMIN, linqu.county)
    department = actions.create_department(linqu.county, name=" 临朐县医疗保障局 ", by=admin)
    assert (department.county, department.name, department.active) == (
        linqu.county,
        "临朐县医疗保障局",
        True,
    )
    assert history(department) == [(ADDITION, "新增部门：临朐县医疗保障局")]
    (change,) = heard
    assert (change.county, change.departments, change.by) == (
        linqu.county,
        frozenset({department.pk}),
        admin,
    )


def test_the_same_name_may_be_used_in_another_county(yiyuan, linqu):
    department = actions.create_department(linqu.county, name="县医疗保障局", by=None)
    assert Department.objects.filter(name="县医疗保障局").count() == 2
    assert department.county == linqu.county


def test_a_name_used_in_the_county_is_a_field_error(yiyuan, heard):
    with pytest.raises(NetworkError) as caught:
        actions.create_department(yiyuan.county, name="县医疗保障局", by=None)
    assert caught.value.errors == {"name": ["本县已有名为“县医疗保障局”的部门。"]}
    assert Department.objects.filter(name="县医疗保障局").count() == 1
    assert heard == []


def test_a_name_used_by_a_deactivated_department_says_it_can_be_reactivated(yiyuan):
    deactivated("县残疾人联合会")
    with pytest.raises(NetworkError) as caught:
        actions.create_department(yiyuan.county, name="县残疾人联合会", by=None)
    assert "已停用，可以将它重新启用" in caught.value.errors["name"][0]


def test_a_name_taken_at_the_same_moment_is_a_field_error_not_an_integrity_error(
    yiyuan, monkeypatch
):
    # The check finds the name free; the database's unique constraint then refuses it.
    real = actions._name_taken
    calls = []

    def first_finds_nothing(*args, **kwargs):
        calls.append(args)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(units, "_name_taken", first_finds_nothing)
    with pytest.raises(NetworkError) as caught:
        actions.create_department(yiyuan.county, name="县医疗保障局", by=None)
    assert caught.value.errors["name"] == ["本县已有名为“县医疗保障局”的部门。"]
    assert len(calls) == 2  # the second look, after the IntegrityError


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "请填写名称。"),
        ("   ", "请填写名称。"),
        ("局" * 101, "名称不能超过 100 个字。"),
        ("县\x00局", "名称含有无效字符。"),
    ],
)
def test_a_bad_name_is_refused(yiyuan, name, message):
    before = Department.objects.count()
    with pytest.raises(NetworkError) as caught:
        actions.create_department(yiyuan.county, name=name, by=None)
    assert caught.value.errors == {"name": [message]}
    assert Department.objects.count() == before


def test_a_department_belongs_to_a_county_not_a_town(yiyuan):
    town = yiyuan.town("鲁村镇").region
    with pytest.raises(NetworkError) as caught:
        actions.create_department(town, name="鲁村镇财政所", by=None)
    assert caught.value.errors == {"county": ["请选择一个县（区）。"]}


def test_a_county_that_vanished_takes_no_new_department(linqu):
    actions.update_region(linqu.county, active=False, by=None)
    with pytest.raises(NetworkError) as caught:
        actions.create_department(linqu.county, name="临朐县民政局", by=None)
    assert "county" in caught.value.errors


def test_a_rename_is_recorded_and_announced(yiyuan, county_admin, heard):
    department = yiyuan.department("县残疾人联合会")
    actions.update_department(department, name="县残联", by=county_admin)
    department.refresh_from_db()
    assert department.name == "县残联"
    assert history(department) == [(CHANGE, "修改：名称（县残疾人联合会 → 县残联）")]
    assert [c.departments for c in heard] == [frozenset({department.pk})]


def test_a_rename_to_a_name_taken_changes_nothing(yiyuan, heard):
    department = yiyuan.department("县残疾人联合会")
    with pytest.raises(NetworkError) as caught:
        actions.update_department(department, name="县民政局", by=None)
    assert "本县已有名为“县民政局”的部门" in caught.value.errors["name"][0]
    department.refresh_from_db()
    assert department.name == "县残疾人联合会"
    assert heard == []


def test_an_update_that_changes_nothing_records_and_announces_nothing(yiyuan, county_admin, heard):
    department = yiyuan.department("县残疾人联合会")
    actions.update_department(department, name="县残疾人联合会", active=True, by=county_admin)
    assert history(department) == []
    assert heard == []


def test_a_deactivated_department_keeps_its_points_readable_and_counted(
    yiyuan, county_admin, heard
):
    department = yiyuan.department("县行政审批服务局")
    subzones = set(department.points.values_list("pk", flat=True))
    actions.update_department(department, active=False, by=county_admin)
    department.refresh_from_db()
    assert department.active is False
    assert set(department.points.values_list("pk", flat=True)) == subzones
    assert ServicePoint.objects.filter(pk__in=subzones, active=True).count() == 3
    counted = Department.objects.with_point_counts().get(pk=department.pk)
    assert (counted.window_count, counted.subzone_count) == (0, 3)
    assert history(department) == [(CHANGE, "修改：停用")]
    assert [c.departments for c in heard] == [frozenset({department.pk})]


def test_a_deactivated_department_can_be_reactivated(yiyuan, county_admin):
    department = deactivated("县残疾人联合会")
    actions.update_department(department, active=True, by=county_admin)
    department.refresh_from_db()
    assert department.active is True
    assert history(department)[-1] == (CHANGE, "修改：启用")


def test_window_and_sub_zone_counts(yiyuan):
    counted = {d.name: d for d in Department.objects.with_point_counts()}
    assert (counted["县自然资源局"].window_count, counted["县自然资源局"].subzone_count) == (1, 0)
    assert (counted["县医疗保障局"].window_count, counted["县医疗保障局"].subzone_count) == (0, 1)


# --- Takes no new ones -------------------------------------------------------------------------------


def test_no_new_window_for_a_deactivated_department(yiyuan):
    department = deactivated("县自然资源局")
    with pytest.raises(NetworkError) as caught:
        actions.create_point(
            yiyuan.centre,
            kind=Kind.DEPARTMENT_WINDOW,
            name="县自然资源局第二窗口",
            department=department,
            by=None,
        )
    assert "已停用" in caught.value.errors["department"][0]
    assert department.points.count() == 1


def test_no_new_sub_zone_for_a_deactivated_department_in_another_county(linqu):
    department = actions.create_department(linqu.county, name="临朐县医疗保障局", by=None)
    actions.update_department(department, active=False, by=None)
    with pytest.raises(NetworkError) as caught:
        actions.create_point(
            linqu.centre,
            kind=Kind.DOMAIN_SUBZONE,
            name="医保帮办代办分区",
            domain=Domain.objects.get(code="medical_insurance"),
            department=department,
            by=None,
        )
    assert list(caught.value.errors) == ["department"]
    assert not ServicePoint.objects.filter(county=linqu.county, kind=Kind.DOMAIN_SUBZONE).exists()


def test_a_sub_zone_of_a_department_in_service_is_made_in_another_county(linqu):
    department = actions.create_department(linqu.county, name="临朐县医疗保障局", by=None)
    subzone = actions.create_point(
        linqu.centre,
        kind=Kind.DOMAIN_SUBZONE,
        name="医保帮办代办分区",
        domain=Domain.objects.get(code="medical_insurance"),
        department=department,
        by=None,
    )
    assert subzone.department == department


def test_no_point_is_moved_to_a_deactivated_department(yiyuan):
    window = ServicePoint.objects.get(department__name="县自然资源局")
    department = deactivated("县残疾人联合会")
    with pytest.raises(NetworkError) as caught:
        actions.update_point(window, department=department, by=None)
    assert "已停用" in caught.value.errors["department"][0]
    window.refresh_from_db()
    assert window.department.name == "县自然资源局"


def test_a_window_of_a_deactivated_department_can_still_be_edited(yiyuan):
    department = deactivated("县自然资源局")
    window = ServicePoint.objects.get(department=department)
    actions.update_point(window, name="自然资源窗口", department=department, by=None)
    window.refresh_from_db()
    assert (window.name, window.department) == ("自然资源窗口", department)


def test_no_new_department_admin_for_a_deactivated_department(yiyuan):
    department = deactivated("县自然资源局")
    with pytest.raises(NetworkError) as caught:
        actions.create_account(
            username="zrzy-admin",
            password="Secure-pass-123",
            role=Role.DEPARTMENT_ADMIN,
            binding=department,
            by=None,
        )
    assert "已停用" in caught.value.errors["department"][0]
    assert not get_user_model().objects.filter(username="zrzy-admin").exists()


def test_no_new_department_admin_membership_for_a_deactivated_department(yiyuan, make_account):
    user = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    department = deactivated("县自然资源局")
    with pytest.raises(NetworkError) as caught:
        actions.grant_membership(user, role=Role.DEPARTMENT_ADMIN, binding=department, by=None)
    assert list(caught.value.errors) == ["department"]
    assert not Membership.objects.filter(user=user, department=department).exists()


def test_a_department_admin_already_bound_keeps_the_membership(yiyuan, make_account):
    department = yiyuan.department("县自然资源局")
    admin = make_account(Role.DEPARTMENT_ADMIN, department)
    deactivated("县自然资源局")
    membership = actions.grant_membership(
        admin, role=Role.DEPARTMENT_ADMIN, binding=department, by=None
    )
    assert membership.department == department
    assert access.can(admin, "view", ServicePoint.objects.get(department=department))


# --- Who sees and manages them -------------------------------------------------------------------------


def _places(yiyuan):
    return {
        "county": yiyuan.county,
        "city": Region.objects.get(code="3703"),
        "province": Region.objects.get(code="37"),
        "town": yiyuan.town("鲁村镇"),
        "station": yiyuan.station("鲁村镇"),
        "department": yiyuan.department("县医疗保障局"),
        "organisation": yiyuan.organisation("沂源农村商业银行"),
    }


#: (role, binding, sees Yiyuan's whole list, sees Linqu's, manages Yiyuan's, manages Linqu's)
SCOPE = [
    (Role.REGION_ADMIN, "county", True, False, True, False),
    (Role.REGION_ADMIN, "city", True, False, True, False),
    (Role.REGION_ADMIN, "province", True, True, True, True),
    (Role.SUPERVISOR, "county", True, False, False, False),
    (Role.TOWN_ADMIN, "town", True, False, False, False),
    (Role.POINT_LEAD, "station", True, False, False, False),
    (Role.HELPER, "station", True, False, False, False),
    (Role.DEPARTMENT_ADMIN, "department", False, False, False, False),
    (Role.PARTNER_ADMIN, "organisation", False, False, False, False),
]


@pytest.mark.parametrize(("role", "place", "sees", "sees_linqu", "manages", "manages_linqu"), SCOPE)
def test_who_sees_and_manages_the_departments(
    yiyuan, linqu, make_account, role, place, sees, sees_linqu, manages, manages_linqu
):
    theirs = actions.create_department(linqu.county, name="临朐县民政局", by=None)
    user = make_account(role, _places(yiyuan)[place])
    visible = access.departments_for(user)
    yiyuan_ids = set(Department.objects.filter(county=yiyuan.county).values_list("pk", flat=True))
    assert (set(visible.values_list("pk", flat=True)) >= yiyuan_ids) is sees
    assert visible.filter(pk=theirs.pk).exists() is sees_linqu
    assert access.can_manage_departments(user, yiyuan.county) is manages
    assert access.can_manage_departments(user, linqu.county) is manages_linqu


def test_a_department_admin_sees_only_its_own_department_read_only(yiyuan, make_account):
    department = yiyuan.department("县医疗保障局")
    admin = make_account(Role.DEPARTMENT_ADMIN, department)
    assert list(access.departments_for(admin)) == [department]
    assert access.get_department_for(admin, department.pk) == department
    with pytest.raises(Http404):
        access.get_department_for(admin, department.pk, "change")
    with pytest.raises(Http404):
        access.get_department_for(admin, yiyuan.department("县民政局").pk)


def test_missing_and_not_allowed_departments_look_the_same(yiyuan, linqu, make_account):
    theirs = actions.create_department(linqu.county, name="临朐县民政局", by=None)
    admin = make_account(Role.REGION_ADMIN, yiyuan.county)
    for pk in (theirs.pk, 10**9, "x"):
        with pytest.raises(Http404):
            access.get_department_for(admin, pk)
    ours = yiyuan.department("县民政局")
    assert access.get_department_for(admin, ours.pk, "change") == ours


def test_a_deactivated_department_stays_visible(yiyuan, make_account):
    helper = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    department = deactivated("县民政局")
    assert access.departments_for(helper).filter(pk=department.pk).exists()


def test_nobody_without_a_membership_and_no_inactive_account_sees_departments(yiyuan, make_account):
    stranger = get_user_model().objects.create_user("stranger", password="Secure-pass-123")
    assert not access.departments_for(stranger).exists()
    admin = make_account(Role.REGION_ADMIN, yiyuan.county)
    admin.is_active = False
    admin.save()
    assert not access.departments_for(admin).exists()
    assert not access.can_manage_departments(admin, yiyuan.county)


def test_the_counties_a_user_manages(yiyuan, linqu, make_account):
    city = make_account(Role.REGION_ADMIN, Region.objects.get(code="3703"))
    assert list(access.unit_counties(city)) == [yiyuan.county]
    province = make_account(Role.REGION_ADMIN, Region.objects.get(code="37"))
    assert set(access.unit_counties(province)) == {yiyuan.county, linqu.county}
    helper = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    assert not access.unit_counties(helper).exists()


# --- The API -----------------------------------------------------------------------------------------


@pytest.fixture
def api_as(client, make_account):
    """api_as(role, binding) → an Api client authenticated as a new account with that role."""

    def make(role, binding):
        return Api(client, token_for(client, make_account(role, binding)))

    return make


@pytest.fixture
def county_api(api_as, yiyuan):
    return api_as(Role.REGION_ADMIN, yiyuan.county)


def test_the_list_gives_ids_state_and_point_counts(county_api, yiyuan):
    response = county_api.get("/departments", limit=100)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Department.objects.filter(county=yiyuan.county).count() == 12
    ids = [item["id"] for item in body["items"]]
    assert ids == sorted(ids)
    by_name = {item["name"]: item for item in body["items"]}
    assert by_name["县行政审批服务局"] == {
        "id": yiyuan.department("县行政审批服务局").pk,
        "county": "370323",
        "name": "县行政审批服务局",
        "active": True,
        "windows": 0,
        "subzones": 3,
    }
    assert (by_name["县自然资源局"]["windows"], by_name["县自然资源局"]["subzones"]) == (1, 0)


def test_the_list_filters_by_state_name_and_county(api_as, yiyuan, linqu):
    deactivated("县残疾人联合会")
    actions.create_department(linqu.county, name="临朐县民政局", by=None)
    api = api_as(Role.REGION_ADMIN, Region.objects.get(code="37"))
    inactive = api.get("/departments", active="false").json()
    assert [item["name"] for item in inactive["items"]] == ["县残疾人联合会"]
    assert inactive["items"][0]["windows"] == 1  # still counted
    assert api.get("/departments", q="民政").json()["count"] == 2
    linqu_only = api.get("/departments", county="370724").json()
    assert [item["name"] for item in linqu_only["items"]] == ["临朐县民政局"]
    assert api.get("/departments", county="3707").json()["count"] == 1
    assert api.get("/departments", county="37").json()["count"] == 13


def test_the_list_refuses_an_unknown_filter(county_api):
    response = county_api.get("/departments", counti="370323")
    assert_error(response, 422, "counti")


def test_the_list_runs_a_fixed_number_of_queries(
    county_api, yiyuan, linqu, django_assert_num_queries
):
    county_api.get("/departments")  # the token's first use
    with django_assert_num_queries(3):  # the token with the memberships, count, page
        assert county_api.get("/departments", limit=2).json()["count"] == 12
    with django_assert_num_queries(3):
        assert len(county_api.get("/departments", limit=100).json()["items"]) == 12


def test_points_are_found_by_their_department(county_api, yiyuan):
    department = yiyuan.department("县行政审批服务局")
    body = county_api.get("/points", department=department.pk).json()
    assert body["count"] == 3
    assert {item["department"] for item in body["items"]} == {department.pk}


def test_one_department(county_api, yiyuan):
    department = yiyuan.department("县医疗保障局")
    response = county_api.get(f"/departments/{department.pk}")
    assert response.status_code == 200
    assert response.json()["subzones"] == 1


@pytest.mark.parametrize(
    ("role", "place"),
    [(Role.SUPERVISOR, "county"), (Role.TOWN_ADMIN, "town"), (Role.HELPER, "station")],
)
def test_the_county_list_is_read_only_for_other_roles(api_as, yiyuan, role, place):
    api = api_as(role, _places(yiyuan)[place])
    department = yiyuan.department("县医疗保障局")
    assert api.get("/departments").json()["count"] == 12
    assert api.get(f"/departments/{department.pk}").status_code == 200
    assert_error(api.patch(f"/departments/{department.pk}", {"name": "医保局"}), 403)
    assert_error(api.post("/departments", {"county": "370323", "name": "县统计局"}), 403, "county")
    department.refresh_from_db()
    assert department.name == "县医疗保障局"


def test_a_department_admin_sees_its_own_department_only(api_as, yiyuan):
    department = yiyuan.department("县医疗保障局")
    api = api_as(Role.DEPARTMENT_ADMIN, department)
    assert [item["id"] for item in api.get("/departments").json()["items"]] == [department.pk]
    other = yiyuan.department("县民政局")
    assert_error(api.get(f"/departments/{other.pk}"), 404)
    assert_error(api.patch(f"/departments/{department.pk}", {"active": False}), 403)


def test_another_countys_department_is_not_found(county_api, linqu):
    theirs = actions.create_department(linqu.county, name="临朐县民政局", by=None)
    assert_error(county_api.get(f"/departments/{theirs.pk}"), 404, "department_id")
    assert_error(county_api.patch(f"/departments/{theirs.pk}", {"name": "x"}), 404)
    assert_error(county_api.get("/departments/999999999"), 404)
    response = county_api.post("/departments", {"county": "370724", "name": "临朐县统计局"})
    assert_error(response, 404, "county")
    assert_error(county_api.post("/departments", {"county": "999999", "name": "x"}), 404)


def test_a_county_admin_adds_a_department_through_the_api(api_as, linqu):
    api = api_as(Role.REGION_ADMIN, linqu.county)
    response = api.post("/departments", {"county": "370724", "name": "临朐县医疗保障局"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": Department.objects.get(name="临朐县医疗保障局").pk,
        "county": "370724",
        "name": "临朐县医疗保障局",
        "active": True,
        "windows": 0,
        "subzones": 0,
    }


def test_a_name_taken_is_409_at_the_name(county_api):
    response = county_api.post("/departments", {"county": "370323", "name": "县医疗保障局"})
    (item,) = assert_error(response, 409, "name")
    assert item["loc"] == ["body", "name"]
    assert item["type"] == "rule"


@pytest.mark.parametrize(
    "body",
    [
        {"county": "370323"},
        {"county": "370323", "name": ""},
        {"county": "370323", "name": "局" * 101},
        {"county": "370323", "name": "县\n局"},
        {"county": "370323104", "name": "县统计局"},
        {"county": "370323", "name": "县统计局", "active": False},
    ],
)
def test_bad_input_is_422(county_api, body):
    assert_error(county_api.post("/departments", body), 422)
    assert not Department.objects.filter(name="县统计局").exists()


def test_rename_deactivate_and_reactivate_through_the_api(county_api, yiyuan):
    department = yiyuan.department("县自然资源局")
    url = f"/departments/{department.pk}"
    assert (
        county_api.patch(url, {"name": "县自然资源和规划局"}).json()["name"] == "县自然资源和规划局"
    )
    body = county_api.patch(url, {"active": False}).json()
    assert (body["active"], body["windows"]) == (False, 1)
    assert county_api.get(url).json()["active"] is False
    assert county_api.patch(url, {"active": True}).json()["active"] is True
    assert county_api.patch(url, {}).status_code == 200


def test_a_patch_with_null_or_a_name_taken_changes_nothing(county_api, yiyuan):
    department = yiyuan.department("县自然资源局")
    url = f"/departments/{department.pk}"
    assert_error(county_api.patch(url, {"name": None}), 422, "name")
    assert_error(county_api.patch(url, {"active": None}), 422, "active")
    assert_error(county_api.patch(url, {"name": "县民政局"}), 409, "name")
    department.refresh_from_db()
    assert (department.name, department.active) == ("县自然资源局", True)


def test_the_api_refuses_a_window_of_a_deactivated_department(county_api, yiyuan):
    department = deactivated("县自然资源局")
    response = county_api.post(
        "/points",
        {
            "kind": "department_window",
            "name": "县自然资源局第二窗口",
            "parent": yiyuan.centre.pk,
            "department": department.pk,
        },
    )
    (item,) = assert_error(response, 409, "department")
    assert "已停用" in item["msg"]


def test_the_api_refuses_moving_a_window_to_a_deactivated_department(county_api, yiyuan):
    window = ServicePoint.objects.get(department__name="县不动产登记中心")
    department = deactivated("县自然资源局")
    response = county_api.patch(f"/points/{window.pk}", {"department": department.pk})
    assert_error(response, 409, "department")
    # Its own window keeps working under the API.
    own = ServicePoint.objects.get(department=department)
    response = county_api.patch(f"/points/{own.pk}", {"name": "自然资源窗口"})
    assert response.status_code == 200
    assert response.json()["department"] == department.pk


def test_the_api_refuses_a_department_admin_of_a_deactivated_department(county_api, yiyuan):
    department = deactivated("县自然资源局")
    response = county_api.post(
        "/accounts",
        {
            "username": "zrzy-admin",
            "password": "Secure-pass-123",
            "role": "department_admin",
            "department": department.pk,
        },
    )
    assert_error(response, 409, "department")
    assert not get_user_model().objects.filter(username="zrzy-admin").exists()


# --- The pages ---------------------------------------------------------------------------------------


def options(page: str, name: str) -> set[str]:
    """The values offered by the select `name` of a page (the empty choice left out)."""
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select, name
    return set(re.findall(r'<option value="([^"]+)"', select.group(0)))


@pytest.fixture
def as_county_admin(client, county_admin):
    client.force_login(county_admin)
    return client


LIST = reverse_lazy("network:department_list")


def test_the_list_page_shows_ids_state_and_counts(as_county_admin, yiyuan):
    deactivated("县残疾人联合会")
    body = text(as_county_admin.get(LIST))
    assert "共 12 个" in body
    natural = yiyuan.department("县自然资源局")
    assert f"编号（ID）：{natural.pk}" in body
    assert "窗口 1 个" in body
    assert "分区 3 个" in body
    assert body.count("已停用</span>") == 1
    assert reverse("network:department_edit", args=[natural.pk]) in body
    assert reverse("network:department_new") in body


def test_the_list_page_filters_by_state_and_name(as_county_admin, yiyuan):
    deactivated("县残疾人联合会")
    body = text(as_county_admin.get(LIST, {"state": "inactive"}))
    assert "共 1 个" in body
    assert "县残疾人联合会" in body
    body = text(as_county_admin.get(LIST, {"state": "active", "q": "局"}))
    assert "县残疾人联合会" not in body
    assert "县医疗保障局" in body


def test_the_list_page_runs_a_fixed_number_of_queries(
    client, yiyuan, linqu, make_account, django_assert_num_queries
):
    actions.create_department(linqu.county, name="临朐县民政局", by=None)
    province = make_account(Role.REGION_ADMIN, Region.objects.get(code="37"))
    client.force_login(province)
    client.get(LIST)
    # session, user, memberships, the navigation's calendar link, counties shown, counties
    # managed, count, page, the county filter
    with django_assert_num_queries(9):
        few = client.get(LIST, {"q": "民政"})
    for name in ("临朐县统计局", "临朐县医疗保障局", "临朐县自然资源局"):
        actions.create_department(linqu.county, name=name, by=None)
    with django_assert_num_queries(9):
        many = client.get(LIST)
    assert "共 2 个" in text(few)
    assert "共 16 个" in text(many)
    assert "临朐县" in text(many)  # several counties: each row names its county


@pytest.mark.parametrize(("role", "place"), [(Role.HELPER, "station"), (Role.SUPERVISOR, "county")])
def test_other_roles_read_the_list_and_change_nothing(client, yiyuan, make_account, role, place):
    client.force_login(make_account(role, _places(yiyuan)[place]))
    department = yiyuan.department("县医疗保障局")
    body = text(client.get(LIST))
    assert "县医疗保障局" in body
    assert reverse("network:department_new") not in body
    assert reverse("network:department_edit", args=[department.pk]) not in body
    assert client.get(reverse("network:department_new")).status_code == 404
    assert client.get(reverse("network:department_edit", args=[department.pk])).status_code == 404
    url = reverse("network:department_active", args=[department.pk])
    assert client.post(url, {"active": "0"}).status_code == 404
    department.refresh_from_db()
    assert department.active is True


def test_the_county_admin_adds_a_department_on_the_page(client, linqu, make_account):
    client.force_login(make_account(Role.REGION_ADMIN, linqu.county))
    page = text(client.get(reverse("network:department_new")))
    assert 'name="county"' not in page  # one county: no choice to make
    response = client.post(reverse("network:department_new"), {"name": "临朐县医疗保障局"})
    assert response.status_code == 302
    assert Department.objects.get(name="临朐县医疗保障局").county == linqu.county
    assert "已新增部门“临朐县医疗保障局”" in text(client.get(response["Location"]))


def test_a_province_admin_chooses_the_county(client, yiyuan, linqu, make_account):
    client.force_login(make_account(Role.REGION_ADMIN, Region.objects.get(code="37")))
    page = text(client.get(reverse("network:department_new")))
    assert options(page, "county") == {str(yiyuan.county.pk), str(linqu.county.pk)}
    response = client.post(
        reverse("network:department_new"), {"county": linqu.county.pk, "name": "县统计局"}
    )
    assert response.status_code == 302
    assert Department.objects.get(name="县统计局").county == linqu.county


def test_a_name_taken_shows_a_chinese_error_beside_the_name(as_county_admin, yiyuan):
    response = as_county_admin.post(reverse("network:department_new"), {"name": "县医疗保障局"})
    assert response.status_code == 200
    body = text(response)
    assert 'id="id_name_error"' in body
    assert "本县已有名为“县医疗保障局”的部门。" in body
    assert Department.objects.filter(name="县医疗保障局").count() == 1


def test_rename_on_the_page(as_county_admin, yiyuan):
    department = yiyuan.department("县残疾人联合会")
    url = reverse("network:department_edit", args=[department.pk])
    assert "停用后，不能再为这个部门新设部门窗口" in text(as_county_admin.get(url))
    response = as_county_admin.post(url, {"name": "县残联"})
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.name == "县残联"


def test_deactivate_and_reactivate_on_the_page(as_county_admin, yiyuan):
    department = yiyuan.department("县残疾人联合会")
    url = reverse("network:department_active", args=[department.pk])
    assert as_county_admin.get(url).status_code == 405
    response = as_county_admin.post(url, {"active": "0"})
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.active is False
    page = text(as_county_admin.get(reverse("network:department_edit", args=[department.pk])))
    assert "启用“县残疾人联合会”" in page
    as_county_admin.post(url, {"active": "1"})
    department.refresh_from_db()
    assert department.active is True


def test_a_state_change_without_a_state_changes_nothing(as_county_admin, yiyuan):
    department = yiyuan.department("县残疾人联合会")
    url = reverse("network:department_active", args=[department.pk])
    assert as_county_admin.post(url, {}).status_code == 400
    assert as_county_admin.post(url, {"active": "no"}).status_code == 400
    department.refresh_from_db()
    assert department.active is True


def test_another_countys_department_pages_are_not_found(as_county_admin, linqu):
    theirs = actions.create_department(linqu.county, name="临朐县民政局", by=None)
    assert "临朐县民政局" not in text(as_county_admin.get(LIST))
    edit = reverse("network:department_edit", args=[theirs.pk])
    assert as_county_admin.get(edit).status_code == 404
    active = reverse("network:department_active", args=[theirs.pk])
    assert as_county_admin.post(active, {"active": "0"}).status_code == 404


def test_the_county_pages_link_to_the_list(as_county_admin, yiyuan):
    tree = text(as_county_admin.get(reverse("network:tree")))
    assert reverse("network:department_list") in tree
    assert reverse("network:organisation_list") in tree
    point = text(as_county_admin.get(reverse("network:point", args=[yiyuan.centre.pk])))
    assert reverse("network:department_list") in point


def test_the_navigation_links_the_list_for_administrators_only(client, yiyuan, make_account):
    client.force_login(make_account(Role.REGION_ADMIN, yiyuan.county))
    assert "部门和合作单位" in text(client.get(reverse("network:accounts")))
    client.force_login(make_account(Role.HELPER, yiyuan.station("鲁村镇")))
    assert "部门和合作单位" not in text(client.get(reverse("network:tree")))


def test_the_new_point_form_offers_only_departments_in_service(as_county_admin, yiyuan):
    department = deactivated("县残疾人联合会")
    page = text(as_county_admin.get(reverse("network:point_add", args=[yiyuan.centre.pk])))
    offered = options(page, "department")
    assert str(department.pk) not in offered
    assert str(yiyuan.department("县民政局").pk) in offered
    assert len(offered) == 11
    response = as_county_admin.post(
        reverse("network:point_add", args=[yiyuan.centre.pk]),
        {"kind": Kind.DEPARTMENT_WINDOW, "name": "县残联第二窗口", "department": department.pk},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in text(response)
    assert department.points.count() == 1


def test_a_window_of_a_deactivated_department_is_still_edited_on_its_page(as_county_admin, yiyuan):
    department = deactivated("县残疾人联合会")
    window = department.points.get()
    url = reverse("network:point_edit", args=[window.pk])
    page = text(as_county_admin.get(url))
    assert "县残疾人联合会（已停用）" in page  # the current value, shown though inactive
    response = as_county_admin.post(
        url, {"name": "残联窗口", "department": department.pk, "active": "on"}
    )
    assert response.status_code == 302
    window.refresh_from_db()
    assert (window.name, window.department) == ("残联窗口", department)
    point = text(as_county_admin.get(reverse("network:point", args=[window.pk])))
    assert "部门已停用" in point


def test_a_window_is_not_moved_to_a_deactivated_department_on_its_page(as_county_admin, yiyuan):
    department = deactivated("县残疾人联合会")
    window = ServicePoint.objects.get(department__name="县自然资源局")
    page = text(as_county_admin.get(reverse("network:point_edit", args=[window.pk])))
    assert str(department.pk) not in options(page, "department")
    response = as_county_admin.post(
        reverse("network:point_edit", args=[window.pk]),
        {"name": window.name, "department": department.pk, "active": "on"},
    )
    assert response.status_code == 200
    window.refresh_from_db()
    assert window.department.name == "县自然资源局"


def test_the_account_form_offers_no_deactivated_department(as_county_admin, yiyuan):
    department = deactivated("县残疾人联合会")
    page = text(as_county_admin.get(reverse("network:account_new")))
    assert str(department.pk) not in options(page, "department")
    assert len(options(page, "department")) == 11
    response = as_county_admin.post(
        reverse("network:account_new"),
        {
            "role": Role.DEPARTMENT_ADMIN,
            "department": department.pk,
            "username": "canlian-admin",
            "full_name": "李四",
            "password": "Secure-pass-123",
            "password2": "Secure-pass-123",
        },
    )
    assert response.status_code == 200
    assert not get_user_model().objects.filter(username="canlian-admin").exists()


def test_django_admin_only_looks_departments_up(client, yiyuan):
    operator = get_user_model().objects.create_superuser("operator", password="Secure-pass-123")
    client.force_login(operator)
    department = yiyuan.department("县民政局")
    assert client.get("/admin/network/department/?active__exact=1").status_code == 200
    assert client.get("/admin/network/department/add/").status_code == 403
    assert client.get(f"/admin/network/department/{department.pk}/delete/").status_code == 403
    client.post(f"/admin/network/department/{department.pk}/change/", {"name": "改名"})
    department.refresh_from_db()
    assert department.name == "县民政局"
