"""The network's rules: where each kind of point sits (actions) and what one row can say (database)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from bangban.network import access, actions
from bangban.network.actions import NetworkError, Period
from bangban.network.models import Domain, OpeningHours, Region, Role, ServicePoint

Kind = ServicePoint.Kind


def test_a_village_station_must_sit_under_its_own_towns_centre(yiyuan):
    village = yiyuan.station("鲁村镇").region
    new_village = Region.objects.create(
        code=village.code[:9] + "999", name="新建村委会", level="village", parent=village.parent
    )
    with pytest.raises(NetworkError) as error:
        actions.create_point(
            yiyuan.town("南麻街道"),
            kind=Kind.VILLAGE_STATION,
            name="新建村便民服务站",
            region=new_village,
            by=None,
        )
    assert "region" in error.value.errors
    station = actions.create_point(
        yiyuan.town("鲁村镇"),
        kind=Kind.VILLAGE_STATION,
        name="新建村便民服务站",
        region=new_village,
        by=None,
    )
    assert station.ancestry == yiyuan.town("鲁村镇").subtree_prefix


def test_a_sub_zone_sits_under_the_county_centre_only(yiyuan):
    with pytest.raises(NetworkError) as error:
        actions.create_point(
            yiyuan.town("鲁村镇"),
            kind=Kind.DOMAIN_SUBZONE,
            name="医保分区",
            domain=Domain.objects.get(code="medical_insurance"),
            by=None,
        )
    assert "parent" in error.value.errors


def test_a_partner_station_sits_under_a_town_centre_with_an_organisation(yiyuan):
    bank = yiyuan.organisation("中国农业银行沂源县支行")
    with pytest.raises(NetworkError) as error:
        actions.create_point(
            yiyuan.centre, kind=Kind.PARTNER_STATION, name="农行网点", organisation=bank, by=None
        )
    assert "parent" in error.value.errors
    with pytest.raises(NetworkError) as error:
        actions.create_point(yiyuan.town("鲁村镇"), kind=Kind.PARTNER_STATION, name="网点", by=None)
    assert "organisation" in error.value.errors
    station = actions.create_point(
        yiyuan.town("鲁村镇"),
        kind=Kind.PARTNER_STATION,
        name="农行鲁村网点",
        organisation=bank,
        by=None,
    )
    assert station.region == yiyuan.town("鲁村镇").region


def test_a_second_sub_zone_for_the_same_domain_is_refused(yiyuan):
    with pytest.raises(NetworkError) as error:
        actions.create_point(
            yiyuan.centre,
            kind=Kind.DOMAIN_SUBZONE,
            name="又一个医保分区",
            domain=Domain.objects.get(code="medical_insurance"),
            by=None,
        )
    assert "domain" in error.value.errors


def test_a_point_cannot_move_under_itself_or_below_itself(yiyuan):
    town = yiyuan.town("鲁村镇")
    with pytest.raises(NetworkError) as error:
        actions.update_point(town, parent=yiyuan.station("鲁村镇"), by=None)
    assert "parent" in error.value.errors
    with pytest.raises(NetworkError):
        actions.update_point(yiyuan.centre, parent=yiyuan.zone, by=None)
    town.refresh_from_db()
    assert town.parent == yiyuan.centre


def test_moving_a_partner_station_moves_its_scope(yiyuan, make_account):
    station = yiyuan.partner_station("沂源农村商业银行")
    lucun_admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    assert access.can(lucun_admin, "view", station)
    actions.update_point(station, parent=yiyuan.town("东里镇"), by=None)
    station.refresh_from_db()
    assert station.ancestry == yiyuan.town("东里镇").subtree_prefix
    assert station.region == yiyuan.town("东里镇").region
    lucun_admin = type(lucun_admin).objects.get(pk=lucun_admin.pk)
    assert not access.can(lucun_admin, "view", station)


def test_a_point_can_not_be_moved_to_another_county(yiyuan):
    other = Region.objects.create(code="370304", name="博山区", level="county")
    other_centre = actions.create_point(
        None, kind=Kind.COUNTY_CENTRE, name="博山区政务服务中心", region=other, by=None
    )
    with pytest.raises(NetworkError):
        actions.update_point(yiyuan.town("鲁村镇"), parent=other_centre, by=None)


def test_editing_a_point_is_recorded_in_the_admin_history(yiyuan, make_account):
    from django.contrib.admin.models import LogEntry

    user = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    station = yiyuan.station("鲁村镇")
    actions.update_point(station, phone="0533-3000000", by=user)
    entry = LogEntry.objects.get(user=user, object_id=str(station.pk))
    assert "联系电话" in entry.change_message


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ([Period(1, dt.time(12), dt.time(9))], "结束时间必须晚于开始时间"),
        (
            [Period(2, dt.time(9), dt.time(12)), Period(2, dt.time(11), dt.time(14))],
            "重叠",
        ),
        ([Period(8, dt.time(9), dt.time(12))], "星期"),
    ],
)
def test_bad_opening_hours_are_refused_and_change_nothing(yiyuan, periods, message):
    station = yiyuan.station("鲁村镇")
    before = list(station.hours.values_list("weekday", "opens_at", "closes_at"))
    with pytest.raises(NetworkError) as error:
        actions.set_opening_hours(station, periods, by=None)
    assert message in " ".join(error.value.errors["hours"])
    assert list(station.hours.values_list("weekday", "opens_at", "closes_at")) == before


def test_extended_off_peak_and_appointment_hours_are_kept(yiyuan):
    station = yiyuan.station("鲁村镇")
    actions.set_opening_hours(
        station,
        [
            Period(1, dt.time(9), dt.time(17)),
            Period(1, dt.time(17), dt.time(19), OpeningHours.Kind.EXTENDED),
            Period(6, dt.time(9), dt.time(11), OpeningHours.Kind.APPOINTMENT),
            Period(7, dt.time(12), dt.time(14), OpeningHours.Kind.OFF_PEAK),
        ],
        by=None,
    )
    assert set(station.hours.values_list("kind", flat=True)) == {
        "regular",
        "extended",
        "appointment",
        "off_peak",
    }


# --- What one row can say is held by the database itself ---------------------------------------


def _raw_point(yiyuan, **fields):
    base = {
        "kind": Kind.TOWN_CENTRE,
        "name": "x",
        "county": yiyuan.county,
        "region": yiyuan.county,
        "parent": yiyuan.centre,
    }
    base.update(fields)
    with transaction.atomic():
        ServicePoint.objects.create(**base)


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": Kind.COUNTY_CENTRE},  # a county centre has no parent (and one per county)
        {"kind": Kind.VILLAGE_STATION, "parent": None},  # everything else has a parent
        {"kind": Kind.DOMAIN_SUBZONE},  # a sub-zone has a domain
        {"kind": Kind.DEPARTMENT_WINDOW},  # a window has a department
        {"kind": Kind.PARTNER_STATION},  # a partner station has an organisation
    ],
    ids=["centre-with-parent", "orphan", "subzone-no-domain", "window-no-dept", "partner-no-org"],
)
def test_the_database_refuses_a_row_that_breaks_the_tree(yiyuan, fields):
    with pytest.raises(IntegrityError):
        _raw_point(yiyuan, **fields)


def test_the_database_holds_one_town_centre_per_town(yiyuan):
    lucun = yiyuan.town("鲁村镇")
    with pytest.raises(IntegrityError):
        _raw_point(yiyuan, region=lucun.region)


def test_the_database_holds_one_station_per_village(yiyuan):
    station = yiyuan.station("鲁村镇")
    with pytest.raises(IntegrityError):
        _raw_point(yiyuan, kind=Kind.VILLAGE_STATION, region=station.region, parent=station.parent)


def test_a_region_code_must_fit_its_level(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="37032", name="坏代码", level="county")


def test_a_membership_binds_the_field_its_role_needs(yiyuan, make_account):
    from bangban.network.models import Membership

    user = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.HELPER, region=yiyuan.county)


# --- Accounts -----------------------------------------------------------------------------------


def test_a_town_admin_must_be_bound_to_a_town_centre(yiyuan):
    with pytest.raises(NetworkError) as error:
        actions.create_account(
            username="wrong",
            password="Secure-pass-123",
            role=Role.TOWN_ADMIN,
            binding=yiyuan.station("鲁村镇"),
            by=None,
        )
    assert "point" in error.value.errors


def test_a_region_admin_is_bound_to_a_province_city_or_county(yiyuan):
    with pytest.raises(NetworkError) as error:
        actions.create_account(
            username="wrong",
            password="Secure-pass-123",
            role=Role.REGION_ADMIN,
            binding=yiyuan.town("鲁村镇").region,
            by=None,
        )
    assert "region" in error.value.errors


def test_a_weak_password_or_taken_username_is_refused(yiyuan, make_account):
    make_account(Role.HELPER, yiyuan.station("鲁村镇"), username="zhangsan")
    with pytest.raises(NetworkError) as error:
        actions.create_account(
            username="ZhangSan",
            password="123",
            role=Role.HELPER,
            binding=yiyuan.station("鲁村镇"),
            by=None,
        )
    assert set(error.value.errors) == {"username", "password"}
