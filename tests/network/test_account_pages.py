"""The account pages: people at a point, a new account at a point, the accounts list and a new
region / department / organisation account. Who may create whom is `access.can_grant`; the pages
only offer what it allows and refuse the rest without changing anything."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from bangban.network import access
from bangban.network.models import Membership, Region, Role, ServicePoint
from tests.pages import page_text as text

PASSWORD = "Secure-pass-123"
User = get_user_model()


def new_account(role: str, username: str = "new-user", **extra) -> dict:
    return {
        "role": role,
        "username": username,
        "full_name": "张新",
        "password": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }


def role_options(body: str) -> set[str]:
    return {role for role in Role.values if f'value="{role}"' in body}


@pytest.fixture
def county_admin(yiyuan, make_account):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


@pytest.fixture
def lucun_admin(yiyuan, make_account):
    return make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))


# --- People at a point ----------------------------------------------------------------------------


def test_point_page_lists_the_people_bound_to_it(client, yiyuan, county_admin, make_account):
    station = yiyuan.station("鲁村镇")
    make_account(Role.POINT_LEAD, station, username="lead-lucun")
    make_account(Role.HELPER, station, username="helper-lucun")
    make_account(Role.HELPER, yiyuan.station("鲁村镇", 1), username="helper-elsewhere")
    client.force_login(county_admin)
    body = text(client.get(reverse("network:point", args=[station.pk])))
    assert "人员" in body
    assert "lead-lucun" in body and "helper-lucun" in body
    assert "服务点负责人" in body and "帮办代办员" in body
    assert "helper-elsewhere" not in body
    assert body.index("lead-lucun") < body.index("helper-lucun")  # highest role first
    assert reverse("network:point_account_new", args=[station.pk]) in body


@pytest.mark.parametrize("people", [0, 6])
def test_point_page_query_count_does_not_grow_with_its_people(
    client, yiyuan, lucun_admin, make_account, django_assert_num_queries, people
):
    station = yiyuan.station("鲁村镇")
    for number in range(people):
        make_account(Role.HELPER, station, username=f"helper-{number}")
    client.force_login(lucun_admin)
    url = reverse("network:point", args=[station.pk])
    client.get(url)  # warm the session
    # 12 + the equipment card's one + the staff helpers card's two
    with django_assert_num_queries(15):
        response = client.get(url)
    assert text(response).count('<span class="username">helper-') == people


def test_helper_sees_no_new_account_button_and_is_refused(client, yiyuan, make_account):
    station = yiyuan.station("鲁村镇")
    client.force_login(make_account(Role.HELPER, station, username="helper-one"))
    body = text(client.get(reverse("network:point", args=[station.pk])))
    assert "helper-one" in body
    assert "新增账号" not in body
    assert reverse("network:accounts") not in body  # no navbar link either
    url = reverse("network:point_account_new", args=[station.pk])
    assert client.get(url).status_code == 404
    before = User.objects.count()
    assert client.post(url, new_account(Role.HELPER)).status_code == 404
    assert User.objects.count() == before


# --- A new account at a point ---------------------------------------------------------------------


def test_county_admin_creates_a_town_admin_for_lucun(client, yiyuan, county_admin):
    lucun = yiyuan.town("鲁村镇")
    client.force_login(county_admin)
    url = reverse("network:point_account_new", args=[lucun.pk])
    form = text(client.get(url))
    assert role_options(form) == {Role.TOWN_ADMIN, Role.POINT_LEAD, Role.HELPER}
    response = client.post(url, new_account(Role.TOWN_ADMIN, "lucun-admin-2"))
    assert response.status_code == 302
    assert response["Location"] == reverse("network:point", args=[lucun.pk])
    membership = Membership.objects.get(user__username="lucun-admin-2")
    assert (membership.role, membership.point, membership.created_by) == (
        Role.TOWN_ADMIN,
        lucun,
        county_admin,
    )
    assert membership.user.first_name == "张新"
    assert membership.user.check_password(PASSWORD)
    page = text(client.get(response["Location"]))
    assert "已新增账号“lucun-admin-2”（镇（街道）管理员）。" in page
    assert "lucun-admin-2" in page


def test_town_admin_is_not_offered_at_a_village_station(client, yiyuan, county_admin):
    client.force_login(county_admin)
    url = reverse("network:point_account_new", args=[yiyuan.station("鲁村镇").pk])
    assert role_options(text(client.get(url))) == {Role.POINT_LEAD, Role.HELPER}


def test_town_admin_creates_a_helper_at_a_lucun_station(client, yiyuan, lucun_admin):
    station = yiyuan.station("鲁村镇")
    client.force_login(lucun_admin)
    url = reverse("network:point_account_new", args=[station.pk])
    response = client.post(url, new_account(Role.HELPER, "lucun-helper"))
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="lucun-helper")
    assert (membership.role, membership.point) == (Role.HELPER, station)


def test_town_admin_gets_404_for_a_nanma_station(client, yiyuan, lucun_admin):
    url = reverse("network:point_account_new", args=[yiyuan.station("南麻街道").pk])
    client.force_login(lucun_admin)
    assert client.get(url).status_code == 404
    assert client.post(url, new_account(Role.HELPER, "nanma-helper")).status_code == 404
    assert not User.objects.filter(username="nanma-helper").exists()


def test_town_admin_cannot_pick_the_town_admin_role(client, yiyuan, lucun_admin):
    lucun = yiyuan.town("鲁村镇")
    client.force_login(lucun_admin)
    url = reverse("network:point_account_new", args=[lucun.pk])
    assert role_options(text(client.get(url))) == {Role.POINT_LEAD, Role.HELPER}
    response = client.post(url, new_account(Role.TOWN_ADMIN, "second-admin"))
    assert response.status_code == 200
    assert "您无权在此服务点授予该角色。" in text(response)
    assert not User.objects.filter(username="second-admin").exists()


def test_point_lead_creates_only_helpers_at_its_own_point(client, yiyuan, make_account):
    station = yiyuan.station("鲁村镇")
    client.force_login(make_account(Role.POINT_LEAD, station))
    url = reverse("network:point_account_new", args=[station.pk])
    assert role_options(text(client.get(url))) == {Role.HELPER}
    refused = client.post(url, new_account(Role.POINT_LEAD, "second-lead"))
    assert "您无权在此服务点授予该角色。" in text(refused)
    assert not User.objects.filter(username="second-lead").exists()
    assert client.post(url, new_account(Role.HELPER, "station-helper")).status_code == 302
    assert Membership.objects.get(user__username="station-helper").point == station
    other = reverse("network:point_account_new", args=[yiyuan.station("鲁村镇", 1).pk])
    assert client.get(other).status_code == 404


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"password2": "Other-pass-456"}, "password2", "两次输入的密码不一致。"),
        ({"password": "12345678", "password2": "12345678"}, "password", "密码只包含数字。"),
        ({"username": ""}, "username", "这个字段是必填项。"),
        ({"full_name": ""}, "full_name", "这个字段是必填项。"),
    ],
)
def test_bad_input_shows_chinese_field_errors_and_creates_nothing(
    client, yiyuan, lucun_admin, changes, field, message
):
    station = yiyuan.station("鲁村镇")
    client.force_login(lucun_admin)
    before = User.objects.count()
    response = client.post(
        reverse("network:point_account_new", args=[station.pk]),
        {**new_account(Role.HELPER, "fresh-name"), **changes},
    )
    body = text(response)
    assert response.status_code == 200
    assert "没有保存，请修改下面标出的内容。" in body
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert User.objects.count() == before


def test_a_taken_username_is_refused_on_its_field(client, yiyuan, lucun_admin, make_account):
    station = yiyuan.station("鲁村镇")
    make_account(Role.HELPER, station, username="taken")
    client.force_login(lucun_admin)
    before = User.objects.count()
    response = client.post(
        reverse("network:point_account_new", args=[station.pk]),
        new_account(Role.HELPER, "Taken"),
    )
    body = text(response)
    assert 'id="id_username_error"' in body
    assert "用户名 Taken 已被使用。" in body
    assert User.objects.count() == before


# --- The accounts page ----------------------------------------------------------------------------


def test_town_admin_sees_its_towns_accounts_not_another_towns(
    client, yiyuan, lucun_admin, make_account
):
    make_account(Role.HELPER, yiyuan.station("鲁村镇"), username="lucun-helper")
    make_account(Role.HELPER, yiyuan.station("南麻街道"), username="nanma-helper")
    make_account(Role.DEPARTMENT_ADMIN, yiyuan.department("县医疗保障局"), username="medical")
    client.force_login(lucun_admin)
    body = text(client.get(reverse("network:accounts")))
    assert "lucun-helper" in body
    assert lucun_admin.username in body
    assert "nanma-helper" not in body
    assert "medical" not in body
    assert reverse("network:account_new") not in body  # only point-bound roles to give


def test_county_admin_sees_every_account_of_the_county(client, yiyuan, county_admin, make_account):
    make_account(Role.HELPER, yiyuan.station("南麻街道"), username="nanma-helper")
    make_account(Role.DEPARTMENT_ADMIN, yiyuan.department("县医疗保障局"), username="medical")
    make_account(Role.PARTNER_ADMIN, yiyuan.organisation("沂源农村商业银行"), username="bank")
    make_account(Role.REGION_ADMIN, Region.objects.get(code="3703"), username="city-admin")
    client.force_login(county_admin)
    body = text(client.get(reverse("network:accounts")))
    for username in ("nanma-helper", "medical", "bank", county_admin.username):
        assert username in body
    assert "city-admin" not in body
    assert "县医疗保障局" in body and "沂源农村商业银行" in body
    assert reverse("network:account_new") in body


def test_accounts_search_by_username_or_name(client, yiyuan, county_admin, make_account):
    station = yiyuan.station("鲁村镇")
    make_account(Role.HELPER, station, username="wang-helper")
    make_account(Role.HELPER, station, username="li-helper")
    client.force_login(county_admin)
    by_username = text(client.get(reverse("network:accounts"), {"q": "WANG"}))
    assert "wang-helper" in by_username and "li-helper" not in by_username
    by_name = text(client.get(reverse("network:accounts"), {"q": "测试"}))
    assert "wang-helper" in by_name and "li-helper" in by_name
    none = text(client.get(reverse("network:accounts"), {"q": "赵"}))
    assert "没有找到符合条件的账号。" in none


@pytest.mark.parametrize("accounts", [5, 50])
def test_accounts_page_query_count_is_fixed(
    client, yiyuan, lucun_admin, make_account, django_assert_num_queries, accounts
):
    stations = [yiyuan.station("鲁村镇", i) for i in range(5)]
    for number in range(accounts):
        make_account(Role.HELPER, stations[number % 5], username=f"helper-{number:02}")
    client.force_login(lucun_admin)
    url = reverse("network:accounts")
    client.get(url)  # warm the session
    with django_assert_num_queries(5):
        response = client.get(url)
    assert text(response).count('<span class="username">helper-') == min(accounts, 50)


def test_accounts_page_is_paginated_by_50(client, yiyuan, lucun_admin, make_account):
    station = yiyuan.station("鲁村镇")
    for number in range(55):
        make_account(Role.HELPER, station, username=f"helper-{number:02}")
    client.force_login(lucun_admin)
    first = text(client.get(reverse("network:accounts")))
    assert "账号岗位（56 条）" in first
    assert "第 1 / 2 页" in first
    second = text(client.get(reverse("network:accounts"), {"page": 2}))
    assert (
        second.count('<span class="username">helper-')
        + first.count('<span class="username">helper-')
        == 55
    )


def test_navbar_links_the_accounts_page_for_those_who_may_grant(client, lucun_admin):
    client.force_login(lucun_admin)
    assert reverse("network:accounts") in text(client.get(reverse("network:tree")))


# --- A new region, department or organisation account ---------------------------------------------


def test_county_admin_is_offered_the_roles_not_bound_to_points(client, yiyuan, county_admin):
    client.force_login(county_admin)
    body = text(client.get(reverse("network:account_new")))
    assert role_options(body) == {
        Role.REGION_ADMIN,
        Role.SUPERVISOR,
        Role.SPECIAL_SUPERVISOR,
        Role.DEPARTMENT_ADMIN,
        Role.PARTNER_ADMIN,
    }
    assert "县医疗保障局" in body and "沂源农村商业银行" in body
    assert "鲁村镇" not in body  # regions: province, city and county levels only


def test_county_admin_creates_a_department_admin(client, yiyuan, county_admin):
    department = yiyuan.department("县医疗保障局")
    client.force_login(county_admin)
    response = client.post(
        reverse("network:account_new"),
        new_account(Role.DEPARTMENT_ADMIN, "medical-admin", department=department.pk),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("network:accounts")
    membership = Membership.objects.get(user__username="medical-admin")
    assert (membership.role, membership.department) == (Role.DEPARTMENT_ADMIN, department)


def test_county_admin_creates_a_supervisor_for_the_county(client, yiyuan, county_admin):
    client.force_login(county_admin)
    response = client.post(
        reverse("network:account_new"),
        new_account(Role.SUPERVISOR, "inspector", region=yiyuan.county.pk),
    )
    assert response.status_code == 302
    assert Membership.objects.get(user__username="inspector").region == yiyuan.county


def test_county_admin_cannot_create_a_second_county_admin(client, yiyuan, county_admin):
    client.force_login(county_admin)
    response = client.post(
        reverse("network:account_new"),
        new_account(Role.REGION_ADMIN, "second-county-admin", region=yiyuan.county.pk),
    )
    assert response.status_code == 200
    assert "您无权在这里授予该角色。" in text(response)
    assert not User.objects.filter(username="second-county-admin").exists()


def test_the_binding_of_the_role_is_required(client, yiyuan, county_admin):
    client.force_login(county_admin)
    response = client.post(
        reverse("network:account_new"), new_account(Role.PARTNER_ADMIN, "no-organisation")
    )
    assert 'id="id_organisation_error"' in text(response)
    assert "合作单位管理员必须选择合作单位。" in text(response)
    assert not User.objects.filter(username="no-organisation").exists()


def test_a_region_outside_the_scope_is_refused(client, yiyuan, county_admin):
    client.force_login(county_admin)
    city = Region.objects.get(code="3703")
    response = client.post(
        reverse("network:account_new"), new_account(Role.SUPERVISOR, "city-eye", region=city.pk)
    )
    assert 'id="id_region_error"' in text(response)
    assert not User.objects.filter(username="city-eye").exists()


def test_town_admin_has_no_region_account_page(client, lucun_admin):
    client.force_login(lucun_admin)
    assert client.get(reverse("network:account_new")).status_code == 404
    assert client.post(reverse("network:account_new"), new_account(Role.HELPER)).status_code == 404


@pytest.fixture
def back_to_chinese():
    """The locale middleware leaves the last request's language active in this thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_account_pages_in_english(client, yiyuan, county_admin, back_to_chinese):
    client.force_login(county_admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = text(client.get(reverse("network:accounts")))
    assert "Accounts" in body and "账号管理" not in body
    form = text(client.get(reverse("network:point_account_new", args=[yiyuan.zone.pk])))
    assert "New account" in form and "Confirm password" in form


# --- The gate's memberships -----------------------------------------------------------------------


def test_department_admin_sees_the_memberships_of_its_windows_only(yiyuan, make_account):
    department = yiyuan.department("县医疗保障局")
    window = ServicePoint.objects.filter(department=department).order_by("pk").first()
    department_admin = make_account(Role.DEPARTMENT_ADMIN, department)
    window_helper = make_account(Role.HELPER, window)
    town_helper = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    seen = set(access.memberships_for(department_admin).values_list("user", flat=True))
    assert window_helper.pk in seen
    assert town_helper.pk not in seen


def test_an_inactive_user_sees_no_memberships(yiyuan, lucun_admin, make_account):
    make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    lucun_admin.is_active = False
    assert not access.memberships_for(lucun_admin).exists()
