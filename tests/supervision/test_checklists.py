"""The county's inspection checklists (督查评分表): saved whole by `actions.save_checklist`, which
checks every field (naming it by its path) and keeps the items an inspection used; switched off and
on; every county starts with the default built from Yiyuan's rules — 100 points — those that exist
through the data migration, a new one through `supervision.on_network`."""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry

from bangban.network.models import Region
from bangban.supervision.actions import (
    ChecklistError,
    ItemData,
    SectionData,
    give_default_checklist,
    record_finding,
    save_checklist,
    set_checklist_active,
    start_inspection,
)
from bangban.supervision.checklists import DEFAULT_NAME, read_default_checklist
from bangban.supervision.models import (
    Checklist,
    ChecklistItem,
    Method,
    PointLevel,
)
from tests.divisions import import_dong_e as dong_e

pytestmark = pytest.mark.django_db


def item(**changes) -> ItemData:
    fields = {
        "text": "设置明显的帮办代办标识",
        "points": "10",
        "deduction": "2",
        "cap": "10",
        "method": Method.LOOK,
        "photo_required": True,
        "applies_to": ["town", "village"],
    }
    fields.update(changes)
    return ItemData(**fields)


def sections(*items: ItemData, title: str = "服务区域与标识") -> list[SectionData]:
    return [SectionData(title=title, items=list(items) or [item()])]


def total(checklist: Checklist) -> Decimal:
    return sum(
        ChecklistItem.objects.filter(section__checklist=checklist, active=True).values_list(
            "points", flat=True
        ),
        Decimal(0),
    )


# --- The default -------------------------------------------------------------------------------


def test_the_default_sums_to_100_and_quotes_its_rules():
    default = read_default_checklist()
    items = [i for s in default for i in s.items]
    assert sum(Decimal(i.points) for i in items) == 100
    assert [s.title for s in default] == [
        "服务区域与标识",
        "设施设备",
        "人员与仪容",
        "服务用语与态度",
        "工作纪律",
        "台账与好差评",
    ]
    assert all("依据：" in i.text for i in items)
    texts = " ".join(i.text for i in items)
    for rule in ("八不", "绶带", "老花镜", "不能办", "逐项登记", "一事一评", "服务费"):
        assert rule in texts
    assert {i.method for i in items} == set(Method.values)
    assert all(set(i.applies_to) == set(PointLevel.values) for i in items)


def test_yiyuan_has_the_default_and_it_loads(yiyuan):
    checklist = Checklist.objects.get(county=yiyuan.county, name=DEFAULT_NAME)
    assert checklist.active and total(checklist) == 100
    assert checklist.sections.count() == 6
    assert give_default_checklist(yiyuan.county) is None  # it has one: nothing more
    assert Checklist.objects.filter(county=yiyuan.county).count() == 1


def test_a_new_county_gets_the_default_from_its_network():
    assert not Region.objects.filter(code="371524").exists()
    county = dong_e()
    (checklist,) = Checklist.objects.filter(county=county)
    assert checklist.name == DEFAULT_NAME and total(checklist) == 100
    dong_e()  # imported again: still the one
    assert Checklist.objects.filter(county=county).count() == 1


def test_the_data_migration_gives_the_counties_without_one_the_default(yiyuan):
    Checklist.objects.filter(county=yiyuan.county).delete()
    migration = import_module("bangban.supervision.migrations.0002_default_checklists")
    migration.give_default_checklists(apps, None)
    checklist = Checklist.objects.get(county=yiyuan.county)
    assert checklist.name == DEFAULT_NAME and total(checklist) == 100
    saved = [
        (i.section.title, i.text, i.points, i.cap, i.method, i.photo_required, i.applies_to)
        for i in ChecklistItem.objects.filter(section__checklist=checklist).select_related(
            "section"
        )
    ]
    read = [
        (
            s.title,
            i.text,
            Decimal(i.points),
            Decimal(i.cap),
            i.method,
            i.photo_required,
            i.applies_to,
        )
        for s in read_default_checklist()
        for i in s.items
    ]
    assert saved == read
    migration.give_default_checklists(apps, None)  # again: nothing more
    assert Checklist.objects.filter(county=yiyuan.county).count() == 1


# --- Saving ------------------------------------------------------------------------------------


def test_a_checklist_is_saved_whole_and_recorded(yiyuan, make_account):
    from bangban.network.models import Role

    bureau = make_account(Role.REGION_ADMIN, yiyuan.county)
    checklist = save_checklist(
        yiyuan.county,
        name="暗访专用表",
        sections=[
            SectionData(
                "服务态度", [item(text="文明用语", method=Method.MYSTERY, points=6, cap=6)]
            ),
            SectionData("设施", [item(), item(text="便民设施", points="4.5", cap="4.5")]),
        ],
        by=bureau,
    )
    rows = list(
        ChecklistItem.objects.filter(section__checklist=checklist).order_by(
            "section__order", "order"
        )
    )
    assert [(r.section.title, r.text, r.points) for r in rows] == [
        ("服务态度", "文明用语", Decimal("6")),
        ("设施", "设置明显的帮办代办标识", Decimal("10")),
        ("设施", "便民设施", Decimal("4.5")),
    ]
    entry = LogEntry.objects.get(object_id=str(checklist.pk), user=bureau)
    assert "暗访专用表" in entry.change_message and "共 20.5 分" in entry.change_message


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"cap": "12"}, "sections.0.items.1.cap", "最多扣分不能超过该项分值"),
        ({"deduction": "8", "cap": "5"}, "sections.0.items.1.deduction", "每处扣分不能超过"),
        ({"points": "0"}, "sections.0.items.1.points", "大于 0"),
        ({"points": "2.25"}, "sections.0.items.1.points", "一位小数"),
        ({"points": "十"}, "sections.0.items.1.points", "请填写数字"),
        ({"method": "guess"}, "sections.0.items.1.method", "检查方式"),
        ({"applies_to": []}, "sections.0.items.1.applies_to", "层级"),
        ({"applies_to": ["city"]}, "sections.0.items.1.applies_to", "层级"),
        ({"text": "  "}, "sections.0.items.1.text", "检查内容"),
        ({"text": "长" * 201}, "sections.0.items.1.text", "200"),
    ],
)
def test_each_field_is_checked_and_named(yiyuan, changes, key, message):
    before = Checklist.objects.count()
    with pytest.raises(ChecklistError) as raised:
        save_checklist(
            yiyuan.county, name="新表", sections=sections(item(), item(**changes)), by=None
        )
    assert list(raised.value.errors) == [key]
    assert message in raised.value.errors[key][0]
    assert Checklist.objects.count() == before  # nothing written


def test_the_checklist_itself_is_checked(yiyuan):
    town = Region.objects.filter(level=Region.Level.TOWN).first()
    cases = [
        ({"name": ""}, "name"),
        ({"name": DEFAULT_NAME}, "name"),  # the county has one of that name
        ({"sections": []}, "sections"),
        ({"sections": [SectionData("", [item()])]}, "sections.0.title"),
        ({"sections": [SectionData("空的部分", [])]}, "sections.0.items"),
        ({"county": town}, "county"),
    ]
    for changes, key in cases:
        arguments = {"county": yiyuan.county, "name": "新表", "sections": sections(), "by": None}
        arguments.update(changes)
        with pytest.raises(ChecklistError) as raised:
            save_checklist(**arguments)
        assert key in raised.value.errors, (changes, raised.value.errors)


def test_the_error_is_located_in_the_body():
    error = ChecklistError({"sections.0.items.2.cap": "x", "name": "y"})
    assert error.locate("sections.0.items.2.cap") == (
        ["body", "sections", 0, "items", 2, "cap"],
        "rule",
    )
    assert error.locate("name") == (["body", "name"], "rule")


def test_an_item_an_inspection_used_is_kept_out_of_use(yiyuan, people):
    checklist = save_checklist(
        yiyuan.county,
        name="新表",
        sections=sections(item(text="用过的"), item(text="没用过的", points=5, cap=5)),
        by=None,
    )
    used, unused = ChecklistItem.objects.filter(section__checklist=checklist).order_by("order")
    # A draft inspection with a finding on the first item (`start_inspection`, `record_finding`).
    inspection = start_inspection(
        people.station, checklist=checklist, announced=False, by=people.bureau, by_kind="bureau"
    )
    record_finding(inspection, item=used, occurrences=1, note="标识缺失", by=people.bureau)
    save_checklist(
        yiyuan.county,
        name="新表（修订）",
        checklist=checklist,
        sections=sections(item(text="新的项目"), title="新部分"),
        by=None,
    )
    used.refresh_from_db()
    assert not used.active  # kept for the finding, out of use
    assert not ChecklistItem.objects.filter(pk=unused.pk).exists()
    active = ChecklistItem.objects.filter(section__checklist=checklist, active=True)
    assert [(i.section.title, i.text) for i in active] == [("新部分", "新的项目")]
    checklist.refresh_from_db()
    assert checklist.name == "新表（修订）"


def test_a_checklist_is_switched_off_and_on(yiyuan, make_account):
    from bangban.network.models import Role

    bureau = make_account(Role.REGION_ADMIN, yiyuan.county)
    checklist = Checklist.objects.get(county=yiyuan.county)
    set_checklist_active(checklist, active=False, by=bureau)
    checklist.refresh_from_db()
    assert not checklist.active
    set_checklist_active(checklist, active=False, by=bureau)  # so already: nothing written
    assert LogEntry.objects.filter(object_id=str(checklist.pk)).count() == 1
    set_checklist_active(checklist, active=True, by=bureau)
    checklist.refresh_from_db()
    assert checklist.active
    assert LogEntry.objects.filter(object_id=str(checklist.pk)).count() == 2
