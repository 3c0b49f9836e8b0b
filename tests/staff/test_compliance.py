"""The compliance page (达标情况): each rule at its boundary, per point and aggregated per group, the
cause behind each red cell, scope, and a fixed number of queries whatever the number of helpers."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model

from bangban.network.models import Equipment, EquipmentCheck, EquipmentKind, Role, ServicePoint
from bangban.staff import actions
from bangban.staff.compliance import by_code_prefix, summary, with_compliance
from bangban.staff.models import TrainingOrganiser

TODAY = dt.date(2026, 6, 1)
Kind = ServicePoint.Kind
URL = "/staff/compliance/"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0), tick=False):
        yield


@pytest.fixture
def county_admin(yiyuan, make_account, client):
    user = make_account(Role.REGION_ADMIN, yiyuan.county)
    client.force_login(user)
    return user


def compliance_of(point):
    return with_compliance(ServicePoint.objects.filter(pk=point.pk), TODAY).get()


def hold_trainings(point, n):
    """`n` trainings this year by each organiser responsible for `point`."""
    for organiser in TrainingOrganiser.objects.filter(points=point):
        for day in range(n):
            actions.record_training(
                organiser, held_on=dt.date(2026, 3, 1 + day), topic="年度培训", by=None
            )


def equip(point, *, checked_on=dt.date(2026, 5, 1)):
    kind = EquipmentKind.objects.order_by("position").first()
    item = Equipment.objects.create(
        point=point, kind=kind, quantity=1, added_on=dt.date(2026, 1, 1)
    )
    if checked_on:
        checker = get_user_model().objects.create_user("checker-" + str(item.pk))
        EquipmentCheck.objects.create(
            equipment=item, checked_on=checked_on, checked_by=checker, result="ok"
        )
    return item


def fully_compliant(point, make_helper, helpers=1):
    for _ in range(helpers):
        make_helper(point)
    hold_trainings(point, 2)
    equip(point)
    ServicePoint.objects.filter(pk=point.pk).update(signage_in_place=True)


def row_of(response, name):
    """The <tr> of the page whose row header names `name`, as text."""
    html = response.content.decode()
    start = html.index(f">{name}</a>")
    return html[start : html.index("</tr>", start)]


# --- Each rule at its boundary -------------------------------------------------------------------


def test_the_zone_with_two_qualified_helpers_is_red_and_with_three_green(
    yiyuan, make_helper, county_admin, client
):
    zone = yiyuan.zone
    make_helper(zone)
    make_helper(zone)
    assert (compliance_of(zone).staffed, compliance_of(zone).helpers_short) == (False, 1)
    assert "未达标（1）" in row_of(client.get(URL), zone.name).split("</td>")[1]
    cause = client.get(f"{URL}points/{zone.pk}/").content.decode()
    assert "需要 3 名具备上岗资格的帮办代办员，现有 2 名。" in cause
    make_helper(zone)
    assert compliance_of(zone).staffed
    assert "达标" in row_of(client.get(URL), zone.name).split("</td>")[1]
    assert "未达标" not in row_of(client.get(URL), zone.name).split("</td>")[1]


def test_a_station_with_only_a_part_timer_is_understaffed(
    yiyuan, make_helper, county_admin, client
):
    station = yiyuan.station("鲁村镇")
    make_helper(station, full_time=False)
    assert not compliance_of(station).staffed
    response = client.get(URL, {"point": yiyuan.town("鲁村镇").pk})
    assert "未达标（1）" in row_of(response, station.name).split("</td>")[1]
    cause = client.get(f"{URL}points/{station.pk}/").content.decode()
    assert "需要 1 名专职且具备上岗资格的帮办代办员，现有 0 名。" in cause
    assert "兼职" in cause
    make_helper(station, full_time=True)
    assert compliance_of(station).staffed


def test_an_unqualified_helper_turns_the_qualification_cell_red_with_the_reason(
    yiyuan, make_helper, county_admin, client
):
    station = yiyuan.station("鲁村镇")
    make_helper(station)
    assert compliance_of(station).all_qualified
    untrained = make_helper(station, trained_on=None)
    point = compliance_of(station)
    assert (point.all_qualified, point.unqualified_helpers) == (False, 1)
    response = client.get(URL, {"point": yiyuan.town("鲁村镇").pk})
    cell = row_of(response, station.name).split("</td>")[2]
    assert "未达标（1）" in cell and f"points/{station.pk}/#rule-qualified" in cell
    cause = client.get(f"{URL}points/{station.pk}/").content.decode()
    assert untrained.user.username in cause or "测试用户" in cause
    assert "尚未参加培训，须先培训后上岗。" in cause


def test_a_helper_who_left_still_holding_the_post_is_unqualified(yiyuan, make_helper):
    station = yiyuan.station("鲁村镇")
    make_helper(station, left_on=dt.date(2026, 5, 1))
    assert compliance_of(station).unqualified_helpers == 1


def test_one_training_this_year_is_short_two_are_enough(yiyuan, organiser, county_admin, client):
    station = yiyuan.station("鲁村镇")
    town = TrainingOrganiser.objects.get(kind="town", town_centre=yiyuan.town("鲁村镇"))
    hold_trainings(station, 1)
    point = compliance_of(station)
    assert (point.trainings_held, point.organisers_short) == (False, 1)
    cause = client.get(f"{URL}points/{station.pk}/").content.decode()
    assert f"{town.name}</a>：本年度已举办 1 次培训（至少 2 次），未达标" in cause
    hold_trainings(station, 1)
    assert compliance_of(station).trainings_held


def test_trainings_of_last_year_do_not_count(yiyuan, organiser):
    station = yiyuan.station("鲁村镇")
    organiser = TrainingOrganiser.objects.get(points=station)
    for day in (1, 2):
        actions.record_training(organiser, held_on=dt.date(2025, 12, day), topic="培训", by=None)
    assert not compliance_of(station).trainings_held


def test_a_point_without_an_organiser_fails_the_training_rule(yiyuan, county_admin, client):
    station = yiyuan.station("鲁村镇")
    town = TrainingOrganiser.objects.get(points=station)
    actions.correct_coverage(town, remove=[station], note="另行安排培训", by=county_admin)
    assert not TrainingOrganiser.objects.filter(points=station).exists()
    assert (compliance_of(station).trainings_held, compliance_of(station).organisers_short) == (
        False,
        1,
    )
    cause = client.get(f"{URL}points/{station.pk}/").content.decode()
    assert "没有负责本服务点培训的组织单位。" in cause


def test_missing_signage_is_red_and_named(yiyuan, make_helper, county_admin, client):
    station = yiyuan.station("鲁村镇")
    fully_compliant(station, make_helper)
    assert compliance_of(station).signage_ok
    ServicePoint.objects.filter(pk=station.pk).update(signage_in_place=False)
    assert not compliance_of(station).signage_ok
    cause = client.get(f"{URL}points/{station.pk}/").content.decode()
    assert "统一标识未设置。" in cause


def test_equipment_missing_or_overdue_is_red(yiyuan, make_helper, county_admin, client):
    station = yiyuan.station("鲁村镇")
    assert (compliance_of(station).equipment_ok, compliance_of(station).equipment_missing) == (
        False,
        1,
    )
    assert "尚未登记设施设备。" in client.get(f"{URL}points/{station.pk}/").content.decode()
    item = equip(station, checked_on=dt.date(2026, 5, 1))
    assert compliance_of(station).equipment_ok
    EquipmentCheck.objects.filter(equipment=item).update(checked_on=dt.date(2025, 12, 1))
    assert not compliance_of(station).equipment_ok
    assert "已逾期" in client.get(f"{URL}points/{station.pk}/").content.decode()


def test_a_fully_compliant_station_is_green_in_every_column(
    yiyuan, make_helper, county_admin, client
):
    station = yiyuan.station("鲁村镇")
    fully_compliant(station, make_helper)
    point = compliance_of(station)
    assert all(
        getattr(point, name)
        for name in ("staffed", "all_qualified", "trainings_held", "equipment_ok", "signage_ok")
    )
    row = row_of(client.get(URL, {"point": yiyuan.town("鲁村镇").pk}), station.name)
    assert row.count("未达标") == 0 and row.count("达标") == 5


# --- Aggregation per group -----------------------------------------------------------------------


def test_the_county_page_lists_its_zone_and_one_row_per_town(yiyuan, county_admin, client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert yiyuan.zone.name in html
    assert ">鲁村镇</a>" in html and ">南麻街道</a>" in html
    # Villages are not listed one by one on the county page.
    assert yiyuan.station("鲁村镇").name not in html


def test_a_town_row_counts_its_failing_stations(yiyuan, make_helper):
    lucun = yiyuan.town("鲁村镇")
    fully_compliant(yiyuan.station("鲁村镇"), make_helper)
    points = ServicePoint.objects.filter(county=yiyuan.county, kind__in=[Kind.VILLAGE_STATION])
    rows = {
        r["group"]: r for r in summary(by_code_prefix(points, "region__code", 9), TODAY, "group")
    }
    stations = ServicePoint.objects.filter(parent=lucun, kind=Kind.VILLAGE_STATION).count()
    row = rows[lucun.region.code]
    assert row["points"] == stations
    assert row["staffing_failing"] == stations - 1
    assert (
        row["signage_failing"]
        == ServicePoint.objects.filter(
            parent=lucun, kind=Kind.VILLAGE_STATION, signage_in_place=False
        ).count()
    )


def test_a_red_group_cell_links_to_the_failing_rows_only(yiyuan, make_helper, county_admin, client):
    lucun = yiyuan.town("鲁村镇")
    good = yiyuan.station("鲁村镇")
    fully_compliant(good, make_helper)
    row = row_of(client.get(URL), "鲁村镇")
    assert f"?region={lucun.region.code}&amp;fail=staffing" in row
    failing = client.get(URL, {"region": lucun.region.code, "fail": "staffing"}).content.decode()
    assert good.name not in failing
    assert yiyuan.station("鲁村镇", 1).name in failing
    assert good.name in client.get(URL, {"region": lucun.region.code}).content.decode()


def test_a_province_admin_sees_one_row_per_city(yiyuan, make_account, client):
    from bangban.network.models import Region

    province = Region.objects.filter(level="province").first()
    if province is None:
        pytest.skip("the test network has no province row")
    client.force_login(make_account(Role.REGION_ADMIN, province))
    html = client.get(URL).content.decode()
    assert "?region=3703" in html


# --- Scope ---------------------------------------------------------------------------------------


def test_a_town_admin_never_sees_another_towns_rows(yiyuan, make_account, client):
    client.force_login(make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇")))
    html = client.get(URL).content.decode()
    assert yiyuan.station("鲁村镇").name in html
    assert "南麻" not in html.split("<main")[1].split("说明")[0]
    nanma = yiyuan.town("南麻街道")
    assert client.get(URL, {"region": nanma.region.code}).status_code == 404
    assert client.get(URL, {"point": nanma.pk}).status_code == 404
    assert client.get(f"{URL}points/{yiyuan.station('南麻街道').pk}/").status_code == 404
    assert client.get(URL, {"region": "370323"}).content.decode().count("南麻") == 0


def test_a_partner_admin_sees_nothing_of_another_banks_stations(yiyuan, make_account, client):
    ours = yiyuan.organisation("沂源农村商业银行")
    theirs = yiyuan.partner_station("中国农业银行沂源县支行")
    client.force_login(make_account(Role.PARTNER_ADMIN, ours))
    html = client.get(URL).content.decode()
    assert yiyuan.partner_station("沂源农村商业银行").name in html
    assert theirs.name not in html
    assert client.get(f"{URL}points/{theirs.pk}/").status_code == 404
    assert client.get(URL, {"point": theirs.pk}).status_code == 404


def test_a_helper_sees_their_own_station(yiyuan, make_helper, client):
    station = yiyuan.station("鲁村镇")
    helper = make_helper(station)
    client.force_login(helper.user)
    html = client.get(URL).content.decode()
    assert station.name in html
    assert yiyuan.station("鲁村镇", 1).name not in html
    assert client.get(f"{URL}points/{station.pk}/").status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(URL).status_code == 302


# --- A fixed number of queries -------------------------------------------------------------------


def _queries(client, django_assert_num_queries, path, params, expected=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("where", ["county", "town"])
def test_the_page_runs_a_fixed_number_of_queries_for_5_or_50_helpers(
    yiyuan, make_helper, county_admin, client, django_assert_num_queries, where
):
    lucun = yiyuan.town("鲁村镇")
    params = {} if where == "county" else {"region": lucun.region.code}
    stations = list(ServicePoint.objects.filter(parent=lucun).order_by("pk"))
    client.get(URL, params)  # warm the session
    for i in range(5):
        make_helper(stations[i % len(stations)])
    # Each count after a change: a county admin's groups come from the summary rows, recomputed
    # for the county the helpers made stale (compliance_summary) — a fixed few more queries.
    few = _queries(client, django_assert_num_queries, URL, params)
    few_fresh = _queries(client, django_assert_num_queries, URL, params)
    for i in range(45):
        make_helper(stations[i % len(stations)], trained_on=None if i % 3 else dt.date(2021, 1, 1))
    with django_assert_num_queries(few):
        assert client.get(URL, params).status_code == 200
    with django_assert_num_queries(few_fresh):
        assert client.get(URL, params).status_code == 200
