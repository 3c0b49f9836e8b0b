"""The demo catalog: realistic, covering every domain, valid by the catalog's own rules, loaded once."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from bangban.catalog import actions
from bangban.catalog.actions import ItemData, MaterialData
from bangban.catalog.demo import CREDIT_BODIES, credit_code, extend_demo
from bangban.catalog.models import ItemRevision, Material, ServiceItem
from bangban.network.demo import Demo
from bangban.network.models import Domain


@pytest.fixture
def catalog(yiyuan):
    started = time.perf_counter()
    lines = extend_demo(Demo(county=yiyuan.county, centre=yiyuan.centre))
    elapsed = time.perf_counter() - started
    items = list(
        ServiceItem.objects.filter(county=yiyuan.county).select_related("current__department")
    )
    return lines, items, elapsed


def test_the_demo_gives_at_least_45_items_and_says_so(catalog):
    lines, items, elapsed = catalog
    assert len(items) >= 45
    assert lines == [lines[0]] and lines[0].startswith(
        f"事项目录：{len(items)} 项服务事项（10 个领域"
    )
    assert elapsed < 10  # it runs in `make run` and in the tests


def test_every_domain_has_at_least_three_items(catalog):
    _lines, items, _elapsed = catalog
    per_domain = Counter(
        code for item in items for code in item.current.domains.values_list("code", flat=True)
    )
    assert set(per_domain) == set(Domain.objects.values_list("code", flat=True))
    assert len(per_domain) == 10
    assert min(per_domain.values()) >= 3, per_domain


def test_the_window_departments_have_items_too(catalog):
    _lines, items, _elapsed = catalog
    departments = {item.current.department.name for item in items}
    assert {"县不动产登记中心", "县残疾人联合会", "县自然资源局"} <= departments


def test_every_item_passes_the_catalogs_rules(catalog, yiyuan):
    _lines, items, _elapsed = catalog
    for item in items:
        revision = item.current
        assert revision.source == ItemRevision.Source.DEMO and revision.created_by is None
        data = ItemData.of(revision)
        materials = [MaterialData.of(m) for m in revision.materials.all()]
        assert materials, f"{revision.name} has no material"
        assert actions.check_item(data, materials, county=yiyuan.county) == {}, revision.name
        assert revision.at_county  # every domain has a sub-zone at the county centre


def test_codes_are_well_formed_and_unique(catalog):
    _lines, items, _elapsed = catalog
    codes = [item.implementation_code for item in items]
    assert len(set(codes)) == len(codes)
    for item in items:
        assert len(item.current.basic_code) == 12 and item.current.basic_code.isdigit()
        assert len(item.implementation_code) <= 36
        assert item.implementation_code[18:30] == item.current.basic_code
    assert {item.current.type_system for item in items} == {"山东省政务服务事项管理系统"}


def test_department_credit_codes_carry_valid_check_characters():
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for body in CREDIT_BODIES.values():
        code = credit_code(body)
        assert len(code) == 18 and code.startswith(body)
        total = sum(alphabet.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
        assert alphabet.index(code[17]) == (31 - total % 31) % 31
    # A published example of GB 32100 (Beijing's Bureau of Finance, 11110000000021135M).
    assert credit_code("1111000000002113") == "11110000000021135M"


def test_the_catalog_shows_what_the_rules_are_about(catalog):
    _lines, items, _elapsed = catalog
    revisions = [item.current for item in items]
    deferrable = Material.objects.filter(
        revision__in=revisions, necessity=Material.Necessity.DEFERRABLE
    )
    assert deferrable.values("revision").distinct().count() >= 5
    assert sum(r.promised_limit == 0 for r in revisions) >= 5  # 即办
    assert sum(r.promised_limit_unit == "natural" for r in revisions) >= 2
    charged = [r for r in revisions if r.fee_charged]
    assert charged and all("依据" in r.fee_note or "〔" in r.fee_note for r in charged)
    assert len(charged) < len(revisions) / 5  # almost everything is free
    assert sum(r.at_village for r in revisions) >= 10
    assert sum(r.at_partner for r in revisions) >= 3
    assert sum(r.mode_home_visit for r in revisions) >= 5
    assert sum(r.mode_on_site for r in revisions) >= len(revisions) - 5
    assert all(r.guide.startswith("受理条件") for r in revisions)


def test_running_it_twice_adds_nothing(catalog, yiyuan):
    _lines, items, _elapsed = catalog
    revisions = ItemRevision.objects.count()
    materials = Material.objects.count()
    assert extend_demo(Demo(county=yiyuan.county, centre=yiyuan.centre)) == []
    assert ServiceItem.objects.filter(county=yiyuan.county).count() == len(items)
    assert ItemRevision.objects.count() == revisions
    assert Material.objects.count() == materials


def test_the_data_files_codes_start_with_their_departments_credit_code():
    from bangban.catalog.demo import ITEMS

    assert len(ITEMS) >= 45
    for item in ITEMS:
        assert item.implementation_code.startswith(credit_code(CREDIT_BODIES[item.department]))
        assert item.implementation_code[18:30] == item.basic_code
        assert len(item.implementation_code) == 33


def test_a_broken_data_file_stops_the_demo_and_writes_nothing(yiyuan, tmp_path, monkeypatch):
    from bangban.catalog import demo
    from bangban.network.models import Department

    materials = demo.FILES[1].read_text(encoding="utf-8")
    broken = tmp_path / "demo_materials.csv"
    broken.write_text(materials.replace(",必要,", ",必须,", 1), encoding="utf-8")
    monkeypatch.setattr(demo, "FILES", (demo.FILES[0], broken))
    departments = Department.objects.count()
    with pytest.raises(demo.DemoDataError) as caught:
        extend_demo(Demo(county=yiyuan.county, centre=yiyuan.centre))
    assert "材料" in str(caught.value) and "必要性" in str(caught.value)
    assert not ServiceItem.objects.filter(county=yiyuan.county).exists()
    assert Department.objects.count() == departments
