"""The network announces its changes to the apps after it (`network.changes`), never through
signals and never by importing them."""

from types import SimpleNamespace

import pytest

from bangban.network import actions, changes
from bangban.network.divisions import import_divisions, yiyuan_files
from bangban.network.models import Region, Role, ServicePoint

Kind = ServicePoint.Kind


@pytest.fixture
def heard(monkeypatch):
    """Every change announced, through a fake later app's `on_network` module."""
    heard = []
    module = SimpleNamespace(network_changed=heard.append)
    monkeypatch.setattr(changes, "later_app_modules", lambda name: iter([module]))
    return heard


def test_later_apps_are_found_by_module_name_in_app_order():
    demos = [module.__name__ for module in changes.later_app_modules("demo")]
    assert demos.index("bangban.staff.demo") < demos.index("bangban.catalog.demo")
    assert "bangban.network.demo" not in demos


def test_a_point_added_is_announced_with_its_county_and_author(yiyuan, make_account, heard):
    admin = make_account(Role.REGION_ADMIN, yiyuan.county)
    village = yiyuan.station("鲁村镇").region
    region = Region.objects.create(
        code=village.code[:9] + "999", name="新建村委会", level="village", parent=village.parent
    )
    station = actions.create_point(
        yiyuan.town("鲁村镇"),
        kind=Kind.VILLAGE_STATION,
        name="新建村便民服务站",
        region=region,
        by=admin,
    )
    (change,) = heard
    assert change.county == yiyuan.county
    assert change.points == frozenset({station.pk})
    assert change.by == admin


def test_a_point_moved_is_announced_with_everything_under_it(yiyuan, heard):
    bank = ServicePoint.objects.filter(county=yiyuan.county, kind=Kind.PARTNER_STATION)[0]
    old_town = bank.parent
    new_town = ServicePoint.objects.filter(county=yiyuan.county, kind=Kind.TOWN_CENTRE).exclude(
        pk=old_town.pk
    )[0]
    actions.update_point(bank, parent=new_town, by=None)
    (change,) = heard
    assert bank.pk in change.points


def test_an_unchanged_point_announces_nothing(yiyuan, heard):
    station = yiyuan.station("鲁村镇")
    actions.update_point(station, name=station.name, by=None)
    assert heard == []


def test_a_division_import_announces_every_point_of_the_county(yiyuan, heard):
    files = yiyuan_files()
    import_divisions(counties=files.counties, towns=files.towns, villages=files.villages)
    assert [(c.county, c.points) for c in heard] == [(yiyuan.county, None)]
