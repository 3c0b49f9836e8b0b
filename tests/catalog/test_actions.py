"""Items and their immutable revisions: the catalog's rules, whichever door an item comes in by."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.db import IntegrityError, transaction

from bangban.catalog import actions
from bangban.catalog.actions import CatalogError, MaterialData
from bangban.catalog.models import ItemRevision, Material, ServiceItem

from .conftest import MATERIALS, item_data


def test_creating_an_item_makes_its_first_revision_with_ordered_materials(make_item):
    item = make_item()
    revision = item.current
    assert revision.number == 1
    assert revision.name == "城乡居民基本医疗保险参保登记"
    assert revision.modes == ["mobile", "online", "on_site"]
    assert revision.levels == ["county", "town", "village"]
    assert [m.name for m in revision.materials.all()] == [m.name for m in MATERIALS]
    assert [m.position for m in revision.materials.all()] == [1, 2, 3]


def test_revising_adds_a_revision_and_leaves_the_old_one_as_it_was(make_item, yiyuan):
    item = make_item()
    first = item.current
    materials = [*MATERIALS, MaterialData(name="委托书", kind=Material.Kind.FORM, originals=1)]
    second = actions.revise_item(
        item,
        data=item_data(yiyuan, promised_limit=3),
        materials=materials,
        by=None,
        note="新增委托书",
    )
    item.refresh_from_db()
    first.refresh_from_db()
    assert item.current == second
    assert second.number == 2 and second.promised_limit == 3 and second.note == "新增委托书"
    assert first.promised_limit == 1
    assert first.materials.count() == 3 and second.materials.count() == 4


def test_saying_the_same_again_adds_no_revision(make_item, yiyuan):
    item = make_item()
    again = actions.revise_item(item, data=item_data(yiyuan), materials=MATERIALS, by=None)
    assert again == item.current
    assert item.revisions.count() == 1


def test_reordering_materials_is_an_edit(make_item, yiyuan):
    item = make_item()
    revision = actions.revise_item(
        item, data=item_data(yiyuan), materials=list(reversed(MATERIALS)), by=None
    )
    assert revision.number == 2
    assert revision.materials.first().name == "特殊人群身份证明"


def test_promised_limit_may_not_exceed_legal_in_the_same_unit(make_item):
    with pytest.raises(CatalogError) as error:
        make_item(legal_limit=5, promised_limit=6)
    assert error.value.errors == {"promised_limit": ["承诺办结时限不能超过法定办结时限。"]}


def test_promised_in_working_days_may_exceed_legal_in_natural_days(make_item):
    item = make_item(legal_limit=5, legal_limit_unit="natural", promised_limit=6)
    assert item.current.promised_limit == 6


def test_the_database_refuses_promised_beyond_legal_too(make_item):
    item = make_item()
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemRevision.objects.filter(pk=item.current.pk).update(promised_limit=99)


def test_every_problem_is_named_at_once(make_item, yiyuan):
    materials = [
        MaterialData(name="身份证", originals=0, copies=0),
        MaterialData(name="身份证", originals=1),
        MaterialData(name="", originals=1),
    ]
    with pytest.raises(CatalogError) as error:
        make_item(
            code="bad code",
            materials=materials,
            basic_code="123",
            name=" ",
            domains=frozenset(),
            levels=frozenset(),
            modes=frozenset({"teleport"}),
            fee_charged=True,
            department=yiyuan.department("县民政局").__class__(pk=0, county_id=0, name="外县"),
        )
    errors = error.value.errors
    assert set(errors) == {
        "implementation_code",
        "basic_code",
        "name",
        "domains",
        "levels",
        "modes",
        "fee_note",
        "department",
        "materials.1.copies",
        "materials.2.name",
        "materials.3.name",
    }
    assert errors["basic_code"] == ["基本编码应为 12 位。"]
    assert errors["materials.2.name"] == ["材料名称与第 1 项重复。"]
    assert ServiceItem.objects.count() == 0


def test_an_implementation_code_is_unique_in_its_county(make_item):
    make_item(code="11370323MB00000000ABC")
    with pytest.raises(CatalogError) as error:
        make_item(code="11370323mb00000000abc")
    assert "implementation_code" in error.value.errors


def test_a_limit_of_zero_means_on_the_spot(make_item):
    item = make_item(legal_limit=0, promised_limit=0)
    assert item.current.legal_limit == 0


def test_control_characters_are_refused(make_item):
    with pytest.raises(CatalogError) as error:
        make_item(name="参保\x00登记")
    assert error.value.errors == {"name": ["含有不可见的控制字符。"]}


def test_the_guide_may_have_several_lines(make_item):
    item = make_item(guide="一、受理条件\n二、办理流程")
    assert item.current.guide == "一、受理条件\n二、办理流程"


def test_files_are_kept_by_material_name_when_not_given(make_item, yiyuan):
    materials = [replace(MATERIALS[0], blank_form="catalog/forms/2026/id.pdf"), *MATERIALS[1:]]
    item = make_item(materials=materials)
    revision = actions.revise_item(
        item,
        data=item_data(yiyuan, promised_limit=2),
        materials=[replace(m, blank_form=None) for m in MATERIALS],
        by=None,
    )
    assert revision.materials.get(name=MATERIALS[0].name).blank_form.name == (
        "catalog/forms/2026/id.pdf"
    )


def test_taking_an_item_out_of_use_is_not_a_revision(make_item):
    item = make_item()
    actions.set_item_active(item, active=False, by=None)
    item.refresh_from_db()
    assert not item.active and item.revisions.count() == 1
    assert not ServiceItem.objects.active().filter(pk=item.pk).exists()


def test_search_finds_a_chinese_substring_or_a_code(make_item):
    item = make_item(code="11370323MB0000000XYZ")
    make_item(name="生育保险待遇核定")
    assert list(ServiceItem.objects.search("居民基本医疗")) == [item]
    assert list(ServiceItem.objects.search("11370323mb0000000x")) == [item]
    assert ServiceItem.objects.search("000172007000").count() == 2


def test_filters_by_domain_mode_and_level(make_item, yiyuan):
    from bangban.network.models import Domain

    tax = Domain.objects.get(code="tax")
    item = make_item(modes=frozenset({"home_visit"}), levels=frozenset({"partner"}))
    other = make_item(domains=frozenset({tax}))
    assert list(ServiceItem.objects.with_mode("home_visit")) == [item]
    assert list(ServiceItem.objects.at_level("partner")) == [item]
    assert list(ServiceItem.objects.in_domain(tax)) == [other]


def test_a_code_created_by_someone_else_meanwhile_is_a_rule_error(make_item, monkeypatch):
    from django.db.models.query import QuerySet

    make_item(code="11370323MB00000000RACE")
    real_exists = QuerySet.exists
    checks = []

    def exists(self):
        # The first check sees nothing, as if the other insert came just after it.
        checks.append(self)
        return False if len(checks) == 1 else real_exists(self)

    monkeypatch.setattr(QuerySet, "exists", exists)
    with pytest.raises(CatalogError) as error:
        make_item(code="11370323MB00000000RACE")
    assert error.value.errors["implementation_code"] == [
        "本县已有实施编码为 11370323MB00000000RACE 的事项。"
    ]
    assert ServiceItem.objects.filter(implementation_code="11370323MB00000000RACE").count() == 1


def test_search_finds_items_by_their_domain_or_department(make_item, yiyuan):
    from bangban.network.models import Domain

    medical = make_item()
    tax = make_item(
        name="增值税专用发票领用",
        domains=frozenset({Domain.objects.get(code="tax")}),
        department=yiyuan.department("国家税务总局沂源县税务局"),
    )
    assert list(ServiceItem.objects.search("医保")) == [medical]
    assert list(ServiceItem.objects.search("税务局")) == [tax]
