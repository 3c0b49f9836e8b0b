"""The item search an index serves (decision 0062): the grams (`catalog.ItemGram`) are kept right by
every catalog write and by a department's rename — recomputed from scratch they equal the table —,
and the search through them finds exactly what the plain substring test finds, for queries of every
length."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.db.models import Exists, OuterRef, Q

from bangban.catalog import actions
from bangban.catalog.actions import ImportedItem
from bangban.catalog.demo import extend_demo
from bangban.catalog.models import ItemGram, ItemRevision, ServiceItem, item_grams
from bangban.kernel.search import grams, having_grams, query_grams
from bangban.network import units
from bangban.network.demo import Demo
from bangban.network.models import Domain

from .conftest import MATERIALS, item_data


def stored() -> dict[int, set[tuple[int, str]]]:
    table: dict[int, set[tuple[int, str]]] = {}
    for item_id, county_id, gram in ItemGram.objects.values_list("item_id", "county_id", "gram"):
        table.setdefault(item_id, set()).add((county_id, gram))
    return table


def recomputed() -> dict[int, set[tuple[int, str]]]:
    """Every item's grams from scratch, read through the models one item at a time."""
    table = {}
    for item in ServiceItem.objects.select_related("current__department"):
        revision = item.current
        found = item_grams(
            revision.search_text,
            revision.department.name,
            [domain.name for domain in revision.domains.all()],
        )
        table[item.pk] = {(item.county_id, gram) for gram in found}
    return table


def plain_search(text: str) -> set[int]:
    """What `ServiceItemQuerySet.search` found before the index: the substring test on every item."""
    text = text.strip()
    said = Q(current__search_text__contains=text.lower())
    if text.isascii() and text.replace("-", "").isalnum():
        upper = text.upper()
        test = (
            Q(implementation_code__startswith=upper)
            | Q(current__basic_code__startswith=upper)
            | said
        )
    else:
        domains = ItemRevision.domains.through.objects.filter(
            itemrevision_id=OuterRef("current_id"), domain__name__contains=text
        )
        test = said | Q(current__department__name__contains=text) | Q(Exists(domains))
    return set(ServiceItem.objects.filter(test).values_list("pk", flat=True))


@pytest.fixture
def demo_catalog(yiyuan):
    extend_demo(Demo(county=yiyuan.county, centre=yiyuan.centre))


def test_grams_are_each_character_and_pair_of_each_lower_cased_word():
    assert grams("低保 DB") == {"低", "保", "低保", "d", "b", "db"}
    assert grams("户口", "社保卡") == {"户", "口", "户口", "社", "保", "卡", "社保", "保卡"}
    assert query_grams("证") == {"证"}
    # A longer word: the pairs that cover it, the last overlapping when its length is odd.
    assert query_grams("养老保险") == {"养老", "保险"}
    assert query_grams("养老保险参保") == {"养老", "保险", "参保"}
    assert query_grams("身份证") == {"身份", "份证"}
    assert query_grams("11370323") == {"11", "37", "03", "23"}
    assert query_grams("低保 d") == {"低保", "d"}  # a pair never spans a blank
    assert query_grams("  ") == set()


def test_the_demo_import_fills_the_grams(demo_catalog):
    assert ServiceItem.objects.count() > 50
    assert stored() == recomputed()


def test_creating_and_revising_an_item_rewrite_its_grams(yiyuan, make_item):
    item = make_item(keywords=("医保",))
    assert stored() == recomputed()
    assert (yiyuan.county.pk, "yb") in stored()[item.pk]  # the keyword's initials
    actions.revise_item(
        item,
        data=item_data(
            yiyuan,
            name="增值税专用发票领用",
            domains=frozenset({Domain.objects.get(code="tax")}),
            department=yiyuan.department("国家税务总局沂源县税务局"),
        ),
        materials=MATERIALS,
        by=None,
    )
    assert stored() == recomputed()
    assert (yiyuan.county.pk, "医保") not in stored()[item.pk]
    assert list(ServiceItem.objects.search("发票")) == [item]
    assert list(ServiceItem.objects.search("参保")) == []


def test_the_import_rewrites_the_grams_of_what_it_writes(yiyuan, make_item):
    kept = make_item(name="生育保险待遇核定")
    changed = make_item()
    entries = [
        ImportedItem(county=yiyuan.county, implementation_code=kept.implementation_code,
                     data=item_data(yiyuan, name="生育保险待遇核定"), materials=MATERIALS),
        ImportedItem(county=yiyuan.county, implementation_code=changed.implementation_code,
                     data=item_data(yiyuan, name="城乡居民医保关系转移"), materials=MATERIALS),
        ImportedItem(county=yiyuan.county, implementation_code="11370323MB00000NEW01",
                     data=item_data(yiyuan, name="异地就医备案", keywords=("跨省就医",)),
                     materials=MATERIALS),
    ]  # fmt: skip
    report = actions.import_items(entries, by=None)
    assert (report.unchanged, report.revised, report.created) == ([0], [1], [2])
    assert stored() == recomputed()
    assert {i.current.name for i in ServiceItem.objects.search("跨省")} == {"异地就医备案"}
    assert {i.current.name for i in ServiceItem.objects.search("关系转")} == {
        "城乡居民医保关系转移"
    }


def test_a_renamed_department_finds_its_items_by_the_new_name(yiyuan, make_item):
    item = make_item()
    department = item.current.department
    units.update_department(department, name="沂源县医疗保障服务中心", by=None)
    assert stored() == recomputed()
    assert list(ServiceItem.objects.search("服务中心")) == [item]
    assert list(ServiceItem.objects.search("医疗保障局")) == []


def test_taking_an_item_out_of_use_keeps_its_grams(make_item):
    item = make_item()
    actions.set_item_active(item, active=False, by=None)
    assert stored() == recomputed()


@pytest.mark.parametrize(
    "query",
    [
        "证",  # one character
        "保",
        "D",  # one ASCII letter: initials and codes
        "低保",  # two: a keyword
        "医保",  # two: a domain's name
        "户口",
        "身份证",
        "税务局",  # a department
        "养老保险参保",
        "城乡居民基本养老保险待遇申领",
        "db",
        "SHBZKSL",
        "11370323",  # a code prefix
        "000172",
        "保 险",  # a blank inside
        "险参",  # grams of several words that are no substring of one
        "无此事项",
    ],
)
def test_the_search_finds_exactly_what_the_substring_test_finds(demo_catalog, query):
    found = set(ServiceItem.objects.search(query).values_list("pk", flat=True))
    assert found == plain_search(query)


def test_the_candidates_are_never_fewer_than_the_matches(demo_catalog):
    for item in ServiceItem.objects.select_related("current").order_by("pk")[:12]:
        name = item.current.name
        for start in range(len(name)):
            for end in (start + 1, start + 2, start + 4, len(name)):
                part = name[start:end]
                candidates = having_grams(ItemGram.objects.all(), part, "item_id")
                assert item.pk in set(candidates.values_list("item_id", flat=True)), part


def test_an_item_of_another_county_is_found_with_its_own_grams(yiyuan, make_item):
    from bangban.network.actions import create_region

    other = create_region(yiyuan.county.parent, code="370322", name="高青县", by=None)
    department = units.create_department(other, name="高青县医疗保障局", by=None)
    there = actions.create_item(
        other,
        implementation_code="11370322MB0000000001",
        data=replace(item_data(yiyuan), department=department),
        materials=MATERIALS,
        by=None,
    )
    here = make_item()
    assert stored() == recomputed()
    assert set(ServiceItem.objects.search("高青")) == {there}
    assert set(ServiceItem.objects.search("参保")) == {here, there}
    assert {c for c, _gram in stored()[there.pk]} == {other.pk}
    # A county's search reads its county's grams only.
    assert set(ServiceItem.objects.search("参保", counties=[other.pk])) == {there}
    assert set(ServiceItem.objects.search("城乡居民", counties=[yiyuan.county])) == {here}
    assert set(ServiceItem.objects.search("高青", counties=[yiyuan.county])) == set()
