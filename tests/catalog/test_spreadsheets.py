"""Excel import and export of the item catalog: one workbook with the sheets 事项 and 材料; every
row of both checked first, every problem reported by sheet, row and column, nothing written unless
every row is good; an exported file re-imports with no change."""

from __future__ import annotations

import io

import openpyxl
import pytest
import xlsxwriter
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from bangban.catalog import actions, spreadsheets
from bangban.catalog.actions import MaterialData
from bangban.catalog.models import ItemRevision, Material, ServiceItem
from bangban.network.models import Department, Domain, Region, Role

from .conftest import MATERIALS

ITEM_HEADERS = ["实施编码", "基本编码", "版本号", "事项名称", "事项类型代码", "事项类型",
                "类型代码体系", "实施部门", "所属领域", "办理层级", "办理方式", "法定时限",
                "法定时限单位", "承诺时限", "承诺时限单位", "是否收费", "收费标准及依据",
                "办事指南", "是否在用", "所属县", "俗称"]  # fmt: skip
MATERIAL_HEADERS = ["实施编码", "序号", "材料名称", "材料类型", "材料形式", "必要性", "来源渠道",
                    "原件份数", "复印件份数", "受理标准", "备注"]  # fmt: skip
CODE = "11370323MB0000000{:04d}X"


def item_row(n: int, **over) -> list:
    values = {
        "code": CODE.format(n),
        "basic_code": "000172007000",
        "version": "3",
        "name": f"城乡居民基本医疗保险参保登记{n}",
        "type_code": "07",
        "type_name": "公共服务",
        "type_system": "山东省政务服务事项管理系统",
        "department": "县医疗保障局",
        "domains": "医保",
        "levels": "县级分区、窗口、镇（街道）便民服务中心",
        "modes": "网上办、现场办",
        "legal_limit": 20,
        "legal_unit": "工作日",
        "promised_limit": 1,
        "promised_unit": "工作日",
        "fee": "否",
        "fee_note": "",
        "guide": "符合条件的城乡居民持有效身份证件办理。",
        "active": "是",
        "county": "",
    }
    values.update(over)
    return list(values.values())


def material_row(n: int, position: int, name: str, **over) -> list:
    values = {
        "code": CODE.format(n),
        "position": position,
        "name": name,
        "kind": "证照",
        "form": "纸质",
        "necessity": "必要",
        "source": "申请人自备",
        "originals": 1,
        "copies": 1,
        "standard": "",
        "notes": "",
    }
    values.update(over)
    return list(values.values())


def workbook(items, materials, item_headers=ITEM_HEADERS, material_headers=MATERIAL_HEADERS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "事项"
    sheet.append(item_headers)
    for row in items:
        sheet.append(row)
    if material_headers is not None:
        sheet = book.create_sheet("材料")
        sheet.append(material_headers)
        for row in materials:
            sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    stream.name = "catalog.xlsx"
    return stream


def good_file():
    """Two items; the materials listed out of order and between each other."""
    return workbook(
        [
            item_row(1, guide="第一步：网上申报。\n第二步：现场核验。"),
            item_row(
                2,
                name="城乡居民医保关系转移接续",
                domains="医保、人社",
                levels="县级、村级",
                modes="掌上办",
                legal_limit=10,
                legal_unit="自然日",
                promised_limit=15,
                fee="是",
                fee_note="工本费 10 元（鲁价费发〔2020〕1号）",
                active="否",
            ),
        ],
        [
            material_row(1, 3, "特殊人群身份证明", necessity="非必要", originals=0),
            material_row(2, 1, "参保凭证", kind="其他", form="电子", originals="", copies=""),
            material_row(1, 1, "居民身份证或户口簿", source="政府部门核发"),
            material_row(1, 2, "参保登记表", kind="表格", copies=0, notes="窗口免费提供"),
        ],
    )


@pytest.fixture
def admin(yiyuan, make_account):
    return make_account(Role.REGION_ADMIN, yiyuan.county, username="county-admin")


def counts():
    return ServiceItem.objects.count(), ItemRevision.objects.count(), Material.objects.count()


def problems(result) -> list[str]:
    return [str(p) for p in result.problems]


# --- A good file ----------------------------------------------------------------------------------


def test_a_good_file_creates_items_with_their_materials_in_order(yiyuan, admin):
    result = spreadsheets.import_catalog(good_file(), by=admin)
    assert result.ok, problems(result)
    assert [c["row"] for c in result.created] == [2, 3]
    first = ServiceItem.objects.get(implementation_code=CODE.format(1))
    revision = first.current
    assert (first.county, first.active) == (yiyuan.county, True)
    assert (revision.number, revision.source, revision.created_by) == (1, "import", admin)
    assert revision.department == yiyuan.department("县医疗保障局")
    assert revision.levels == ["county", "town"]
    assert revision.modes == ["online", "on_site"]
    assert revision.guide == "第一步：网上申报。\n第二步：现场核验。"
    materials = list(revision.materials.all())
    assert [(m.position, m.name) for m in materials] == [
        (1, "居民身份证或户口簿"),
        (2, "参保登记表"),
        (3, "特殊人群身份证明"),
    ]
    assert (materials[0].kind, materials[0].source) == ("certificate", "government")
    assert (materials[1].kind, materials[1].copies, materials[1].notes) == (
        "form",
        0,
        "窗口免费提供",
    )
    assert (materials[2].necessity, materials[2].originals) == ("optional", 0)


def test_choices_units_fees_and_in_use_are_read(yiyuan, admin):
    spreadsheets.import_catalog(good_file(), by=admin)
    second = ServiceItem.objects.get(implementation_code=CODE.format(2))
    r = second.current
    assert second.active is False
    assert {d.name for d in r.domains.all()} == {"医保", "人社"}
    assert r.levels == ["county", "village"] and r.modes == ["mobile"]
    assert (r.legal_limit, r.legal_limit_unit, r.promised_limit, r.promised_limit_unit) == (
        10,
        "natural",
        15,
        "working",
    )
    assert r.fee_charged and r.fee_note.startswith("工本费")
    [material] = r.materials.all()
    assert (material.form, material.originals, material.copies) == ("electronic", 0, 0)


def test_importing_the_same_file_again_changes_nothing(admin):
    spreadsheets.import_catalog(good_file(), by=admin)
    before = counts()
    result = spreadsheets.import_catalog(good_file(), by=admin)
    assert result.ok and result.unchanged == 2
    assert result.created == [] and result.revised == []
    assert counts() == before


def test_an_edit_in_the_file_makes_exactly_one_new_revision_for_that_item(admin):
    spreadsheets.import_catalog(good_file(), by=admin)
    book = openpyxl.load_workbook(good_file())
    book["事项"]["N2"] = 3  # 承诺时限 of the first item
    book["材料"]["C3"] = "参保凭证（电子）"  # the second item's only material
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    result = spreadsheets.import_catalog(stream, by=admin)
    assert result.ok, problems(result)
    assert [c["row"] for c in result.revised] == [2, 3] and result.unchanged == 0
    first = ServiceItem.objects.get(implementation_code=CODE.format(1))
    assert first.revisions.count() == 2
    assert (first.current.number, first.current.promised_limit) == (2, 3)
    assert first.revisions.get(number=1).promised_limit == 1  # the old revision as it was
    assert first.current.materials.count() == 3


def test_only_the_changed_item_gets_a_revision(admin):
    spreadsheets.import_catalog(good_file(), by=admin)
    book = openpyxl.load_workbook(good_file())
    book["事项"]["D3"] = "城乡居民医保关系转移接续（跨省）"
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    result = spreadsheets.import_catalog(stream, by=admin)
    assert [c["code"] for c in result.revised] == [CODE.format(2)] and result.unchanged == 1
    assert ServiceItem.objects.get(implementation_code=CODE.format(1)).revisions.count() == 1


def test_items_not_in_the_file_are_left_alone(admin, make_item):
    other = make_item(code="11370323MB00000000999")
    result = spreadsheets.import_catalog(good_file(), by=admin)
    assert result.ok
    other.refresh_from_db()
    assert other.active and other.revisions.count() == 1


def test_an_existing_item_is_revised_and_keeps_its_material_files_by_name(yiyuan, admin, make_item):
    with_form = [
        MaterialData(
            name="居民身份证或户口簿", originals=1, blank_form="catalog/forms/2026/id.pdf"
        ),
    ]
    item = make_item(code=CODE.format(1), materials=with_form)
    file = workbook([item_row(1)], [material_row(1, 1, "居民身份证或户口簿")])
    result = spreadsheets.import_catalog(file, by=admin)
    assert result.ok and [c["row"] for c in result.revised] == [2]
    item.refresh_from_db()
    assert item.current.number == 2 and item.current.source == "import"
    assert item.current.materials.get().blank_form.name == "catalog/forms/2026/id.pdf"


def test_no_in_use_takes_an_existing_item_out_of_use_and_says_who(admin, make_item):
    item = make_item(code=CODE.format(1), materials=MATERIALS)
    file = workbook([item_row(1, active="否")], [material_row(1, 1, "居民身份证或户口簿")])
    result = spreadsheets.import_catalog(file, by=admin)
    assert result.ok and result.deactivated == 1
    item.refresh_from_db()
    assert item.active is False
    assert (
        LogEntry.objects.filter(user=admin, object_id=str(item.pk)).get().change_message == "停用"
    )


def test_the_templates_example_rows_are_ignored(yiyuan, admin):
    stream = io.BytesIO()
    spreadsheets.write_template(admin, stream)
    stream.seek(0)
    book = openpyxl.load_workbook(stream)
    book["事项"].append(item_row(7))
    book["材料"].append(material_row(7, 1, "居民身份证"))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    result = spreadsheets.import_catalog(out, by=admin)
    assert result.ok, problems(result)
    assert [(c["row"], c["code"]) for c in result.created] == [(3, CODE.format(7))]


# --- Bad rows -------------------------------------------------------------------------------------


def test_bad_rows_in_both_sheets_are_all_reported_and_nothing_changes(yiyuan, admin, make_item):
    make_item(code=CODE.format(1))
    before = counts()
    file = workbook(
        [
            item_row(1, promised_limit=30),  # beyond the legal limit
            item_row(2, department="县外星局", domains="医保、天文", modes="飞行办"),
            item_row(3, basic_code=172007000, legal_limit="二十", fee="是"),
            item_row(2, county="370322"),  # a repeated code; a county not maintained
            item_row(4, name="", levels=""),
            item_row(5),
        ],
        [
            material_row(1, 1, "居民身份证"),
            material_row(1, 1, "户口簿"),  # the same number twice
            material_row(9, 1, "无主材料"),  # no such item on the 事项 sheet
            material_row(3, 1, "居民身份证", kind="证件", copies=-1),
            material_row(3, 2, "居民身份证", originals=0, copies=0),
            material_row(5, 1, "", copies=100),
        ],
    )
    result = spreadsheets.import_catalog(file, by=admin)
    assert counts() == before
    assert problems(result) == [
        "「事项」表第 2 行「承诺时限」：承诺办结时限不能超过法定办结时限。",
        "「事项」表第 3 行「实施部门」：沂源县没有名为“县外星局”的部门。",
        "「事项」表第 3 行「所属领域」：没有这些领域：天文。",
        "「事项」表第 3 行「办理方式」：没有这些办理方式：飞行办。",
        "「事项」表第 4 行「基本编码」：应为 12 位；单元格是数字格式时开头的 0 会丢失，"
        "请把该列设为文本格式后重新填写。",
        "「事项」表第 4 行「法定时限」：请填写 0 或正整数。",
        "「事项」表第 4 行「收费标准及依据」：事项收费时须写明收费标准及依据。",
        "「事项」表第 5 行「实施编码」：与第 3 行的实施编码重复。",
        "「事项」表第 5 行「所属县」：找不到区划代码为 370322 的县，或您无权维护该县的事项目录。",
        "「事项」表第 6 行「事项名称」：请填写。",
        "「事项」表第 6 行「办理层级」：请填写。",
        "「材料」表第 3 行「序号」：与第 2 行的序号重复（同一事项）。",
        f"「材料」表第 4 行「实施编码」：“事项”表中没有实施编码为 {CODE.format(9)} 的事项。",
        "「材料」表第 5 行「材料类型」：请填写以下之一：证照、表格、其他。",
        "「材料」表第 5 行「复印件份数」：请填写 0 或正整数。",
        "「材料」表第 6 行「材料名称」：材料名称与第 1 项重复。",
        "「材料」表第 6 行「复印件份数」：纸质材料至少需要原件或复印件一份。",
        "「材料」表第 7 行「材料名称」：请填写。",
        "「材料」表第 7 行「复印件份数」：份数应为 0 到 99 的整数。",
    ]


def test_a_wrong_header_or_a_missing_sheet_is_reported_once(admin):
    headers = [*ITEM_HEADERS[:-1], "县"]
    result = spreadsheets.import_catalog(
        workbook([item_row(1)], [], item_headers=headers), by=admin
    )
    [problem] = problems(result)
    assert problem.startswith("「事项」表第 1 行：表头与模板不一致。")
    result = spreadsheets.import_catalog(
        workbook([item_row(1)], [], material_headers=None), by=admin
    )
    assert problems(result) == ["缺少「材料」表。请下载最新模板填写。"]
    assert counts() == (0, 0, 0)


def test_a_file_that_is_not_excel_is_reported(admin):
    stream = io.BytesIO(b"not a spreadsheet")
    result = spreadsheets.import_catalog(stream, by=admin)
    assert problems(result) == ["无法读取该文件，请上传用模板填写的 Excel 文件（.xlsx）。"]


def test_an_admin_of_several_counties_names_the_county(yiyuan, make_account):
    city = Region.objects.get(code="3703")
    gaoqing = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=city
    )
    Department.objects.create(county=gaoqing, name="县医疗保障局")
    user = make_account(Role.REGION_ADMIN, city)
    file = workbook(
        [item_row(1), item_row(2, county="370322"), item_row(3, county=370323)],
        [material_row(2, 1, "居民身份证")],
    )
    result = spreadsheets.import_catalog(file, by=user)
    assert problems(result) == [
        "「事项」表第 2 行「所属县」：您维护多个县的事项目录，请填写所属县的区划代码。"
    ]
    file = workbook([item_row(2, county="370322"), item_row(3, county=370323)], [])
    assert spreadsheets.import_catalog(file, by=user).ok
    counties = dict(ServiceItem.objects.values_list("implementation_code", "county__code"))
    assert counties == {CODE.format(2): "370322", CODE.format(3): "370323"}
    assert ServiceItem.objects.get(county=gaoqing).current.department.county == gaoqing


# --- The pages ------------------------------------------------------------------------------------


def test_the_import_page_reports_problems_then_imports(admin, client):
    client.force_login(admin)
    page = client.get(reverse("catalog:import")).content.decode()
    assert reverse("catalog:template") in page and reverse("catalog:export") in page
    assert 'hx-indicator="#import-progress"' in page
    bad = workbook([item_row(1, modes="")], [])
    page = client.post(reverse("catalog:import"), {"file": bad}).content.decode()
    assert "「事项」表第 2 行「办理方式」：请填写。" in page and "未导入任何数据" in page
    assert not ServiceItem.objects.exists()
    response = client.post(reverse("catalog:import"), {"file": good_file()}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "新建 2 个事项" in page and "<html" not in page
    assert ServiceItem.objects.count() == 2


def test_an_upload_that_is_not_xlsx_gets_a_chinese_message_not_an_error(admin, client):
    client.force_login(admin)
    csv = io.BytesIO("实施编码,事项名称\n".encode())
    csv.name = "catalog.csv"
    response = client.post(reverse("catalog:import"), {"file": csv})
    assert response.status_code == 200
    assert "请上传用模板填写的 .xlsx 文件。" in response.content.decode()
    fake = io.BytesIO(b"PK\x03\x04 broken")
    fake.name = "catalog.xlsx"
    response = client.post(reverse("catalog:import"), {"file": fake})
    assert response.status_code == 200
    assert "无法读取该文件" in response.content.decode()


def test_the_template_has_both_sheets_examples_lists_and_instructions(yiyuan, admin, client):
    client.force_login(admin)
    response = client.get(reverse("catalog:template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["事项", "材料"]
    assert "填写说明" in book.sheetnames and "部门" in book.sheetnames
    items, materials = book["事项"], book["材料"]
    assert [c.value for c in items[1]] == ITEM_HEADERS
    assert [c.value for c in materials[1]] == MATERIAL_HEADERS
    assert items["A2"].value == materials["A2"].value  # the example material is the example item's
    assert items["T2"].value == "370323"
    lists = {str(v.sqref)[0] for v in items.data_validations.dataValidation}
    assert {"H", "I", "M", "P", "S"} <= lists
    departments = [row[2] for row in book["部门"].iter_rows(min_row=2, values_only=True)]
    assert "县医疗保障局" in departments


@pytest.mark.parametrize("role", [Role.TOWN_ADMIN, Role.HELPER])
def test_who_does_not_maintain_the_catalog_gets_404_on_import_and_template(
    role, yiyuan, make_account, client
):
    binding = yiyuan.town("鲁村镇") if role == Role.TOWN_ADMIN else yiyuan.station("鲁村镇")
    client.force_login(make_account(role, binding))
    assert client.get(reverse("catalog:import")).status_code == 404
    assert client.post(reverse("catalog:import"), {"file": good_file()}).status_code == 404
    assert client.get(reverse("catalog:template")).status_code == 404
    assert not ServiceItem.objects.exists()


def test_anonymous_is_sent_to_log_in(client):
    for name in ("catalog:import", "catalog:template", "catalog:export"):
        assert client.get(reverse(name)).status_code == 302


def _export(client, **params) -> openpyxl.Workbook:
    response = client.get(reverse("catalog:export"), params)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_a_helper_exports_only_their_counties_items(yiyuan, make_account, make_item, client):
    mine = make_item(code=CODE.format(1))
    inactive = make_item(code=CODE.format(2), name="停用的事项")
    ServiceItem.objects.filter(pk=inactive.pk).update(active=False)
    gaoqing = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=yiyuan.county.parent
    )
    other_admin = make_account(Role.REGION_ADMIN, gaoqing)
    department = Department.objects.create(county=gaoqing, name="县医疗保障局")
    spreadsheets.import_catalog(
        workbook([item_row(3, department=department.name)], []), by=other_admin
    )
    assert ServiceItem.objects.filter(county=gaoqing).count() == 1
    client.force_login(make_account(Role.HELPER, yiyuan.station("鲁村镇")))
    book = _export(client)
    rows = list(book["事项"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [mine.implementation_code]  # not another county's, not inactive
    materials = list(book["材料"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2]) for r in materials] == [
        (mine.implementation_code, n, m.name) for n, m in enumerate(MATERIALS, start=1)
    ]


def test_the_export_takes_the_list_pages_filters(make_item, admin, client):
    marriage = Domain.objects.get(name="婚姻登记")
    make_item(code=CODE.format(1), name="城乡居民基本医疗保险参保登记")
    make_item(
        code=CODE.format(2),
        name="婚姻登记",
        modes=frozenset({"on_site"}),
        domains=frozenset({marriage}),
    )
    client.force_login(admin)

    def codes(**params) -> list[str]:
        rows = _export(client, **params)["事项"].iter_rows(min_row=2, values_only=True)
        return [r[0] for r in rows]

    assert codes(q="婚姻") == [CODE.format(2)]
    assert codes(mode="mobile") == [CODE.format(1)]
    assert codes(domain=marriage.pk) == [CODE.format(2)]
    assert codes(level="partner") == []
    assert codes(mode="teleport") == [CODE.format(1), CODE.format(2)]  # a bad filter is ignored


def test_an_exported_catalog_imports_again_with_no_change(yiyuan, admin, make_item, client):
    make_item(code=CODE.format(1), guide="第一行\r\n第二行\t（附表）_x0041_")
    make_item(
        code=CODE.format(2),
        name="城乡居民医保关系转移接续",
        version="",
        legal_limit=10,
        legal_limit_unit="natural",
        promised_limit=15,
        fee_charged=True,
        fee_note="工本费 10 元",
        levels=frozenset({"partner", "village"}),
        materials=[
            MaterialData(name="参保凭证", form="electronic", necessity="deferrable"),
            MaterialData(
                name="委托书", kind="form", originals=1, standard="须本人签字", notes="代办时"
            ),
        ],
    )
    inactive = make_item(code=CODE.format(3), materials=[])
    ServiceItem.objects.filter(pk=inactive.pk).update(active=False)
    client.force_login(admin)
    response = client.get(reverse("catalog:export"))
    before = counts()
    upload = io.BytesIO(b"".join(response.streaming_content))
    upload.name = "export.xlsx"
    page = client.post(reverse("catalog:import"), {"file": upload}).content.decode()
    assert "新建 0 个事项，更新 0 个，3 个没有变化。" in page
    assert counts() == before
    assert not ServiceItem.objects.get(pk=inactive.pk).active


# --- A large file ---------------------------------------------------------------------------------


def large_file(n: int, materials_each: int = 3) -> io.BytesIO:
    """`n` items with `materials_each` materials, written as Excel would (XlsxWriter)."""
    stream = io.BytesIO()
    book = xlsxwriter.Workbook(stream, {"constant_memory": True, "in_memory": True})
    items = book.add_worksheet("事项")
    materials = book.add_worksheet("材料")
    items.write_row(0, 0, ITEM_HEADERS)
    materials.write_row(0, 0, MATERIAL_HEADERS)
    row = 0
    for i in range(1, n + 1):
        items.write_row(i, 0, item_row(i, domains="医保、人社" if i % 2 else "医保"))
        for position in range(1, materials_each + 1):
            row += 1
            materials.write_row(row, 0, material_row(i, position, f"材料{position}"))
    book.close()
    stream.seek(0)
    return stream


def test_a_file_of_5000_items_with_15000_materials_imports(admin):
    result = spreadsheets.import_catalog(large_file(5000), by=admin)
    assert result.ok, problems(result)[:5]
    assert len(result.created) == 5000
    assert counts() == (5000, 5000, 15000)
    last = ServiceItem.objects.get(implementation_code=CODE.format(5000))
    assert [m.name for m in last.current.materials.all()] == ["材料1", "材料2", "材料3"]
    assert {d.name for d in last.current.domains.all()} == {"医保"}


def test_items_are_written_and_compared_in_batches(admin, monkeypatch):
    """The bulk writes and reads go by batches (500 items in use): batches of one here."""
    monkeypatch.setattr(actions, "IMPORT_BATCH", 1)
    assert [c["row"] for c in spreadsheets.import_catalog(good_file(), by=admin).created] == [2, 3]
    assert counts() == (2, 2, 4)
    assert spreadsheets.import_catalog(good_file(), by=admin).unchanged == 2
    book = openpyxl.load_workbook(good_file())
    book["事项"]["N2"] = 3
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    result = spreadsheets.import_catalog(stream, by=admin)
    assert [c["row"] for c in result.revised] == [2] and result.unchanged == 1
    assert ServiceItem.objects.get(implementation_code=CODE.format(1)).current.number == 2
    assert counts() == (2, 3, 7)
