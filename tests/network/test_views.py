"""The network pages: tree, search, a point's page, the edit forms, scope, login throttling, admin."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from bangban.network.models import OpeningHours, Region, Role, ServicePoint
from tests.pages import page_text as text
from tests.proxies import through

Kind = ServicePoint.Kind
PASSWORD = "Secure-pass-123"


@pytest.fixture
def county_admin(yiyuan, make_account):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


@pytest.fixture
def lucun_admin(yiyuan, make_account):
    return make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))


@pytest.fixture
def as_county_admin(client, county_admin):
    client.force_login(county_admin)
    return client


@pytest.fixture
def as_lucun_admin(client, lucun_admin):
    client.force_login(lucun_admin)
    return client


# --- Login and throttling ------------------------------------------------------------------------


def test_pages_need_login(client, yiyuan):
    response = client.get(reverse("network:tree"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = text(response)
    assert 'lang="zh-Hans"' in body
    assert "登录帮办代办服务系统" in body
    assert "用户名" in body and "密码" in body


def test_login_then_tree(client, yiyuan, lucun_admin):
    response = client.post(
        reverse("login"), {"username": lucun_admin.username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "鲁村镇便民服务中心" in text(response) or yiyuan.town("鲁村镇").name in text(response)


def test_logout_is_a_post(as_lucun_admin):
    response = as_lucun_admin.post(reverse("logout"))
    assert response.status_code == 302
    assert as_lucun_admin.get(reverse("network:tree")).status_code == 302


@override_settings(AXES_ENABLED=True)
def test_typos_lock_out_one_account_not_another_behind_the_same_address(
    client, yiyuan, make_account
):
    station = yiyuan.station("鲁村镇")
    make_account(Role.HELPER, station, username="helper-a")
    make_account(Role.HELPER, station, username="helper-b")
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "helper-a", "password": "wrong-password"},
            REMOTE_ADDR="10.1.2.3",
        )
    locked = client.post(
        reverse("login"), {"username": "helper-a", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert locked.status_code == 429
    assert "登录失败次数过多，请 15 分钟后再试" in text(locked, 429)

    other = client.post(
        reverse("login"), {"username": "helper-b", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert other.status_code == 302
    assert client.get(reverse("network:tree")).status_code == 200


@pytest.mark.parametrize("proxies", [1, 2])
def test_behind_the_proxy_typos_lock_out_one_client_not_another(
    client, yiyuan, make_account, settings, proxies
):
    """Every request comes from the proxy (127.0.0.1); axes goes by the address our own proxies put
    right-most in X-Forwarded-For, so one station's typos do not lock the username county-wide, and
    writing another address in front of the header does not get round the lockout."""
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    settings.BANGBAN_PROXY_COUNT = proxies
    make_account(Role.HELPER, yiyuan.station("鲁村镇"), username="helper-a")
    typist, elsewhere = "203.0.113.7", "198.51.100.20"
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "helper-a", "password": "wrong-password"},
            **through(typist, proxies),
        )
    right = {"username": "helper-a", "password": PASSWORD}
    assert client.post(reverse("login"), right, **through(typist, proxies)).status_code == 429
    spoofed = through(typist, proxies, written=elsewhere)
    assert client.post(reverse("login"), right, **spoofed).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {typist}

    other = Client()
    assert other.post(reverse("login"), right, **through(elsewhere, proxies)).status_code == 302
    assert other.get(reverse("network:tree"), **through(elsewhere, proxies)).status_code == 200


# --- The tree --------------------------------------------------------------------------------------


def test_county_admin_sees_the_county_centre_and_its_children(as_county_admin, yiyuan):
    response = as_county_admin.get(reverse("network:tree"))
    body = text(response)
    assert response.status_code == 200
    assert yiyuan.centre.name in body
    assert "帮办代办专区" in body
    assert yiyuan.subzone("tax").name in body
    lucun = yiyuan.town("鲁村镇")
    stations = lucun.children.count()
    assert f"?point={lucun.pk}" in body
    assert f"下级 {stations} 个" in body


def test_drill_down_to_a_town_lists_its_stations_paginated(as_county_admin, yiyuan):
    lucun = yiyuan.town("鲁村镇")
    response = as_county_admin.get(reverse("network:tree"), {"point": lucun.pk})
    body = text(response)
    count = lucun.children.count()
    assert count > 50
    assert f"下级服务点（{count} 个）" in body
    assert body.count('class="list-group-item point-row"') == 50
    assert "第 1 / 2 页" in body
    second = as_county_admin.get(reverse("network:tree"), {"point": lucun.pk, "page": 2})
    assert text(second).count('class="list-group-item point-row"') == count - 50
    assert yiyuan.centre.name in body  # breadcrumbs


def test_region_admin_of_a_city_sees_counties_with_counts(client, yiyuan, make_account):
    city = Region.objects.get(code="3703")
    client.force_login(make_account(Role.REGION_ADMIN, city))
    response = client.get(reverse("network:tree"))
    body = text(response)
    total = ServicePoint.objects.filter(county__code="370323").count()
    assert "沂源县" in body
    assert f"{total} 个服务点" in body
    county = client.get(reverse("network:tree"), {"region": "370323"})
    assert yiyuan.centre.name in text(county)


def test_town_admin_starts_at_the_town_centre(as_lucun_admin, yiyuan):
    body = text(as_lucun_admin.get(reverse("network:tree")))
    assert yiyuan.town("鲁村镇").name in body
    assert yiyuan.station("鲁村镇").name in body
    assert yiyuan.station("南麻街道").name not in body


def test_tree_query_count_is_fixed_for_a_town_page(
    as_county_admin, yiyuan, django_assert_num_queries
):
    lucun = yiyuan.town("鲁村镇")
    as_county_admin.get(reverse("network:tree"), {"point": lucun.pk})  # warm the session
    with django_assert_num_queries(7):
        response = as_county_admin.get(reverse("network:tree"), {"point": lucun.pk})
    assert response.status_code == 200


def test_tree_query_count_is_fixed_for_a_county_page(
    as_county_admin, yiyuan, django_assert_num_queries
):
    as_county_admin.get(reverse("network:tree"))
    with django_assert_num_queries(6):
        response = as_county_admin.get(reverse("network:tree"))
    assert response.status_code == 200


# --- Search ----------------------------------------------------------------------------------------


def test_search_finds_by_chinese_substring_within_scope(as_lucun_admin, yiyuan):
    station = yiyuan.station("鲁村镇")
    word = station.name[:3]
    body = text(as_lucun_admin.get(reverse("network:tree"), {"q": word}))
    assert station.name in body
    assert "搜索结果" in body
    nanma = text(as_lucun_admin.get(reverse("network:tree"), {"q": "南麻"}))
    assert yiyuan.station("南麻街道").name not in nanma
    assert "没有找到符合条件的服务点" in nanma


def test_search_by_region_code(as_county_admin, yiyuan):
    station = yiyuan.station("鲁村镇")
    body = text(as_county_admin.get(reverse("network:tree"), {"q": station.region.code}))
    assert station.name in body
    assert "（1 个）" in body


def test_search_answers_htmx_with_a_fragment(as_county_admin, yiyuan):
    response = as_county_admin.get(reverse("network:tree"), {"q": "鲁村"}, HTTP_HX_REQUEST="true")
    body = text(response)
    assert "<html" not in body
    assert "搜索结果" in body
    assert yiyuan.town("鲁村镇").name in body


def test_search_query_count_is_fixed(as_county_admin, yiyuan, django_assert_num_queries):
    as_county_admin.get(reverse("network:tree"), {"q": "村"})
    with django_assert_num_queries(5):
        as_county_admin.get(reverse("network:tree"), {"q": "村"})


# --- A point's page --------------------------------------------------------------------------------


def test_point_page_shows_its_facts_and_hours(as_county_admin, yiyuan):
    zone = yiyuan.zone
    body = text(as_county_admin.get(reverse("network:point", args=[zone.pk])))
    assert zone.name in body
    assert "帮办代办专区" in body
    assert yiyuan.centre.name in body
    assert zone.address in body
    assert "星期一" in body and "09:00–12:00" in body
    assert reverse("network:point_edit", args=[zone.pk]) in body
    assert reverse("network:chart", args=[zone.pk]) in body


def test_point_page_of_a_partner_station_names_its_organisation(as_county_admin, yiyuan):
    station = yiyuan.partner_station("沂源农村商业银行")
    body = text(as_county_admin.get(reverse("network:point", args=[station.pk])))
    assert "沂源农村商业银行" in body
    assert "银行" in body


def test_helper_sees_no_edit_buttons(client, yiyuan, make_account):
    station = yiyuan.station("鲁村镇")
    client.force_login(make_account(Role.HELPER, station))
    body = text(client.get(reverse("network:point", args=[station.pk])))
    assert station.name in body
    assert reverse("network:point_edit", args=[station.pk]) not in body
    assert client.get(reverse("network:point_edit", args=[station.pk])).status_code == 404


def test_point_page_in_english(as_county_admin, yiyuan):
    as_county_admin.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = text(as_county_admin.get(reverse("network:point", args=[yiyuan.zone.pk])))
    assert 'lang="en"' in body
    assert "Opening hours" in body
    assert "Monday" in body
    assert "Dedicated assisted-service zone" in body


# --- Scope -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["network:point", "network:point_edit", "network:point_hours"])
def test_lucun_admin_gets_404_on_a_nanma_station(as_lucun_admin, yiyuan, name):
    nanma_station = yiyuan.station("南麻街道")
    assert as_lucun_admin.get(reverse(name, args=[nanma_station.pk])).status_code == 404


def test_lucun_admin_cannot_post_to_a_nanma_station(as_lucun_admin, yiyuan):
    nanma_station = yiyuan.station("南麻街道")
    response = as_lucun_admin.post(
        reverse("network:point_edit", args=[nanma_station.pk]), {"name": "改名"}
    )
    assert response.status_code == 404
    nanma_station.refresh_from_db()
    assert nanma_station.name != "改名"
    add = as_lucun_admin.get(reverse("network:point_add", args=[yiyuan.town("南麻街道").pk]))
    assert add.status_code == 404


def test_missing_point_is_404(as_county_admin, yiyuan):
    assert as_county_admin.get(reverse("network:point", args=[999999])).status_code == 404


def test_region_admin_is_refused_at_admin(as_county_admin):
    response = as_county_admin.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_non_superuser_is_refused_at_admin(client, county_admin):
    county_admin.is_staff = True
    county_admin.save()
    client.force_login(county_admin)
    assert client.get("/admin/").status_code == 302


def test_superuser_reaches_admin(client, db):
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/network/servicepoint/").status_code == 200


# --- Editing ---------------------------------------------------------------------------------------


def test_edit_a_point(as_lucun_admin, yiyuan):
    station = yiyuan.station("鲁村镇")
    response = as_lucun_admin.post(
        reverse("network:point_edit", args=[station.pk]),
        {"name": "新名称服务站", "address": "村委会一楼", "phone": "0533-1234567", "active": "on"},
    )
    assert response.status_code == 302
    station.refresh_from_db()
    assert (station.name, station.address, station.signage_in_place) == (
        "新名称服务站",
        "村委会一楼",
        False,
    )
    page = as_lucun_admin.get(response["Location"])
    assert "已保存" in text(page)


def test_edit_with_a_blank_name_shows_a_chinese_error_and_changes_nothing(as_lucun_admin, yiyuan):
    station = yiyuan.station("鲁村镇")
    before = (station.name, station.address)
    response = as_lucun_admin.post(
        reverse("network:point_edit", args=[station.pk]),
        {"name": "", "address": "不会保存的地址", "active": "on"},
    )
    assert response.status_code == 200
    body = text(response)
    assert "这个字段是必填项。" in body
    assert 'aria-invalid="true"' in body
    station.refresh_from_db()
    assert (station.name, station.address) == before


def test_edit_a_window_to_another_countys_department_is_refused(
    as_county_admin, yiyuan, make_account
):
    window = ServicePoint.objects.filter(kind=Kind.DEPARTMENT_WINDOW).first()
    response = as_county_admin.post(
        reverse("network:point_edit", args=[window.pk]),
        {"name": window.name, "department": "999999", "active": "on"},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in text(response)


def test_add_child_offers_only_the_kinds_allowed_there(as_county_admin, yiyuan):
    body = text(as_county_admin.get(reverse("network:point_add", args=[yiyuan.centre.pk])))
    for label in ["帮办代办专区", "帮办代办分区", "部门窗口", "镇（街道）便民服务中心"]:
        assert f">{label}</option>" in body
    assert ">村（社区）便民服务站</option>" not in body
    town = text(as_county_admin.get(reverse("network:point_add", args=[yiyuan.town("鲁村镇").pk])))
    assert ">合作网点帮办代办服务站</option>" in town
    assert ">村（社区）便民服务站</option>" in town
    assert ">部门窗口</option>" not in town


def test_add_a_partner_station_under_a_town_centre(as_lucun_admin, yiyuan):
    lucun = yiyuan.town("鲁村镇")
    post = yiyuan.organisation("中国邮政集团有限公司沂源县分公司")
    response = as_lucun_admin.post(
        reverse("network:point_add", args=[lucun.pk]),
        {
            "kind": Kind.PARTNER_STATION,
            "name": "鲁村邮政支局帮办代办服务站",
            "organisation": post.pk,
            "address": "鲁村镇鲁村大街 1 号",
            "phone": "0533-3000000",
        },
    )
    assert response.status_code == 302
    station = ServicePoint.objects.get(name="鲁村邮政支局帮办代办服务站")
    assert (station.parent, station.organisation, station.region) == (lucun, post, lucun.region)
    assert response["Location"] == reverse("network:point", args=[station.pk])


def test_add_a_partner_station_without_organisation_shows_the_rule(as_lucun_admin, yiyuan):
    lucun = yiyuan.town("鲁村镇")
    before = ServicePoint.objects.count()
    response = as_lucun_admin.post(
        reverse("network:point_add", args=[lucun.pk]),
        {"kind": Kind.PARTNER_STATION, "name": "无单位服务站"},
    )
    assert response.status_code == 200
    assert "合作网点必须选择合作单位。" in text(response)
    assert ServicePoint.objects.count() == before


def test_add_a_second_station_for_a_village_is_refused(as_lucun_admin, yiyuan):
    lucun = yiyuan.town("鲁村镇")
    village = yiyuan.station("鲁村镇").region
    response = as_lucun_admin.post(
        reverse("network:point_add", args=[lucun.pk]),
        {"kind": Kind.VILLAGE_STATION, "name": "重复的服务站", "region": village.pk},
    )
    assert response.status_code == 200
    assert "该村（社区）已有便民服务站。" in text(response)


def _hours_post(rows, **extra):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        **extra,
    }
    for i, (weekday, opens, closes, kind) in enumerate(rows):
        data.update(
            {
                f"form-{i}-weekday": weekday,
                f"form-{i}-opens_at": opens,
                f"form-{i}-closes_at": closes,
                f"form-{i}-kind": kind,
            }
        )
    return data


def test_set_opening_hours(as_lucun_admin, yiyuan):
    station = yiyuan.station("鲁村镇")
    response = as_lucun_admin.post(
        reverse("network:point_hours", args=[station.pk]),
        _hours_post(
            [
                ("1", "08:30", "12:00", "regular"),
                ("1", "18:00", "20:00", "extended"),
                ("6", "09:00", "11:00", "appointment"),
            ]
        ),
    )
    assert response.status_code == 302
    assert list(station.hours.values_list("weekday", "kind")) == [
        (1, "regular"),
        (1, "extended"),
        (6, "appointment"),
    ]
    page = text(as_lucun_admin.get(response["Location"]))
    assert "延时服务" in page and "预约服务" in page


def test_overlapping_hours_are_refused_and_nothing_changes(as_lucun_admin, yiyuan):
    station = yiyuan.station("鲁村镇")
    before = list(station.hours.values_list("weekday", "opens_at", "closes_at"))
    response = as_lucun_admin.post(
        reverse("network:point_hours", args=[station.pk]),
        _hours_post([("2", "09:00", "12:00", "regular"), ("2", "11:00", "13:00", "off_peak")]),
    )
    assert response.status_code == 200
    assert "时段重叠" in text(response)
    assert list(station.hours.values_list("weekday", "opens_at", "closes_at")) == before


def test_hours_ending_before_they_start_are_refused(as_lucun_admin, yiyuan):
    station = yiyuan.station("鲁村镇")
    count = station.hours.count()
    response = as_lucun_admin.post(
        reverse("network:point_hours", args=[station.pk]),
        _hours_post([("3", "17:00", "09:00", "regular")]),
    )
    assert response.status_code == 200
    assert "结束时间必须晚于开始时间" in text(response)
    assert OpeningHours.objects.filter(point=station).count() == count


def test_hours_with_a_bad_time_show_a_field_error(as_lucun_admin, yiyuan):
    station = yiyuan.station("鲁村镇")
    response = as_lucun_admin.post(
        reverse("network:point_hours", args=[station.pk]),
        _hours_post([("3", "25:00", "09:00", "regular")]),
    )
    assert response.status_code == 200
    assert "输入一个有效的时间。" in text(response)


def test_add_row_without_javascript(as_lucun_admin, yiyuan):
    station = yiyuan.station("鲁村镇")
    count = station.hours.count()
    response = as_lucun_admin.post(
        reverse("network:point_hours", args=[station.pk]),
        _hours_post([("3", "09:00", "12:00", "regular")], add_row="1"),
    )
    assert response.status_code == 200
    assert 'name="form-TOTAL_FORMS" value="2"' in text(response)
    assert station.hours.count() == count


def test_history_restore_gets_the_whole_page(as_county_admin, yiyuan):
    response = as_county_admin.get(
        reverse("network:tree"),
        {"q": "鲁村"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in text(response)
    assert "HX-Request" in response["Vary"]


def test_department_admin_starts_at_its_sub_zone(client, yiyuan, make_account):
    client.force_login(make_account(Role.DEPARTMENT_ADMIN, yiyuan.department("县医疗保障局")))
    body = text(client.get(reverse("network:tree")))
    assert yiyuan.subzone("medical_insurance").name in body
    assert yiyuan.subzone("tax").name not in body


# --- The architecture chart pages ------------------------------------------------------------------


def test_chart_page_defaults_to_the_users_top_point(as_lucun_admin, yiyuan):
    response = as_lucun_admin.get(reverse("network:chart_home"))
    assert response.status_code == 200
    assert response.context["root"] == yiyuan.town("鲁村镇")


def test_chart_page_of_a_point(as_county_admin, yiyuan):
    response = as_county_admin.get(reverse("network:chart", args=[yiyuan.centre.pk]))
    assert response.status_code == 200
    assert response.context["root"] == yiyuan.centre
    assert "option" in response.context


def test_chart_svg_downloads(as_county_admin, yiyuan):
    centre = yiyuan.centre
    response = as_county_admin.get(reverse("network:chart_svg", args=[centre.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Content-Disposition"] == f'attachment; filename="architecture-{centre.pk}.svg"'
    assert b"<svg" in response.content


def test_chart_of_another_town_is_404(as_lucun_admin, yiyuan):
    nanma = yiyuan.town("南麻街道")
    assert as_lucun_admin.get(reverse("network:chart", args=[nanma.pk])).status_code == 404
    assert as_lucun_admin.get(reverse("network:chart_svg", args=[nanma.pk])).status_code == 404


def test_superuser_tree_starts_at_the_provinces(client, yiyuan):
    client.force_login(get_user_model().objects.create_superuser("root", password=PASSWORD))
    body = text(client.get(reverse("network:tree")))
    total = ServicePoint.objects.count()
    assert Region.objects.get(code="37").name in body
    assert f"{total} 个服务点" in body
