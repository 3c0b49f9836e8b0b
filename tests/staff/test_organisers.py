"""Training organisers follow the network (staff/on_network.py): they appear with what they organise
for, their points follow points added, moved, re-bound, taken out of service and back, their names
follow renames, and an administrator's corrections survive every recomputation."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangban.network import actions as network
from bangban.network.changes import announce
from bangban.network.divisions import import_divisions, yiyuan_files
from bangban.network.models import (
    Department,
    Domain,
    PartnerOrganisation,
    Region,
    Role,
    ServicePoint,
)
from bangban.staff import actions
from bangban.staff.models import CoverageCorrection, TrainingOrganiser
from tests.network.test_divisions import county_row, files, town_row, village_row

Kind = ServicePoint.Kind
OK = TrainingOrganiser.Kind
NEW_COUNTY = "370398"


def covering(point: ServicePoint) -> set[str]:
    """The names of the organisers training for `point`."""
    return set(TrainingOrganiser.objects.filter(points=point).values_list("name", flat=True))


def organiser_of(**binding) -> TrainingOrganiser:
    return TrainingOrganiser.objects.get(**binding)


@pytest.fixture
def county_admin(yiyuan, make_account):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


# --- What each organiser appears with --------------------------------------------------------------


def test_a_department_added_gets_its_organiser_and_then_its_window(yiyuan, county_admin):
    department = Department.objects.create(county=yiyuan.county, name="县退役军人事务局")
    announce(yiyuan.county, by=county_admin, departments=[department.pk])
    organiser = organiser_of(department=department)
    assert (organiser.kind, organiser.name, organiser.active) == (
        OK.DEPARTMENT,
        department.name,
        True,
    )
    assert not organiser.points.exists()
    window = network.create_point(
        yiyuan.centre,
        kind=Kind.DEPARTMENT_WINDOW,
        name="县退役军人事务局窗口",
        department=department,
        by=county_admin,
    )
    assert covering(window) == {"县退役军人事务局"}


def test_a_partner_organisation_added_gets_its_organiser_and_its_stations(yiyuan, county_admin):
    bank = PartnerOrganisation.objects.create(
        county=yiyuan.county, name="中国建设银行沂源支行", partner_type="bank"
    )
    announce(yiyuan.county, by=county_admin, organisations=[bank.pk])
    assert organiser_of(organisation=bank).kind == OK.PARTNER
    station = network.create_point(
        yiyuan.town("鲁村镇"),
        kind=Kind.PARTNER_STATION,
        name="建行鲁村帮办代办服务站",
        organisation=bank,
        by=county_admin,
    )
    assert covering(station) == {"中国建设银行沂源支行"}


def test_a_department_created_without_an_announcement_is_caught_up_by_the_next_change(
    yiyuan, county_admin
):
    department = Department.objects.create(county=yiyuan.county, name="县审计局")
    window = network.create_point(
        yiyuan.centre,
        kind=Kind.DEPARTMENT_WINDOW,
        name="县审计局窗口",
        department=department,
        by=county_admin,
    )
    assert covering(window) == {"县审计局"}


def test_a_fresh_county_gets_its_bureau_and_one_organiser_per_town_centre(db, tmp_path):
    import_divisions(
        **files(
            tmp_path,
            [county_row(NEW_COUNTY, "新设县")],
            [town_row(f"{NEW_COUNTY}001", "城关街道"), town_row(f"{NEW_COUNTY}101", "河口镇")],
            [
                village_row(f"{NEW_COUNTY}001001", "城关社区居民委员会"),
                village_row(f"{NEW_COUNTY}101201", "李庄村委会"),
                village_row(f"{NEW_COUNTY}101202", "张庄村委会"),
            ],
        )
    )
    county = Region.objects.get(code=NEW_COUNTY)
    organisers = {(o.kind, o.name): o for o in TrainingOrganiser.objects.filter(county=county)}
    assert set(organisers) == {
        (OK.COUNTY_BUREAU, "新设县行政审批服务局"),
        (OK.TOWN, "城关街道"),
        (OK.TOWN, "河口镇"),
    }
    hekou = organisers[(OK.TOWN, "河口镇")]
    assert set(hekou.points.values_list("region__code", flat=True)) == {
        f"{NEW_COUNTY}101",
        f"{NEW_COUNTY}101201",
        f"{NEW_COUNTY}101202",
    }
    assert not organisers[(OK.COUNTY_BUREAU, "新设县行政审批服务局")].points.exists()


def test_a_fresh_county_builds_its_centre_and_the_organisers_follow(tmp_path, make_account):
    import_divisions(
        **files(
            tmp_path,
            [county_row(NEW_COUNTY, "新设县")],
            [town_row(f"{NEW_COUNTY}101", "河口镇")],
            [village_row(f"{NEW_COUNTY}101201", "李庄村委会")],
        )
    )
    county = Region.objects.get(code=NEW_COUNTY)
    admin = make_account(Role.REGION_ADMIN, county)
    centre = ServicePoint.objects.get(county=county, kind=Kind.COUNTY_CENTRE)
    zone = network.create_point(centre, kind=Kind.DEDICATED_ZONE, name="帮办代办专区", by=admin)
    tax = Department.objects.create(county=county, name="新设县税务局")
    announce(county, by=admin, departments=[tax.pk])
    subzone = network.create_point(
        centre,
        kind=Kind.DOMAIN_SUBZONE,
        name="税务帮办代办分区",
        domain=Domain.objects.get(code="tax"),
        department=tax,
        by=admin,
    )
    startup = network.create_point(
        centre,
        kind=Kind.DOMAIN_SUBZONE,
        name="企业开办帮办代办分区",
        domain=Domain.objects.get(code="enterprise_startup"),
        department=tax,
        by=admin,
    )
    assert covering(zone) == covering(startup) == {"新设县行政审批服务局"}
    assert covering(subzone) == {"新设县税务局"}
    assert TrainingOrganiser.objects.filter(county=county).count() == 3


def test_the_demo_county_has_the_organisers_of_the_seed_and_their_points(yiyuan):
    organisers = actions.set_up_organisers(yiyuan.county, by=None)
    assert Counter(o.kind for o in organisers) == {
        OK.COUNTY_BUREAU: 1,
        OK.DEPARTMENT: 12,
        OK.TOWN: 12,
        OK.PARTNER: 5,
    }
    points = {o.name: o.points.count() for o in organisers}
    assert (points["沂源县行政审批服务局"], points["县行政审批服务局"]) == (4, 0)
    assert (points["县医疗保障局"], points["鲁村镇"], points["沂源农村商业银行"]) == (1, 69, 2)


# --- Points moved, re-bound, out of service and back ----------------------------------------------


def test_a_village_station_moved_to_another_town_changes_organiser(yiyuan, county_admin):
    station = yiyuan.station("鲁村镇")
    # A village station sits in its own town's region: move the region with it, as a re-drawn
    # boundary would.
    Region.objects.filter(pk=station.region_id).update(parent=yiyuan.town("东里镇").region)
    station.refresh_from_db()
    network.update_point(station, parent=yiyuan.town("东里镇"), by=county_admin)
    assert covering(station) == {"东里镇"}


def test_a_partner_station_moved_keeps_its_organisation_and_no_town(yiyuan, county_admin):
    station = yiyuan.partner_station("沂源农村商业银行")
    network.update_point(station, parent=yiyuan.town("悦庄镇"), by=county_admin)
    assert covering(station) == {"沂源农村商业银行"}


def test_a_subzone_given_to_another_department_changes_organiser(yiyuan, county_admin):
    tax = yiyuan.subzone("tax")
    network.update_point(tax, department=yiyuan.department("县民政局"), by=county_admin)
    assert covering(tax) == {"县民政局"}


def test_a_point_out_of_service_is_dropped_and_comes_back(yiyuan, county_admin):
    station = yiyuan.station("鲁村镇")
    network.update_point(station, active=False, by=county_admin)
    assert covering(station) == set()
    network.update_point(station, active=True, by=county_admin)
    assert covering(station) == {"鲁村镇"}


def test_a_town_centre_out_of_service_shows_its_organiser_inactive_with_its_trainings(
    yiyuan, county_admin
):
    town = yiyuan.town("燕崖镇")
    organiser = organiser_of(town_centre=town)
    actions.record_training(organiser, held_on=dt.date(2026, 3, 1), topic="培训", by=None)
    network.update_point(town, active=False, by=county_admin)
    organiser.refresh_from_db()
    assert organiser.active is False
    assert organiser.sessions.count() == 1


def test_a_department_out_of_service_keeps_its_organiser_shown_inactive(yiyuan, county_admin):
    department = yiyuan.department("县司法局")
    organiser = organiser_of(department=department)
    actions.record_training(organiser, held_on=dt.date(2026, 3, 1), topic="培训", by=None)
    network.update_department(department, active=False, by=county_admin)
    organiser.refresh_from_db()
    assert (organiser.active, organiser.sessions.count()) == (False, 1)
    with pytest.raises(actions.StaffError) as error:
        actions.correct_coverage(organiser, add=[yiyuan.zone], note="临时负责", by=county_admin)
    assert "已停用" in error.value.errors["points"][0]


def test_a_department_added_out_of_service_gets_no_organiser(yiyuan, county_admin):
    department = Department.objects.create(county=yiyuan.county, name="县已撤销局", active=False)
    announce(yiyuan.county, by=county_admin, departments=[department.pk])
    assert not TrainingOrganiser.objects.filter(department=department).exists()


# --- Names ------------------------------------------------------------------------------------------


def test_the_name_follows_a_department_renamed(yiyuan, county_admin):
    department = yiyuan.department("县司法局")
    Department.objects.filter(pk=department.pk).update(name="县司法行政局")
    announce(yiyuan.county, by=county_admin, departments=[department.pk])
    assert organiser_of(department=department).name == "县司法行政局"


def test_a_name_given_by_an_administrator_stays_until_cleared(yiyuan, county_admin):
    department = yiyuan.department("县司法局")
    organiser = organiser_of(department=department)
    actions.rename_organiser(organiser, name="县司法局培训中心", by=county_admin)
    Department.objects.filter(pk=department.pk).update(name="县司法行政局")
    announce(yiyuan.county, by=county_admin, departments=[department.pk])
    assert organiser_of(department=department).name == "县司法局培训中心"
    actions.rename_organiser(organiser, name="  ", by=county_admin)
    assert organiser_of(department=department).name == "县司法行政局"


def test_a_town_renamed_by_a_division_import_renames_its_organiser(yiyuan, tmp_path):
    source = yiyuan_files()
    towns = source.towns.read_text(encoding="utf-8").replace('"鲁村镇"', '"鲁村街道"')
    renamed = tmp_path / "towns.csv"
    renamed.write_text(towns, encoding="utf-8")
    import_divisions(counties=source.counties, towns=renamed, villages=source.villages)
    assert organiser_of(town_centre=yiyuan.town("鲁村街道")).name == "鲁村街道"


# --- Corrections ------------------------------------------------------------------------------------


def test_corrections_survive_a_change_to_the_point_and_a_division_import(yiyuan, county_admin):
    station = yiyuan.station("鲁村镇")
    lucun = organiser_of(town_centre=yiyuan.town("鲁村镇"))
    bureau = organiser_of(kind=OK.COUNTY_BUREAU, county=yiyuan.county)
    actions.correct_coverage(lucun, remove=[station], note="由县局统一培训", by=county_admin)
    actions.correct_coverage(bureau, add=[station], note="由县局统一培训", by=county_admin)
    assert covering(station) == {bureau.name}
    network.update_point(station, name="草埠社区帮办代办站", by=county_admin)
    files = yiyuan_files()
    import_divisions(counties=files.counties, towns=files.towns, villages=files.villages)
    assert covering(station) == {bureau.name}
    assert set(
        CoverageCorrection.objects.filter(point=station).values_list("organiser__kind", "change")
    ) == {(OK.TOWN, "removed"), (OK.COUNTY_BUREAU, "added")}


def test_adding_back_what_the_rule_gives_drops_the_correction(yiyuan, county_admin):
    station = yiyuan.station("鲁村镇")
    lucun = organiser_of(town_centre=yiyuan.town("鲁村镇"))
    actions.correct_coverage(lucun, remove=[station], note="试点", by=county_admin)
    actions.correct_coverage(lucun, add=[station], note="恢复", by=county_admin)
    assert covering(station) == {"鲁村镇"}
    assert not CoverageCorrection.objects.filter(point=station).exists()


def test_a_point_added_by_an_administrator_out_of_service_is_not_covered_until_back(
    yiyuan, county_admin
):
    bureau = organiser_of(kind=OK.COUNTY_BUREAU, county=yiyuan.county)
    station = yiyuan.station("东里镇")
    actions.correct_coverage(bureau, add=[station], note="县局帮扶", by=county_admin)
    network.update_point(station, active=False, by=county_admin)
    assert bureau.name not in covering(station)
    network.update_point(station, active=True, by=county_admin)
    assert bureau.name in covering(station)


def test_a_correction_needs_a_note_and_a_point_of_the_county(yiyuan, county_admin, tmp_path):
    import_divisions(
        **files(
            tmp_path,
            [county_row(NEW_COUNTY, "新设县")],
            [town_row(f"{NEW_COUNTY}101", "河口镇")],
            [],
        )
    )
    elsewhere = ServicePoint.objects.get(region__code=f"{NEW_COUNTY}101")
    bureau = organiser_of(kind=OK.COUNTY_BUREAU, county=yiyuan.county)
    with pytest.raises(actions.StaffError) as error:
        actions.correct_coverage(bureau, add=[elsewhere], note=" ", by=county_admin)
    assert set(error.value.errors) == {"note", "points"}
    assert not bureau.points.filter(pk=elsewhere.pk).exists()


def test_set_coverage_makes_the_points_exactly_those_given(yiyuan, county_admin):
    bureau = organiser_of(kind=OK.COUNTY_BUREAU, county=yiyuan.county)
    keep, drop = yiyuan.zone, yiyuan.subzone("enterprise_startup")
    extra = yiyuan.subzone("tax")
    before = set(bureau.points.values_list("pk", flat=True))
    wanted = (before - {drop.pk}) | {extra.pk}
    actions.set_coverage(
        bureau, ServicePoint.objects.filter(pk__in=wanted), note="调整", by=county_admin
    )
    assert set(bureau.points.values_list("pk", flat=True)) == wanted
    assert keep.pk in wanted


# --- Cost ---------------------------------------------------------------------------------------------


def queries_of_a_whole_county_sync(county: Region) -> int:
    with CaptureQueriesContext(connection) as queries:
        actions.sync_organisers(county, by=None, points=None)
    return len(queries)


def test_a_whole_county_costs_the_same_few_queries_whatever_its_size(yiyuan, tmp_path):
    import_divisions(
        **files(
            tmp_path,
            [county_row(NEW_COUNTY, "新设县")],
            [town_row(f"{NEW_COUNTY}101", "河口镇")],
            [village_row(f"{NEW_COUNTY}101201", "李庄村委会")],
        )
    )
    small = queries_of_a_whole_county_sync(Region.objects.get(code=NEW_COUNTY))
    large = queries_of_a_whole_county_sync(yiyuan.county)  # 12 towns, about 500 points
    assert small == large <= 12
