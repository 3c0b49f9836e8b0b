"""The catalog pages: the list (search, filters, fixed query count), the item page, an older
revision, new and edit through the form (errors in Chinese, nothing changed on failure), taking an
item out of use, the printable one-time notice list with its QR code, and who may do what."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangban.catalog import actions
from bangban.catalog.models import ItemRevision, Material, ServiceItem
from bangban.catalog.qr import qr_matrix, qr_svg
from bangban.network.models import Department, Domain, Region, Role
from tests.pages import page_text as text

from .conftest import MATERIALS, item_data

PDF = b"%PDF-1.4 blank form\n"
PNG = b"\x89PNG\r\n\x1a\n sample"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def county_admin(yiyuan, make_account):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


@pytest.fixture
def helper(yiyuan, make_account):
    return make_account(Role.HELPER, yiyuan.station("鲁村镇"))


@pytest.fixture
def item(make_item):
    return make_item()


@pytest.fixture
def other_county(yiyuan):
    county = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=yiyuan.county.parent
    )
    Department.objects.create(county=county, name="高青县医疗保障局")
    return county


def make_other_item(yiyuan, county, name="高青县居民医保参保登记"):
    return actions.create_item(
        county,
        implementation_code="11370322MB00000001",
        data=item_data(yiyuan, department=Department.objects.get(county=county), name=name),
        materials=MATERIALS,
        by=None,
    )


def listed(body: str, *items) -> set[int]:
    """Which of `items` the list page links to."""
    return {i.pk for i in items if f'href="/catalog/{i.pk}/"' in body}


# --- The list -------------------------------------------------------------------------------------


def test_list_shows_name_department_domains_limits_and_modes(client, item, helper):
    client.force_login(helper)
    body = text(client.get(reverse("catalog:items")))
    assert "城乡居民基本医疗保险参保登记" in body
    assert "县医疗保障局" in body
    assert "医保" in body
    assert "1 个工作日" in body
    assert "20 个工作日" in body
    assert "掌上办" in body and "网上办" in body and "现场办" in body


def test_a_limit_of_zero_reads_on_the_spot(client, make_item, helper):
    make_item(promised_limit=0)
    client.force_login(helper)
    assert "即办" in text(client.get(reverse("catalog:items")))


def test_search_finds_an_item_by_a_chinese_substring(client, make_item, helper):
    insurance = make_item()
    marriage = make_item(name="内地居民婚姻登记")
    client.force_login(helper)
    body = text(client.get(reverse("catalog:items"), {"q": "婚姻"}))
    assert listed(body, insurance, marriage) == {marriage.pk}


def test_search_finds_an_item_by_its_implementation_code(client, make_item, helper):
    wanted = make_item(code="11370323MB99999999")
    other = make_item()
    client.force_login(helper)
    body = text(client.get(reverse("catalog:items"), {"q": "11370323mb9999"}))
    assert listed(body, wanted, other) == {wanted.pk}


def test_filter_by_domain(client, make_item, helper):
    insurance = make_item()
    tax = make_item(name="个人所得税申报", domains=frozenset({Domain.objects.get(code="tax")}))
    client.force_login(helper)
    domain = Domain.objects.get(code="tax")
    body = text(client.get(reverse("catalog:items"), {"domain": domain.pk}))
    assert listed(body, insurance, tax) == {tax.pk}


def test_filter_by_mode(client, make_item, helper):
    online = make_item()
    home = make_item(name="上门服务事项", modes=frozenset({"home_visit"}))
    client.force_login(helper)
    body = text(client.get(reverse("catalog:items"), {"mode": "home_visit"}))
    assert listed(body, online, home) == {home.pk}


def test_filter_by_level(client, make_item, helper):
    everywhere = make_item()
    county_only = make_item(name="仅县级办理事项", levels=frozenset({"county"}))
    client.force_login(helper)
    body = text(client.get(reverse("catalog:items"), {"level": "village"}))
    assert listed(body, everywhere, county_only) == {everywhere.pk}


def test_county_filter_appears_for_a_user_seeing_several_counties(
    client, yiyuan, item, other_county, make_account
):
    theirs = make_other_item(yiyuan, other_county)
    city_admin = make_account(Role.REGION_ADMIN, yiyuan.county.parent)
    client.force_login(city_admin)
    all_body = text(client.get(reverse("catalog:items")))
    assert listed(all_body, item, theirs) == {item.pk, theirs.pk}
    assert 'name="county"' in all_body
    body = text(client.get(reverse("catalog:items"), {"county": other_county.pk}))
    assert listed(body, item, theirs) == {theirs.pk}


def test_the_list_is_by_county_then_implementation_code(
    client, yiyuan, other_county, make_item, make_account
):
    later = make_item(code="11370323MB0000009000002")
    earlier = make_item(code="11370323MB0000009000001")
    first = make_other_item(yiyuan, other_county)  # 370322 comes before 370323
    client.force_login(make_account(Role.REGION_ADMIN, yiyuan.county.parent))
    body = text(client.get(reverse("catalog:items")))
    places = [body.index(f'href="/catalog/{i.pk}/"') for i in (first, earlier, later)]
    assert places == sorted(places)


def test_a_user_of_one_county_gets_no_county_filter(client, item, helper):
    client.force_login(helper)
    assert 'name="county"' not in text(client.get(reverse("catalog:items")))


@pytest.mark.parametrize(
    "query",
    [
        {"domain": "abc"},
        {"mode": "flying"},
        {"level": "moon"},
        {"county": "999999"},
        {"page": "abc"},
        {"page": "99999"},
        {"q": "x" * 500},
    ],
)
def test_bad_filter_values_are_ignored_never_a_server_error(client, item, helper, query):
    client.force_login(helper)
    response = client.get(reverse("catalog:items"), query)
    assert response.status_code == 200
    assert listed(text(response), item) == {item.pk}


def test_a_nul_in_the_search_is_a_bad_request_never_a_server_error(client, item, helper):
    """Refused for every page at once (bangban/errors.py, decision 0031)."""
    client.force_login(helper)
    response = client.get(reverse("catalog:items"), {"q": "医保\x00"})
    assert response.status_code == 400
    assert "请求有误" in text(response, 400)


def test_a_bad_filter_value_is_named_in_chinese(client, item, helper):
    client.force_login(helper)
    body = text(client.get(reverse("catalog:items"), {"mode": "flying"}))
    assert "办理方式" in body and "（已忽略此条件）" in body


def test_items_out_of_use_are_hidden_from_helpers_even_when_asked(
    client, make_item, helper, county_admin
):
    gone = make_item()
    actions.set_item_active(gone, active=False, by=county_admin)
    client.force_login(helper)
    body = text(client.get(reverse("catalog:items"), {"inactive": "on"}))
    assert listed(body, gone) == set()
    assert "显示已停用" not in body


def test_editors_see_items_out_of_use_only_when_asked(client, make_item, county_admin):
    gone = make_item()
    actions.set_item_active(gone, active=False, by=county_admin)
    client.force_login(county_admin)
    assert listed(text(client.get(reverse("catalog:items"))), gone) == set()
    body = text(client.get(reverse("catalog:items"), {"inactive": "on"}))
    assert listed(body, gone) == {gone.pk}
    assert "已停用" in body


def test_editors_get_new_import_and_template_buttons(client, county_admin):
    client.force_login(county_admin)
    body = text(client.get(reverse("catalog:items")))
    for url in ("catalog:item_new", "catalog:import", "catalog:template", "catalog:export"):
        assert f'href="{reverse(url)}"' in body


def test_helpers_get_only_the_export_button(client, helper):
    client.force_login(helper)
    body = text(client.get(reverse("catalog:items")))
    assert f'href="{reverse("catalog:export")}"' in body
    for url in ("catalog:item_new", "catalog:import", "catalog:template"):
        assert f'href="{reverse(url)}"' not in body


def test_export_link_carries_the_filters(client, item, helper):
    client.force_login(helper)
    body = text(client.get(reverse("catalog:items"), {"q": "医保", "page": "1"}))
    assert f'href="{reverse("catalog:export")}?q=%E5%8C%BB%E4%BF%9D"' in body


@pytest.mark.parametrize("count", [1, 6])
def test_list_query_count_is_fixed(
    client, make_item, county_admin, django_assert_num_queries, count
):
    for _ in range(count):
        make_item()
    client.force_login(county_admin)
    url = reverse("catalog:items")
    client.get(url)
    with django_assert_num_queries(9):
        response = client.get(url, {"q": "医疗", "inactive": "on"})
    assert response.status_code == 200


def test_the_list_needs_a_login(client):
    response = client.get(reverse("catalog:items"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- Who may see and change -----------------------------------------------------------------------


def _binding(yiyuan, role):
    return {
        Role.REGION_ADMIN: yiyuan.county,
        Role.SUPERVISOR: yiyuan.county,
        Role.SPECIAL_SUPERVISOR: yiyuan.county,
        Role.DEPARTMENT_ADMIN: yiyuan.department("县医疗保障局"),
        Role.TOWN_ADMIN: yiyuan.town("鲁村镇"),
        Role.PARTNER_ADMIN: yiyuan.organisation("沂源农村商业银行"),
        Role.POINT_LEAD: yiyuan.station("鲁村镇"),
        Role.HELPER: yiyuan.station("鲁村镇"),
    }[role]


@pytest.mark.parametrize("role", Role.values)
def test_everyone_in_the_county_sees_the_item_and_its_print_page(
    role, client, yiyuan, item, make_account
):
    """Everyone working in the county; a special supervisor (特邀监督员) reads the public catalog."""
    client.force_login(make_account(role, _binding(yiyuan, role)))
    expected = 404 if role == Role.SPECIAL_SUPERVISOR else 200
    assert client.get(reverse("catalog:item", args=[item.pk])).status_code == expected
    assert client.get(reverse("catalog:item_print", args=[item.pk])).status_code == expected


@pytest.mark.parametrize("role", Role.values)
def test_only_a_region_admin_may_edit(role, client, yiyuan, item, make_account):
    client.force_login(make_account(role, _binding(yiyuan, role)))
    expected = 200 if role == Role.REGION_ADMIN else 404
    assert client.get(reverse("catalog:item_edit", args=[item.pk])).status_code == expected
    assert client.get(reverse("catalog:item_new")).status_code == expected
    if role == Role.SPECIAL_SUPERVISOR:
        return  # the item itself is not theirs to see (above)
    body = text(client.get(reverse("catalog:item", args=[item.pk])))
    assert (reverse("catalog:item_edit", args=[item.pk]) in body) is (role == Role.REGION_ADMIN)


@pytest.mark.parametrize("role", [Role.TOWN_ADMIN, Role.HELPER, Role.SUPERVISOR])
def test_others_may_not_take_an_item_out_of_use(role, client, yiyuan, item, make_account):
    client.force_login(make_account(role, _binding(yiyuan, role)))
    response = client.post(reverse("catalog:item_active", args=[item.pk]), {"active": "0"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.active


def test_an_admin_of_another_county_gets_404_on_view(client, item, other_county, make_account):
    client.force_login(make_account(Role.REGION_ADMIN, other_county))
    for name in ("catalog:item", "catalog:item_print", "catalog:item_edit"):
        assert client.get(reverse(name, args=[item.pk])).status_code == 404
    assert client.get(reverse("catalog:revision", args=[item.pk, 1])).status_code == 404
    assert listed(text(client.get(reverse("catalog:items"))), item) == set()


def test_a_missing_item_is_404(client, helper):
    client.force_login(helper)
    assert client.get(reverse("catalog:item", args=[999999])).status_code == 404


# --- The item page --------------------------------------------------------------------------------


def test_item_page_tells_everything_at_first_contact(client, yiyuan, make_item, helper):
    found = make_item(
        guide="第一行说明\n第二行说明",
        materials=[
            *MATERIALS,
            actions.MaterialData(
                name="营业执照复印件",
                necessity=Material.Necessity.DEFERRABLE,
                copies=2,
                standard="加盖公章",
            ),
        ],
    )
    client.force_login(helper)
    body = text(client.get(reverse("catalog:item", args=[found.pk])))
    assert found.implementation_code in body and "000172007000" in body
    assert "公共服务" in body and "山东省政务服务事项管理系统" in body
    assert yiyuan.subzone("medical_insurance").name in body
    assert "各镇（街道）便民服务中心" in body and "各村（社区）便民服务站" in body
    assert "合作网点" not in body.split("办理地点")[1].split("申请材料")[0]
    assert "上门办：不支持" in body
    assert "帮办代办服务全程免费" in body
    assert "原件 1 份、复印件 1 份" in body
    assert "复印件 2 份" in body
    assert '<span class="deferrable-badge">容缺后补</span>' in body
    assert "加盖公章" in body
    assert "第一行说明<br>第二行说明" in body
    assert "20 个工作日" in body and "1 个工作日" in body


def test_item_page_lists_the_department_window(client, yiyuan, make_item, helper):
    from bangban.network.models import ServicePoint

    window = ServicePoint.objects.filter(kind=ServicePoint.Kind.DEPARTMENT_WINDOW).first()
    found = make_item(
        department=window.department,
        domains=frozenset({Domain.objects.get(code="comprehensive_acceptance")}),
        levels=frozenset({"county"}),
    )
    client.force_login(helper)
    body = text(client.get(reverse("catalog:item", args=[found.pk])))
    assert window.name in body
    assert window.phone in body


def test_item_page_links_blank_forms_through_the_public_download(client, make_item, helper):
    found = make_item(
        materials=[
            actions.MaterialData(
                name="申请表", originals=1, blank_form=SimpleUploadedFile("申请表.pdf", PDF)
            )
        ]
    )
    material = found.current.materials.get()
    client.force_login(helper)
    body = text(client.get(reverse("catalog:item", args=[found.pk])))
    assert reverse("portal:material_file", args=[material.pk, "blank_form"]) in body


def test_item_page_shows_the_revision_history(client, item, county_admin):
    actions.revise_item(
        item,
        data=replace(item_data_of(item), name="新的名称"),
        materials=MATERIALS,
        by=county_admin,
        note="依据新版实施清单",
    )
    client.force_login(county_admin)
    body = text(client.get(reverse("catalog:item", args=[item.pk])))
    assert "依据新版实施清单" in body
    assert reverse("catalog:revision", args=[item.pk, 1]) in body
    assert "测试用户" in body


def item_data_of(item):
    return actions.ItemData.of(ServiceItem.objects.get(pk=item.pk).current)


def test_an_older_revision_is_shown_read_only_and_marked_historical(client, item, county_admin):
    actions.revise_item(
        item, data=replace(item_data_of(item), name="新的名称"), materials=MATERIALS, by=None
    )
    client.force_login(county_admin)
    body = text(client.get(reverse("catalog:revision", args=[item.pk, 1])))
    assert "历史版本" in body
    assert "城乡居民基本医疗保险参保登记" in body
    assert reverse("catalog:item", args=[item.pk]) in body
    assert reverse("catalog:item_edit", args=[item.pk]) not in body


def test_the_current_revision_number_leads_to_the_item_page(client, item, helper):
    client.force_login(helper)
    response = client.get(reverse("catalog:revision", args=[item.pk, 1]))
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:item", args=[item.pk])


def test_a_missing_revision_is_404(client, item, helper):
    client.force_login(helper)
    assert client.get(reverse("catalog:revision", args=[item.pk, 7])).status_code == 404


# --- New and edit ---------------------------------------------------------------------------------

FIELDS = ("name", "kind", "form", "necessity", "source", "originals", "copies", "standard", "notes")


def post_data(yiyuan, *, code=None, materials=(), note=None, initial=(), **changes) -> dict:
    """What the item form posts: the item's fields from `item_data(**changes)`, then the
    materials formset (`initial` rows are existing materials, by id, followed by `materials`)."""
    data = item_data(yiyuan, **changes)
    post = {
        "basic_code": data.basic_code,
        "version": data.version,
        "name": data.name,
        "type_code": data.type_code,
        "type_name": data.type_name,
        "type_system": data.type_system,
        "department": data.department.pk,
        "domains": [d.pk for d in data.domains],
        "levels": sorted(data.levels),
        "modes": sorted(data.modes),
        "legal_limit": data.legal_limit,
        "legal_limit_unit": data.legal_limit_unit,
        "promised_limit": data.promised_limit,
        "promised_limit_unit": data.promised_limit_unit,
        "guide": data.guide,
        "fee_note": data.fee_note,
    }
    if data.fee_charged:
        post["fee_charged"] = "on"
    if code is not None:
        post["implementation_code"] = code
    if note is not None:
        post["note"] = note
    rows = list(initial) + list(materials)
    post.update(
        {
            "materials-TOTAL_FORMS": len(rows),
            "materials-INITIAL_FORMS": len(initial),
            "materials-MIN_NUM_FORMS": 0,
            "materials-MAX_NUM_FORMS": 1000,
        }
    )
    for index, row in enumerate(rows):
        for name, value in row.items():
            post[f"materials-{index}-{name}"] = value
    return post


def material_row(m: actions.MaterialData, **extra) -> dict:
    row = {name: getattr(m, name) for name in FIELDS}
    row.update(extra)
    return row


def existing_rows(item, changes_by_position: dict[int, dict] | None = None) -> list[dict]:
    """The current materials as the edit form posts them, with changes by position."""
    changes_by_position = changes_by_position or {}
    rows = []
    for m in item.current.materials.order_by("position"):
        row = material_row(actions.MaterialData.of(m), existing=m.pk, ORDER=m.position)
        row.update(changes_by_position.get(m.position, {}))
        rows.append(row)
    return rows


def test_a_region_admin_creates_an_item_through_the_form(client, yiyuan, county_admin):
    client.force_login(county_admin)
    rows = [material_row(m) for m in MATERIALS]
    rows[1]["blank_form"] = SimpleUploadedFile("参保登记表.pdf", PDF)
    response = client.post(
        reverse("catalog:item_new"), post_data(yiyuan, code="11370323mb0000000777", materials=rows)
    )
    created = ServiceItem.objects.get(implementation_code="11370323MB0000000777")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:item", args=[created.pk])
    revision = created.current
    assert revision.number == 1 and revision.created_by == county_admin
    assert revision.source == ItemRevision.Source.APP
    assert [m.name for m in revision.materials.all()] == [m.name for m in MATERIALS]
    assert revision.materials.get(position=2).blank_form.read() == PDF
    assert set(revision.modes) == {"on_site", "online", "mobile"}


def test_materials_follow_the_order_given(client, yiyuan, county_admin):
    client.force_login(county_admin)
    rows = [material_row(m, ORDER=n) for m, n in zip(MATERIALS, (3, 1, 2), strict=True)]
    client.post(reverse("catalog:item_new"), post_data(yiyuan, code="ORDER1", materials=rows))
    revision = ServiceItem.objects.get(implementation_code="ORDER1").current
    assert [m.name for m in revision.materials.all()] == [
        MATERIALS[1].name,
        MATERIALS[2].name,
        MATERIALS[0].name,
    ]


def test_blank_extra_rows_are_not_materials(client, yiyuan, county_admin):
    client.force_login(county_admin)
    empty = {"name": "", "kind": "other", "form": "paper", "necessity": "required"}
    empty |= {"source": "applicant", "originals": 0, "copies": 0}
    rows = [material_row(MATERIALS[0]), empty, empty]
    client.post(reverse("catalog:item_new"), post_data(yiyuan, code="EXTRA1", materials=rows))
    assert ServiceItem.objects.get(implementation_code="EXTRA1").current.materials.count() == 1


def test_form_errors_are_in_chinese_next_to_the_field_and_nothing_is_created(
    client, yiyuan, county_admin
):
    client.force_login(county_admin)
    rows = [material_row(MATERIALS[0]), material_row(MATERIALS[0])]
    before = ServiceItem.objects.count()
    response = client.post(
        reverse("catalog:item_new"),
        post_data(
            yiyuan, code="BAD1", materials=rows, promised_limit=30, basic_code="123", modes=[]
        ),
    )
    body = text(response)
    assert response.status_code == 200
    assert ServiceItem.objects.count() == before
    assert "没有保存，请修改下面标出的内容。" in body
    assert re.search(
        r'id="id_promised_limit_error">\s*<li>承诺办结时限不能超过法定办结时限。', body
    )
    assert re.search(r'id="id_basic_code_error"><li>基本编码应为 12 位。', body)
    assert re.search(r'id="id_modes_error"><li>至少选择一种办理方式。', body)
    assert re.search(r'id="id_materials-1-name_error"><li>材料名称与第 1 项重复。', body)


def test_a_bad_upload_is_refused_in_chinese(client, yiyuan, county_admin):
    client.force_login(county_admin)
    rows = [material_row(MATERIALS[0], blank_form=SimpleUploadedFile("a.exe", b"MZ..."))]
    response = client.post(
        reverse("catalog:item_new"), post_data(yiyuan, code="BADFILE", materials=rows)
    )
    assert "不支持该文件类型" in text(response)
    assert not ServiceItem.objects.filter(implementation_code="BADFILE").exists()


def test_new_asks_for_the_county_when_the_admin_keeps_several(
    client, yiyuan, other_county, make_account
):
    city_admin = make_account(Role.REGION_ADMIN, yiyuan.county.parent)
    client.force_login(city_admin)
    body = text(client.get(reverse("catalog:item_new")))
    assert "事项属于哪个县（区）？" in body and "高青县" in body
    form = text(client.get(reverse("catalog:item_new"), {"county": other_county.pk}))
    assert "高青县医疗保障局" in form
    assert "县医疗保障局</option>" not in form.replace("高青县医疗保障局</option>", "")


def test_a_department_of_another_county_is_refused(client, yiyuan, other_county, county_admin):
    client.force_login(county_admin)
    post = post_data(yiyuan, code="DEPT1", materials=[material_row(MATERIALS[0])])
    post["department"] = Department.objects.get(county=other_county).pk
    response = client.post(reverse("catalog:item_new"), post)
    assert re.search(r'id="id_department_error">', text(response))
    assert not ServiceItem.objects.filter(implementation_code="DEPT1").exists()


def test_editing_adds_a_revision_and_leaves_the_old_one_unchanged(
    client, yiyuan, item, county_admin
):
    client.force_login(county_admin)
    post = post_data(
        yiyuan,
        name="城乡居民医保参保登记（修订）",
        promised_limit=0,
        initial=existing_rows(item, {1: {"copies": 2}}),
        note="复印件改为两份",
    )
    response = client.post(reverse("catalog:item_edit", args=[item.pk]), post)
    assert response.status_code == 302
    item.refresh_from_db()
    first = item.revisions.get(number=1)
    assert item.current.number == 2
    assert item.current.name == "城乡居民医保参保登记（修订）"
    assert item.current.note == "复印件改为两份"
    assert item.current.materials.get(position=1).copies == 2
    assert first.name == "城乡居民基本医疗保险参保登记"
    assert first.promised_limit == 1
    assert first.materials.get(position=1).copies == 1


def test_the_edit_form_is_filled_with_the_current_revision(client, item, county_admin):
    client.force_login(county_admin)
    body = text(client.get(reverse("catalog:item_edit", args=[item.pk])))
    assert 'value="城乡居民基本医疗保险参保登记"' in body
    assert 'value="居民身份证或户口簿"' in body
    assert 'name="materials-TOTAL_FORMS" value="6"' in body  # 3 materials + 3 empty rows


def test_saving_without_change_adds_no_revision(client, yiyuan, item, county_admin):
    client.force_login(county_admin)
    post = post_data(yiyuan, initial=existing_rows(item))
    response = client.post(reverse("catalog:item_edit", args=[item.pk]), post, follow=True)
    assert "内容没有变化，未新增版本。" in text(response)
    assert item.revisions.count() == 1


def test_a_failed_edit_changes_nothing(client, yiyuan, item, county_admin):
    client.force_login(county_admin)
    post = post_data(yiyuan, initial=existing_rows(item, {2: {"name": ""}}), name="改名")
    response = client.post(reverse("catalog:item_edit", args=[item.pk]), post)
    assert response.status_code == 200
    assert re.search(r'id="id_materials-1-name_error"><li>这个字段是必填项。', text(response))
    item.refresh_from_db()
    assert item.revisions.count() == 1
    assert item.current.name == "城乡居民基本医疗保险参保登记"


def test_an_edit_keeps_files_not_uploaded_again_even_when_renamed(
    client, yiyuan, make_item, county_admin
):
    found = make_item(
        materials=[
            actions.MaterialData(
                name="申请表",
                originals=1,
                blank_form=SimpleUploadedFile("申请表.pdf", PDF),
                sample=SimpleUploadedFile("样表.png", PNG),
            )
        ]
    )
    old = found.current.materials.get()
    client.force_login(county_admin)
    post = post_data(yiyuan, initial=existing_rows(found, {1: {"name": "参保申请表"}}))
    client.post(reverse("catalog:item_edit", args=[found.pk]), post)
    found.refresh_from_db()
    new = found.current.materials.get()
    assert found.current.number == 2
    assert new.name == "参保申请表"
    assert new.blank_form.name == old.blank_form.name
    assert new.sample.name == old.sample.name


def test_an_uploaded_file_replaces_and_a_cleared_one_goes(client, yiyuan, make_item, county_admin):
    found = make_item(
        materials=[
            actions.MaterialData(
                name="申请表",
                originals=1,
                blank_form=SimpleUploadedFile("旧表.pdf", PDF),
                sample=SimpleUploadedFile("样表.png", PNG),
            )
        ]
    )
    old = found.current.materials.get()
    client.force_login(county_admin)
    changes = {"blank_form": SimpleUploadedFile("新表.pdf", PDF + b"v2"), "clear_sample": "on"}
    post = post_data(yiyuan, initial=existing_rows(found, {1: changes}))
    client.post(reverse("catalog:item_edit", args=[found.pk]), post)
    found.refresh_from_db()
    new = found.current.materials.get()
    assert new.blank_form.name != old.blank_form.name
    assert new.blank_form.read() == PDF + b"v2"
    assert not new.sample
    assert found.revisions.get(number=1).materials.get().sample.name == old.sample.name


def test_a_material_is_deleted_by_its_checkbox(client, yiyuan, item, county_admin):
    client.force_login(county_admin)
    post = post_data(yiyuan, initial=existing_rows(item, {3: {"DELETE": "on"}}))
    client.post(reverse("catalog:item_edit", args=[item.pk]), post)
    item.refresh_from_db()
    assert [m.name for m in item.current.materials.all()] == [m.name for m in MATERIALS[:2]]


def test_a_forged_existing_id_carries_no_file_from_another_item(
    client, yiyuan, item, make_item, county_admin
):
    other = make_item(
        materials=[
            actions.MaterialData(
                name="别的表", originals=1, blank_form=SimpleUploadedFile("x.pdf", PDF)
            )
        ]
    )
    foreign = other.current.materials.get()
    client.force_login(county_admin)
    rows = existing_rows(item)
    rows.append(material_row(MATERIALS[0], name="新增材料", existing=foreign.pk))
    client.post(reverse("catalog:item_edit", args=[item.pk]), post_data(yiyuan, initial=rows))
    item.refresh_from_db()
    assert not item.current.materials.get(name="新增材料").blank_form


def test_the_add_row_button_saves_nothing_and_adds_a_row(client, yiyuan, item, county_admin):
    client.force_login(county_admin)
    post = post_data(yiyuan, initial=existing_rows(item), name="不该保存")
    post["add_row"] = "1"
    response = client.post(reverse("catalog:item_edit", args=[item.pk]), post)
    assert 'name="materials-TOTAL_FORMS" value="4"' in text(response)
    assert item.revisions.count() == 1


# --- Taking an item out of use --------------------------------------------------------------------


def test_a_region_admin_takes_an_item_out_of_use_and_back(client, item, county_admin):
    client.force_login(county_admin)
    url = reverse("catalog:item_active", args=[item.pk])
    response = client.post(url, {"active": "0"}, follow=True)
    item.refresh_from_db()
    assert not item.active
    assert "已停用" in text(response)
    client.post(url, {"active": "1"})
    item.refresh_from_db()
    assert item.active
    assert item.revisions.count() == 1


def test_taking_out_of_use_needs_a_post(client, item, county_admin):
    client.force_login(county_admin)
    assert client.get(reverse("catalog:item_active", args=[item.pk])).status_code == 405


def test_taking_out_of_use_needs_the_csrf_token(item, county_admin):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(county_admin)
    response = client.post(reverse("catalog:item_active", args=[item.pk]), {"active": "0"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.active


# --- The printable one-time notice list -----------------------------------------------------------


def test_print_page_names_the_helpers_own_point_with_its_phone(client, yiyuan, item, helper):
    station = yiyuan.station("鲁村镇")
    station.phone = "0533-3999001"
    station.save()
    client.force_login(helper)
    body = text(client.get(reverse("catalog:item_print", args=[item.pk])))
    assert "一次性告知清单" in body
    assert station.name in body and "0533-3999001" in body
    assert item.implementation_code in body
    assert "帮办代办服务全程免费" in body
    assert "原件 1 份、复印件 1 份" in body


def test_print_page_names_the_helper_who_told_with_their_work_phone(client, item, helper):
    from bangban.staff.actions import save_helper
    from bangban.staff.models import Helper

    save_helper(
        helper,
        by=None,
        origin=Helper.Origin.WINDOW,
        started_on=dt.date(2020, 1, 1),
        full_time=True,
        work_phone="0533-3999002",
    )
    client.force_login(helper)
    body = text(client.get(reverse("catalog:item_print", args=[item.pk])))
    assert "测试用户（0533-3999002）" in body


def test_print_page_carries_a_qr_code_of_the_public_item_page(client, item, helper):
    client.force_login(helper)
    body = text(client.get(reverse("catalog:item_print", args=[item.pk])))
    url = f"http://testserver/p/items/{item.pk}/"
    assert f'data-qr="{url}"' in body
    assert str(qr_svg(url, label="扫码查看事项办事指南")) in body


def test_print_page_defaults_to_the_county_centre_without_a_point(
    client, yiyuan, item, county_admin
):
    client.force_login(county_admin)
    body = text(client.get(reverse("catalog:item_print", args=[item.pk])))
    centre = yiyuan.centre
    assert centre.name in body and centre.phone in body


def test_print_page_uses_a_chosen_visible_point(client, yiyuan, item, county_admin):
    subzone = yiyuan.subzone("medical_insurance")
    client.force_login(county_admin)
    body = text(client.get(reverse("catalog:item_print", args=[item.pk]), {"point": subzone.pk}))
    assert subzone.name in body and subzone.phone in body


def test_print_page_refuses_a_point_the_user_may_not_see(client, yiyuan, item, helper):
    client.force_login(helper)
    other = yiyuan.station("南麻街道")
    response = client.get(reverse("catalog:item_print", args=[item.pk]), {"point": other.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("point", ["abc", "", "-1", "１２"])
def test_print_page_ignores_a_point_that_is_no_number(client, yiyuan, item, helper, point):
    client.force_login(helper)
    response = client.get(reverse("catalog:item_print", args=[item.pk]), {"point": point})
    assert response.status_code == 200
    assert yiyuan.station("鲁村镇").name in text(response)


def test_print_page_of_an_item_out_of_use_has_no_qr_code(client, item, county_admin):
    actions.set_item_active(item, active=False, by=county_admin)
    client.force_login(county_admin)
    body = text(client.get(reverse("catalog:item_print", args=[item.pk])))
    assert "<svg" not in body


def test_the_qr_code_draws_exactly_the_modules_of_the_url():
    url = "https://bangban.example.cn/p/items/42/"
    svg = str(qr_svg(url, label="二维码"))
    dark = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H\d+V\d+H\d+z", svg)}
    matrix = qr_matrix(url)
    expected = {(x, y) for y, row in enumerate(matrix) for x, on in enumerate(row) if on}
    assert dark == expected
    assert 'role="img"' in svg and 'aria-label="二维码"' in svg
