"""The catalog's JSON API: lists and filters, scope through the gate, items in full with their
materials and revisions, creating and revising by region admins, rule errors (409) at their field,
schema errors (422), fixed query counts."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from bangban.catalog import actions
from bangban.catalog.models import ItemRevision, ServiceItem
from bangban.catalog.schemas import ItemListOut, ItemOut, RevisionListOut
from bangban.network.models import Department, Region, Role
from tests.network.test_api import Api, assert_error, token_for

from .conftest import MATERIALS, item_data


@pytest.fixture
def api_as(client, make_account):
    """api_as(role, binding) → an Api client authenticated as a new account with that role."""

    def make(role, binding):
        return Api(client, token_for(client, make_account(role, binding)))

    return make


@pytest.fixture
def county_api(api_as, yiyuan):
    return api_as(Role.REGION_ADMIN, yiyuan.county)


@pytest.fixture
def helper_api(api_as, yiyuan):
    return api_as(Role.HELPER, yiyuan.station("鲁村镇"))


@pytest.fixture
def gaoqing(yiyuan) -> Region:
    """A second county of 淄博市, with a department of its own."""
    county = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=yiyuan.county.parent
    )
    Department.objects.create(county=county, name="高青县医疗保障局")
    return county


def body(yiyuan, **changes) -> dict:
    """A POST body for 城乡居民基本医疗保险参保登记 in 沂源县, as conftest's item_data says it."""
    data = {
        "county": "370323",
        "implementation_code": "11370323MB0000000API001",
        "basic_code": "000172007000",
        "version": "3",
        "name": "城乡居民基本医疗保险参保登记",
        "type_code": "07",
        "type_name": "公共服务",
        "type_system": "山东省政务服务事项管理系统",
        "department": yiyuan.department("县医疗保障局").pk,
        "domains": ["medical_insurance"],
        "levels": ["county", "town", "village"],
        "modes": ["on_site", "online", "mobile"],
        "legal_limit": 20,
        "promised_limit": 1,
        "guide": "符合条件的城乡居民持有效身份证件办理。",
        "materials": [
            {
                "name": "居民身份证或户口簿",
                "kind": "certificate",
                "source": "government",
                "originals": 1,
                "copies": 1,
            },
            {
                "name": "城乡居民基本医疗保险参保登记表",
                "kind": "form",
                "originals": 1,
                "notes": "窗口免费提供，可现场填写",
            },
            {
                "name": "特殊人群身份证明",
                "necessity": "optional",
                "copies": 1,
                "notes": "低保、特困、重度残疾等人员提供",
            },
        ],
    }
    data.update(changes)
    return data


def put_body(item_body: dict, **changes) -> dict:
    """The PUT body for an item made with `item_body` (county and code are not sent again)."""
    data = {
        k: v
        for k, v in copy.deepcopy(item_body).items()
        if k not in ("county", "implementation_code")
    }
    data.update(changes)
    return data


# --- Lists and filters ------------------------------------------------------------------------------


def test_list_shows_items_as_their_current_revision_says(county_api, make_item):
    item = make_item()
    answer = county_api.get("/items").json()
    ItemListOut.model_validate(answer)
    assert answer["count"] == 1
    (summary,) = answer["items"]
    assert summary == {
        "id": item.pk,
        "county": "370323",
        "county_name": "沂源县",
        "implementation_code": item.implementation_code,
        "basic_code": "000172007000",
        "name": "城乡居民基本医疗保险参保登记",
        "keywords": [],
        "department": item.current.department_id,
        "department_name": "县医疗保障局",
        "domains": ["medical_insurance"],
        "modes": ["mobile", "online", "on_site"],
        "levels": ["county", "town", "village"],
        "legal_limit": {"value": 20, "unit": "working"},
        "promised_limit": {"value": 1, "unit": "working"},
        "active": True,
        "revision": 1,
    }


def test_list_pages_with_limit_and_offset_counting_all(county_api, make_item):
    for _ in range(3):
        make_item()
    answer = county_api.get("/items", limit=2, offset=2).json()
    assert answer["count"] == 3 and len(answer["items"]) == 1


def test_list_pages_follow_the_implementation_code(county_api, make_item):
    codes = [f"11370323MB0000009{n:06d}" for n in (2, 1, 3)]
    for code in codes:
        make_item(code=code)
    pages = [county_api.get("/items", limit=2, offset=offset).json() for offset in (0, 2)]
    assert [i["implementation_code"] for p in pages for i in p["items"]] == sorted(codes)


def test_search_finds_a_chinese_substring_of_the_name(county_api, make_item):
    wanted = make_item(name="城乡居民基本医疗保险参保登记")
    make_item(name="婚姻登记")
    ids = [i["id"] for i in county_api.get("/items", q="医疗保险").json()["items"]]
    assert ids == [wanted.pk]


def test_search_finds_the_start_of_an_implementation_code(county_api, make_item):
    wanted = make_item(code="11370323MB00000000ABC12")
    make_item()
    ids = [i["id"] for i in county_api.get("/items", q="11370323mb00000000abc").json()["items"]]
    assert ids == [wanted.pk]


def test_filter_by_domain(county_api, make_item, yiyuan):
    from bangban.network.models import Domain

    make_item()
    marriage = make_item(
        name="内地居民结婚登记",
        department=yiyuan.department("县民政局"),
        domains=frozenset({Domain.objects.get(code="marriage_registration")}),
    )
    ids = [
        i["id"] for i in county_api.get("/items", domain="marriage_registration").json()["items"]
    ]
    assert ids == [marriage.pk]


def test_filter_by_mode(county_api, make_item):
    make_item()
    home = make_item(modes=frozenset({"on_site", "home_visit"}))
    assert [i["id"] for i in county_api.get("/items", mode="home_visit").json()["items"]] == [
        home.pk
    ]


def test_filter_by_level(county_api, make_item):
    make_item()
    partner = make_item(levels=frozenset({"partner"}))
    assert [i["id"] for i in county_api.get("/items", level="partner").json()["items"]] == [
        partner.pk
    ]


def test_filter_by_county_takes_a_city_code_too(county_api, make_item):
    item = make_item()
    assert county_api.get("/items", county="370323").json()["count"] == 1
    assert county_api.get("/items", county="3703").json()["items"][0]["id"] == item.pk
    assert county_api.get("/items", county="370322").json()["count"] == 0


def test_list_shows_only_items_in_use_unless_asked(county_api, make_item):
    make_item()
    retired = make_item()
    actions.set_item_active(retired, active=False, by=None)
    assert county_api.get("/items").json()["count"] == 1
    answer = county_api.get("/items", active="false").json()
    assert [i["id"] for i in answer["items"]] == [retired.pk]
    assert answer["items"][0]["active"] is False


def test_list_refuses_an_unknown_query_parameter(county_api, yiyuan):
    assert_error(county_api.get("/items", domian="tax"), 422, "domian")


def test_list_refuses_an_unknown_mode(county_api, yiyuan):
    assert_error(county_api.get("/items", mode="by_post"), 422, "mode")


@pytest.mark.parametrize("limit", [1, 60])
def test_list_takes_a_fixed_number_of_queries(
    county_api, make_item, django_assert_num_queries, limit
):
    for _ in range(60):
        make_item()
    # the token with the memberships, count, page (with county, revision, department), domains
    with django_assert_num_queries(4):
        response = county_api.get(
            "/items", limit=limit, q="医疗", mode="on_site", domain="medical_insurance"
        )
    assert len(response.json()["items"]) == limit
    with django_assert_num_queries(4):
        response = county_api.get("/items", limit=limit, level="village", county="3703")
    assert len(response.json()["items"]) == limit


@pytest.mark.parametrize("materials", [1, 30])
def test_an_item_takes_a_fixed_number_of_queries(
    county_api, make_item, django_assert_num_queries, materials
):
    item = make_item(
        materials=[replace(MATERIALS[0], name=f"材料{n}") for n in range(1, materials + 1)]
    )
    # the token with the memberships, item (with county, revision, department), domains, materials
    with django_assert_num_queries(4):
        response = county_api.get(f"/items/{item.pk}")
    assert len(response.json()["materials"]) == materials
    # … and the revision asked for
    with django_assert_num_queries(5):
        county_api.get(f"/items/{item.pk}/revisions/1")


# --- Scope -----------------------------------------------------------------------------------------


def test_an_admin_of_another_county_sees_none_of_its_items(api_as, gaoqing, make_item):
    item = make_item()
    gaoqing_api = api_as(Role.REGION_ADMIN, gaoqing)
    assert gaoqing_api.get("/items").json() == {"items": [], "count": 0}
    assert_error(gaoqing_api.get(f"/items/{item.pk}"), 404, "item_id")
    assert_error(gaoqing_api.get(f"/items/{item.pk}/revisions"), 404, "item_id")


def test_an_admin_of_another_county_cannot_revise_its_items(api_as, gaoqing, make_item, yiyuan):
    item = make_item()
    gaoqing_api = api_as(Role.REGION_ADMIN, gaoqing)
    assert_error(gaoqing_api.put(f"/items/{item.pk}", put_body(body(yiyuan))), 404, "item_id")
    assert_error(gaoqing_api.post("/items", body(yiyuan)), 404, "county")
    assert item.revisions.count() == 1


def test_a_helper_sees_the_items_of_their_county(helper_api, make_item):
    item = make_item()
    assert [i["id"] for i in helper_api.get("/items").json()["items"]] == [item.pk]
    assert helper_api.get(f"/items/{item.pk}").status_code == 200


def test_a_helper_may_not_revise_an_item_they_see(helper_api, make_item, yiyuan):
    item = make_item()
    response = helper_api.put(f"/items/{item.pk}", put_body(body(yiyuan), promised_limit=3))
    assert_error(response, 403, "item_id")
    assert item.revisions.count() == 1


def test_a_helper_may_not_create_an_item_in_their_county(helper_api, yiyuan):
    assert_error(helper_api.post("/items", body(yiyuan)), 403, "county")
    assert not ServiceItem.objects.exists()


def test_a_helper_may_not_take_an_item_out_of_use(helper_api, make_item):
    item = make_item()
    assert_error(helper_api.post(f"/items/{item.pk}/active", {"active": False}), 403, "item_id")
    item.refresh_from_db()
    assert item.active


def test_an_unknown_item_is_not_found(county_api, yiyuan):
    assert_error(county_api.get("/items/999999999"), 404, "item_id")


@pytest.mark.parametrize(
    "method, path",
    [("get", "/items"), ("get", "/items/1"), ("get", "/items/1/materials"), ("post", "/items")],
)
def test_without_a_token_the_catalog_answers_401(client, yiyuan, method, path):
    api = Api(client)
    response = api.get(path) if method == "get" else api.post(path, body(yiyuan))
    assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


# --- One item --------------------------------------------------------------------------------------


def test_an_item_in_full_with_its_materials_in_order(county_api, make_item):
    item = make_item()
    answer = county_api.get(f"/items/{item.pk}").json()
    ItemOut.model_validate(answer)
    assert answer["type"] == {
        "code": "07",
        "name": "公共服务",
        "system": "山东省政务服务事项管理系统",
    }
    assert answer["fee"] == {"charged": False, "note": ""}
    assert answer["guide"] == "符合条件的城乡居民持有效身份证件办理。"
    assert answer["version"] == "3"
    assert answer["revision"]["number"] == 1 and answer["revision"]["source"] == "app"
    assert [m["position"] for m in answer["materials"]] == [1, 2, 3]
    assert answer["materials"][0] == {
        "position": 1,
        "name": "居民身份证或户口簿",
        "kind": "certificate",
        "form": "paper",
        "necessity": "required",
        "source": "government",
        "originals": 1,
        "copies": 1,
        "standard": "",
        "notes": "",
        "has_blank_form": False,
        "has_sample": False,
        "blank_form_url": None,
        "sample_url": None,
    }
    assert answer["materials"][2]["necessity"] == "optional"


def test_a_material_file_is_linked_on_the_public_pages(county_api, make_item):
    materials = [replace(MATERIALS[1], blank_form="catalog/forms/2026/dengjibiao.pdf")]
    item = make_item(materials=materials)
    (material,) = county_api.get(f"/items/{item.pk}").json()["materials"]
    pk = item.current.materials.get().pk
    assert material["has_blank_form"] and not material["has_sample"]
    assert material["blank_form_url"] == f"http://testserver/p/materials/{pk}/blank_form/"
    assert material["sample_url"] is None


def test_files_the_public_pages_do_not_serve_have_no_link(county_api, make_item, yiyuan):
    materials = [replace(MATERIALS[1], sample="catalog/samples/2026/yangbiao.pdf")]
    item = make_item(materials=materials)
    actions.revise_item(
        item, data=item_data(yiyuan), materials=materials[:1] + MATERIALS[:1], by=None
    )
    (earlier,) = county_api.get(f"/items/{item.pk}/revisions/1").json()["materials"]
    assert earlier["has_sample"] and earlier["sample_url"] is None
    assert county_api.get(f"/items/{item.pk}").json()["materials"][0]["sample_url"]
    actions.set_item_active(item, active=False, by=None)
    (listed, _) = county_api.get(f"/items/{item.pk}/materials").json()["items"]
    assert listed["has_sample"] and listed["sample_url"] is None


def test_the_materials_of_an_item(county_api, make_item):
    item = make_item()
    answer = county_api.get(f"/items/{item.pk}/materials").json()
    assert answer["count"] == 3
    assert [m["name"] for m in answer["items"]] == [m.name for m in MATERIALS]


# --- Revisions -------------------------------------------------------------------------------------


def test_revisions_are_listed_latest_first(county_api, make_item, yiyuan):
    item = make_item()
    actions.revise_item(
        item,
        data=item_data(yiyuan, name="城乡居民医保参保登记"),
        materials=MATERIALS,
        by=None,
        note="简化名称",
    )
    answer = county_api.get(f"/items/{item.pk}/revisions").json()
    RevisionListOut.model_validate(answer)
    assert answer["count"] == 2
    assert [(r["number"], r["name"], r["current"]) for r in answer["items"]] == [
        (2, "城乡居民医保参保登记", True),
        (1, "城乡居民基本医疗保险参保登记", False),
    ]
    assert answer["items"][0]["note"] == "简化名称"


def test_an_earlier_revision_in_full(county_api, make_item, yiyuan):
    item = make_item()
    actions.revise_item(
        item, data=item_data(yiyuan, promised_limit=5), materials=MATERIALS[:1], by=None
    )
    first = county_api.get(f"/items/{item.pk}/revisions/1").json()
    ItemOut.model_validate(first)
    assert first["revision"]["number"] == 1
    assert first["promised_limit"] == {"value": 1, "unit": "working"}
    assert len(first["materials"]) == 3
    assert county_api.get(f"/items/{item.pk}").json()["promised_limit"]["value"] == 5


def test_an_unknown_revision_is_not_found(county_api, make_item):
    item = make_item()
    assert_error(county_api.get(f"/items/{item.pk}/revisions/2"), 404, "number")


# --- Creating --------------------------------------------------------------------------------------


def test_a_county_admin_creates_an_item(county_api, yiyuan):
    response = county_api.post(
        "/items", body(yiyuan, implementation_code="11370323mb0000000api001")
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    ItemOut.model_validate(answer)
    item = ServiceItem.objects.get(pk=answer["id"])
    assert item.implementation_code == answer["implementation_code"] == "11370323MB0000000API001"
    assert item.current.source == ItemRevision.Source.API
    assert answer["revision"]["number"] == 1
    assert [m["name"] for m in answer["materials"]] == [m.name for m in MATERIALS]


def test_a_city_admin_creates_an_item_in_one_of_its_counties(api_as, yiyuan):
    city_api = api_as(Role.REGION_ADMIN, yiyuan.county.parent)
    assert city_api.post("/items", body(yiyuan)).status_code == 201


def test_creating_an_item_in_an_unknown_county_is_not_found(county_api, yiyuan):
    assert_error(county_api.post("/items", body(yiyuan, county="379999")), 404, "county")


def test_creating_with_an_unknown_domain_is_not_found(county_api, yiyuan):
    assert_error(county_api.post("/items", body(yiyuan, domains=["astrology"])), 404, "domains")


def test_creating_with_a_department_outside_ones_counties_is_not_found(county_api, gaoqing, yiyuan):
    other = Department.objects.get(county=gaoqing)
    assert_error(county_api.post("/items", body(yiyuan, department=other.pk)), 404, "department")


# --- Revising --------------------------------------------------------------------------------------


def test_revising_makes_a_revision_and_keeps_the_old_one(county_api, yiyuan):
    created = county_api.post("/items", body(yiyuan)).json()
    new_state = put_body(body(yiyuan), promised_limit=3, note="承诺时限调整为 3 个工作日")
    new_state["materials"].append({"name": "委托书", "kind": "form", "originals": 1})
    response = county_api.put(f"/items/{created['id']}", new_state)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["revision"]["number"] == 2
    assert answer["revision"]["note"] == "承诺时限调整为 3 个工作日"
    assert answer["promised_limit"]["value"] == 3 and len(answer["materials"]) == 4
    first = county_api.get(f"/items/{created['id']}/revisions/1").json()
    assert first["promised_limit"]["value"] == 1 and len(first["materials"]) == 3


def test_sending_the_same_state_adds_no_revision(county_api, yiyuan):
    created = county_api.post("/items", body(yiyuan)).json()
    response = county_api.put(f"/items/{created['id']}", put_body(body(yiyuan)))
    assert response.status_code == 200
    assert response.json()["revision"]["number"] == 1
    assert ItemRevision.objects.filter(item_id=created["id"]).count() == 1


def test_revising_keeps_the_file_of_a_material_of_the_same_name(county_api, make_item, yiyuan):
    materials = [replace(m, blank_form="catalog/forms/2026/dengjibiao.pdf") for m in MATERIALS[1:2]]
    item = make_item(materials=materials)
    new_state = put_body(body(yiyuan), materials=[body(yiyuan)["materials"][1] | {"copies": 1}])
    answer = county_api.put(f"/items/{item.pk}", new_state).json()
    assert answer["revision"]["number"] == 2
    assert answer["materials"][0]["blank_form_url"].endswith("/blank_form/")
    assert item.revisions.get(number=2).materials.get().blank_form.name == (
        "catalog/forms/2026/dengjibiao.pdf"
    )


def test_taking_an_item_out_of_use_and_back(county_api, make_item):
    item = make_item()
    answer = county_api.post(f"/items/{item.pk}/active", {"active": False}).json()
    assert answer["active"] is False and answer["revision"]["number"] == 1
    assert county_api.get("/items").json()["count"] == 0
    assert county_api.post(f"/items/{item.pk}/active", {"active": True}).json()["active"] is True


# --- Rules of the catalog (409) --------------------------------------------------------------------


def test_promised_limit_above_legal_is_a_rule_error_at_the_field(county_api, yiyuan):
    response = county_api.post("/items", body(yiyuan, legal_limit=5, promised_limit=10))
    (error,) = assert_error(response, 409)
    assert error["loc"] == ["body", "promised_limit"] and error["type"] == "rule"
    assert not ServiceItem.objects.exists()


def test_promised_limit_above_legal_in_another_unit_is_accepted(county_api, yiyuan):
    changes = {"legal_limit": 5, "promised_limit": 10, "promised_limit_unit": "natural"}
    assert county_api.post("/items", body(yiyuan, **changes)).status_code == 201


def test_a_second_item_with_the_same_implementation_code_is_refused(county_api, yiyuan):
    assert county_api.post("/items", body(yiyuan)).status_code == 201
    (error,) = assert_error(county_api.post("/items", body(yiyuan)), 409)
    assert error["loc"] == ["body", "implementation_code"]


def test_a_duplicate_material_name_is_located_at_the_material(county_api, yiyuan):
    materials = body(yiyuan)["materials"]
    materials[2]["name"] = materials[0]["name"]
    (error,) = assert_error(county_api.post("/items", body(yiyuan, materials=materials)), 409)
    assert error["loc"] == ["body", "materials", 2, "name"]
    assert "第 1 项" in error["msg"]


def test_a_paper_material_without_copies_is_located_at_the_material(county_api, yiyuan):
    materials = body(yiyuan)["materials"]
    materials[1]["originals"] = 0
    (error,) = assert_error(county_api.post("/items", body(yiyuan, materials=materials)), 409)
    assert error["loc"] == ["body", "materials", 1, "copies"]


def test_a_department_of_another_county_is_a_rule_error(api_as, gaoqing, yiyuan):
    city_api = api_as(Role.REGION_ADMIN, yiyuan.county.parent)
    other = Department.objects.get(county=gaoqing)
    (error,) = assert_error(city_api.post("/items", body(yiyuan, department=other.pk)), 409)
    assert error["loc"] == ["body", "department"]


def test_every_rule_broken_is_named_at_once(county_api, yiyuan):
    changes = {"legal_limit": 1, "promised_limit": 2, "fee_charged": True, "name": "   "}
    errors = assert_error(county_api.post("/items", body(yiyuan, **changes)), 409)
    assert {tuple(e["loc"]) for e in errors} == {
        ("body", "promised_limit"),
        ("body", "fee_note"),
        ("body", "name"),
    }


def test_a_rule_error_on_revising_leaves_the_item_as_it_was(county_api, make_item, yiyuan):
    item = make_item()
    response = county_api.put(f"/items/{item.pk}", put_body(body(yiyuan), promised_limit=30))
    assert_error(response, 409, "promised_limit")
    assert item.revisions.count() == 1


# --- Malformed input (422) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, loc, kind",
    [
        ({"name": "事" * 201}, ["body", "name"], "string_too_long"),
        ({"name": "医保\x00登记"}, ["body", "name"], "string_pattern_mismatch"),
        ({"guide": "第一段\x07"}, ["body", "guide"], "string_pattern_mismatch"),
        ({"modes": ["by_post"]}, ["body", "modes", 0], "literal_error"),
        ({"levels": []}, ["body", "levels"], "too_short"),
        ({"legal_limit": 3651}, ["body", "legal_limit"], "less_than_equal"),
        ({"promised_limit": -1}, ["body", "promised_limit"], "greater_than_equal"),
        ({"legal_limit_unit": "weeks"}, ["body", "legal_limit_unit"], "literal_error"),
        ({"basic_code": "00017200700"}, ["body", "basic_code"], "string_too_short"),
        ({"county": "3703"}, ["body", "county"], "string_too_short"),
        ({"colour": "red"}, ["body", "colour"], "extra_forbidden"),
    ],
)
def test_malformed_bodies_are_refused_by_the_schema(county_api, yiyuan, changes, loc, kind):
    errors = assert_error(county_api.post("/items", body(yiyuan, **changes)), 422)
    assert {"loc": loc, "type": kind} in [{"loc": e["loc"], "type": e["type"]} for e in errors]
    assert not ServiceItem.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"originals": 100}, "originals"),
        ({"necessity": "sometimes"}, "necessity"),
        ({"notes": "备注\n第二行"}, "notes"),
        ({"position": 3}, "position"),
    ],
)
def test_malformed_materials_are_refused_at_the_material(county_api, yiyuan, changes, field):
    materials = body(yiyuan)["materials"]
    materials[1].update(changes)
    errors = assert_error(county_api.post("/items", body(yiyuan, materials=materials)), 422)
    assert ["body", "materials", 1, field] in [e["loc"] for e in errors]


def test_the_guide_keeps_its_line_breaks(county_api, yiyuan):
    guide = "一、办理条件\n符合条件的城乡居民。\n\t二、办理流程"
    assert county_api.post("/items", body(yiyuan, guide=guide)).json()["guide"] == guide


def test_revising_needs_the_whole_state(county_api, make_item):
    item = make_item()
    errors = assert_error(county_api.put(f"/items/{item.pk}", {"promised_limit": 3}), 422)
    assert ["body", "materials"] in [e["loc"] for e in errors]
    assert item.revisions.count() == 1
