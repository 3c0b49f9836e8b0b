"""Items' keywords (俗称, decision 0037): the words said at the counter find their item in every item
search — the catalog list, the API's `?q=`, the registration form and the ledger's item picker —
as do the pinyin initials of the name and keywords; keywords are edited on the item form and through
the API, imported and exported with the Excel file, and refused with a Chinese error when too long,
too many or holding control characters."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from bangban.catalog import actions, spreadsheets
from bangban.catalog.actions import CatalogError
from bangban.catalog.demo import ITEMS, KEYWORDS, extend_demo
from bangban.catalog.models import ItemRevision, ServiceItem, search_text_of, split_keywords
from bangban.network.demo import Demo
from bangban.network.models import Role
from tests.network.test_api import Api, token_for
from tests.pages import page_text as text

from .conftest import MATERIALS, item_data
from .test_api import body, put_body
from .test_pages import existing_rows, post_data
from .test_spreadsheets import ITEM_HEADERS, MATERIAL_HEADERS, item_row, material_row, workbook

#: What the counter says → the demo items it must find (and the first of them by name).
SAID = {
    "低保": {"最低生活保障审核确认"},
    "社保卡": {"社会保障卡申领", "社会保障卡补换"},
    "营业执照": {"企业设立登记（有限责任公司）", "个体工商户设立登记"},
    "残疾证": {"残疾人证新办", "残疾人证换领"},
    "养老金": {"城乡居民基本养老保险待遇申领"},
}


@pytest.fixture
def demo_catalog(yiyuan):
    extend_demo(Demo(county=yiyuan.county, centre=yiyuan.centre))
    return {item.current.name: item for item in ServiceItem.objects.select_related("current")}


@pytest.fixture
def county_admin(yiyuan, make_account):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


@pytest.fixture
def helper(yiyuan, make_account):
    return make_account(Role.HELPER, yiyuan.station("鲁村镇"))


# --- The demo's words find their items everywhere ------------------------------------------------


def test_every_demo_keyword_list_names_a_demo_item_and_passes_the_rules():
    names = {spec.name for spec in ITEMS}
    assert set(KEYWORDS) <= names
    for words in KEYWORDS.values():
        assert actions.check_keywords(words) == []


@pytest.mark.parametrize("word", SAID)
def test_a_word_said_at_the_counter_finds_its_demo_item(demo_catalog, word):
    found = {item.current.name for item in ServiceItem.objects.search(word)}
    assert SAID[word] <= found, found
    # Nothing found by chance: each result names the word or carries it as a keyword.
    for item in ServiceItem.objects.search(word).select_related("current"):
        assert word in item.current.name or any(word in k for k in item.current.keyword_list)


@pytest.mark.parametrize("word", SAID)
def test_the_catalog_list_page_finds_it(client, demo_catalog, helper, word):
    client.force_login(helper)
    page = text(client.get(reverse("catalog:items"), {"q": word}))
    for name in SAID[word]:
        assert name in page


@pytest.mark.parametrize("word", SAID)
def test_the_api_finds_it(client, demo_catalog, helper, word):
    api = Api(client, token_for(client, helper))
    answer = api.get("/items", q=word, limit=100).json()
    assert SAID[word] <= {row["name"] for row in answer["items"]}
    assert any(word in k for row in answer["items"] for k in row["keywords"])


@pytest.mark.parametrize("word", SAID)
def test_the_registration_forms_item_search_finds_it(client, demo_catalog, helper, word):
    client.force_login(helper)
    page = text(client.get(reverse("cases:item_search"), {"item_q": word}))
    for name in SAID[word]:
        assert name in page


def test_the_ledgers_item_picker_finds_it(client, demo_catalog, helper):
    client.force_login(helper)
    page = text(client.get(reverse("cases:ledger_options"), {"field": "item", "item_find": "低保"}))
    assert "最低生活保障审核确认" in page


def test_pinyin_initials_find_an_item_by_its_keyword_or_name(demo_catalog):
    by_keyword = {item.current.name for item in ServiceItem.objects.search("db")}
    assert "最低生活保障审核确认" in by_keyword  # 低保
    by_name = {item.current.name for item in ServiceItem.objects.search("SHBZKSL")}
    assert by_name == {"社会保障卡申领"}  # its name's initials, whatever the case
    assert {i.current.name for i in ServiceItem.objects.search("sbk")} == {
        "社会保障卡申领",
        "社会保障卡补换",
    }


def test_initials_of_two_words_do_not_run_into_each_other():
    assert search_text_of("临时救助", "救急、困难救助") == ("临时救助 救急 困难救助 lsjz jj knjz")


def test_the_search_text_is_written_with_the_revision_not_read_per_query(yiyuan, make_item):
    item = make_item(keywords=("医保", "合作医疗"))
    revision = item.current
    assert revision.keywords == "医保、合作医疗"
    assert revision.search_text == search_text_of(revision.name, revision.keywords)
    assert "hzyl" in revision.search_text


# --- Editing: the form, the API, the import and export ----------------------------------------------


def _form_post(yiyuan, item, keywords: str) -> dict:
    return post_data(yiyuan, note="", initial=existing_rows(item), keywords=()) | {
        "keywords": keywords
    }


def test_the_item_form_shows_and_saves_keywords(client, yiyuan, county_admin, make_item):
    item = make_item(keywords=("医保",))
    client.force_login(county_admin)
    url = reverse("catalog:item_edit", args=[item.pk])
    form = text(client.get(url))
    assert "俗称（关键词）" in form and 'value="医保"' in form
    response = client.post(url, _form_post(yiyuan, item, "医保，合作医疗 新农合、医保"))
    assert response.status_code == 302, text(response)
    item.refresh_from_db()
    assert item.current.number == 2
    assert item.current.keyword_list == ("医保", "合作医疗", "新农合")
    assert "合作医疗" in text(client.get(reverse("catalog:item", args=[item.pk])))
    assert ServiceItem.objects.search("新农合").get() == item


def test_the_item_form_refuses_a_long_keyword_in_chinese_and_changes_nothing(
    client, yiyuan, county_admin, make_item
):
    item = make_item()
    client.force_login(county_admin)
    url = reverse("catalog:item_edit", args=[item.pk])
    response = client.post(url, _form_post(yiyuan, item, "低保、" + "很" * 21))
    assert response.status_code == 200
    assert "每个俗称不能超过 20 个字" in text(response)
    item.refresh_from_db()
    assert item.current.number == 1 and item.current.keywords == ""


def test_the_api_reads_writes_and_revises_keywords(county_api_client, yiyuan):
    api = county_api_client
    created = api.post("/items", body(yiyuan, keywords=["医保", "合作医疗"]))
    assert created.status_code == 201, created.json()
    item = created.json()
    assert item["keywords"] == ["医保", "合作医疗"]
    revised = api.put(
        f"/items/{item['id']}", put_body(body(yiyuan), keywords=["新农合"], note="俗称")
    )
    assert revised.status_code == 200, revised.json()
    assert revised.json()["keywords"] == ["新农合"]
    assert revised.json()["revision"]["number"] == 2
    assert api.get(f"/items/{item['id']}").json()["keywords"] == ["新农合"]
    assert [row["id"] for row in api.get("/items", q="xnh").json()["items"]] == [item["id"]]


@pytest.mark.parametrize(
    ("keywords", "status"),
    [
        (["很" * 21], 422),
        (["低保\x00"], 422),
        ([""], 422),
        ([f"词{n}" for n in range(21)], 422),
        ("低保", 422),
    ],
)
def test_the_api_refuses_bad_keywords(county_api_client, yiyuan, keywords, status):
    answer = county_api_client.post("/items", body(yiyuan, keywords=keywords))
    assert answer.status_code == status, answer.json()
    assert not ServiceItem.objects.exists()


def test_the_actions_refuse_bad_keywords_in_chinese(yiyuan, make_item):
    with pytest.raises(CatalogError) as error:
        make_item(keywords=("低保\x7f",))
    assert error.value.errors == {"keywords": ["俗称含有不可见的控制字符。"]}
    with pytest.raises(CatalogError) as error:
        make_item(keywords=tuple(f"词{n}" for n in range(21)))
    assert error.value.errors == {"keywords": ["俗称最多 20 个。"]}
    with pytest.raises(CatalogError) as error:
        make_item(keywords=tuple(f"{n:02d}" + "字" * 18 for n in range(11)))
    assert error.value.errors == {"keywords": ["俗称合计不能超过 200 个字。"]}
    assert not ServiceItem.objects.exists()


def test_keywords_are_split_on_every_separator_once_each():
    assert split_keywords(" 低保，吃低保;最低生活保障  低保、\n五保 ") == (
        "低保",
        "吃低保",
        "最低生活保障",
        "五保",
    )


def test_the_import_reads_keywords_and_reports_bad_ones_at_their_cell(yiyuan, county_admin):
    good = workbook(
        [item_row(1, keywords="医保、合作医疗"), item_row(2)],
        [material_row(1, 1, "居民身份证或户口簿"), material_row(2, 1, "居民身份证或户口簿")],
    )
    result = spreadsheets.import_catalog(good, by=county_admin)
    assert result.ok, result.problems
    first, second = ServiceItem.objects.order_by("implementation_code")
    assert first.current.keyword_list == ("医保", "合作医疗")
    assert second.current.keywords == ""
    assert ServiceItem.objects.search("hzyl").get() == first

    bad = workbook(
        [item_row(1, keywords="医保、" + "很" * 21), item_row(2, keywords="低保_x0001_")],
        [material_row(1, 1, "居民身份证或户口簿"), material_row(2, 1, "居民身份证或户口簿")],
    )
    result = spreadsheets.import_catalog(bad, by=county_admin)
    assert not result.ok
    problems = {(p.row, p.column): p.message for p in result.problems}
    assert "每个俗称不能超过 20 个字" in problems[2, "俗称"]
    assert problems[3, "俗称"] == "含有无效字符。"
    assert ItemRevision.objects.count() == 2  # nothing written


def test_the_export_carries_keywords_and_reimports_with_no_change(client, county_admin, make_item):
    item = make_item(keywords=("医保", "合作医疗"))
    client.force_login(county_admin)
    response = client.get(reverse("catalog:export"))
    content = b"".join(response.streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(content))
    rows = list(book["事项"].iter_rows(values_only=True))
    assert list(rows[0]) == ITEM_HEADERS
    assert rows[1][ITEM_HEADERS.index("俗称")] == "医保、合作医疗"
    assert list(next(book["材料"].iter_rows(values_only=True))) == MATERIAL_HEADERS
    result = spreadsheets.import_catalog(io.BytesIO(content), by=county_admin)
    assert result.ok and result.unchanged == 1, result.problems
    item.refresh_from_db()
    assert item.current.number == 1


def test_the_template_explains_the_keywords_column(county_admin):
    stream = io.BytesIO()
    spreadsheets.write_template(county_admin, stream)
    sheet = openpyxl.load_workbook(stream)["事项"]
    headers = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert headers[-1] == "俗称"


@pytest.fixture
def county_api_client(client, county_admin):
    return Api(client, token_for(client, county_admin))


def test_a_revision_without_keywords_change_is_no_revision(yiyuan, make_item):
    item = make_item(keywords=("医保",))
    same = actions.revise_item(
        item, data=item_data(yiyuan, keywords=("医保",)), materials=MATERIALS, by=None
    )
    assert same.pk == item.current_id
    changed = actions.revise_item(
        item, data=item_data(yiyuan, keywords=("医保", "新农合")), materials=MATERIALS, by=None
    )
    assert changed.number == 2
