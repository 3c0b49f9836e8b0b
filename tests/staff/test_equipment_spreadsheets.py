"""Excel import and export of equipment: the helpers machinery with the equipment's rules (the point
changeable by the importer, a known kind and state, the person responsible allowed at the point, a
last check not after today), every problem reported by row and column, nothing written unless every
row is good."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from bangban.network import actions
from bangban.network.models import Equipment, EquipmentCheck, EquipmentKind, Role
from bangban.staff import spreadsheets

User = get_user_model()
HEADERS = ["服务点编号", "设备类型", "数量", "状态", "负责人用户名", "备注", "最近检查日期"]


def xlsx(rows, headers=HEADERS) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    stream.name = "equipment.xlsx"
    return stream


def row(point, **over):
    values = {
        "point": point.pk,
        "kind": "高拍仪",
        "quantity": 1,
        "state": "正常",
        "responsible": "",
        "note": "",
        "checked_on": None,
    }
    values.update(over)
    return list(values.values())


@pytest.fixture
def lucun_admin(yiyuan, make_account):
    return make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"), username="lucun-admin")


def counts():
    return Equipment.objects.count(), EquipmentCheck.objects.count()


def test_a_town_admin_imports_equipment_at_the_town_stations(yiyuan, lucun_admin, make_account):
    stations = [yiyuan.station("鲁村镇", i) for i in range(3)]
    keeper = make_account(Role.HELPER, stations[1], username="keeper")
    checked = dt.date(2025, 1, 15)
    file = xlsx([
        row(stations[0], kind="电脑", quantity=2, checked_on=checked),
        row(stations[1], kind="老花镜", quantity="5", responsible="keeper", note="放在窗口"),
        row(stations[2], kind="打印机", state="故障"),
        row(stations[2], kind="复印机", state="已报废", responsible="lucun-admin"),
    ])  # fmt: skip
    result = spreadsheets.import_equipment(file, by=lucun_admin)
    assert result.ok, [str(p) for p in result.problems]
    assert [c["row"] for c in result.created] == [2, 3, 4, 5]
    computer = Equipment.objects.get(point=stations[0])
    assert (computer.kind.name, computer.quantity, computer.state) == ("电脑", 2, "working")
    [check] = computer.checks.all()
    assert (check.checked_on, check.result, check.checked_by) == (checked, "ok", lucun_admin)
    assert computer.added_on == checked  # in use before it was put on record (decision 0032)
    glasses = Equipment.objects.get(point=stations[1])
    assert (glasses.quantity, glasses.responsible, glasses.note) == (5, keeper, "放在窗口")
    states = dict(Equipment.objects.filter(point=stations[2]).values_list("kind__name", "state"))
    assert states == {"打印机": "faulty", "复印机": "retired"}
    assert EquipmentCheck.objects.count() == 1


def test_several_bad_rows_are_all_reported_and_nothing_changes(yiyuan, lucun_admin, make_account):
    station = yiyuan.station("鲁村镇")
    make_account(Role.HELPER, yiyuan.station("南麻街道"), username="elsewhere")
    actions.add_equipment(
        station, kind=EquipmentKind.objects.get(name="电脑"), quantity=1, by=lucun_admin
    )
    before = counts()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    file = xlsx([
        row(station, checked_on=dt.date(2025, 3, 1)),
        row(station, kind="天文望远镜"),
        row(station, quantity=0),
        row(station, quantity="两台"),
        row(station, state="丢失"),
        row(station, responsible="nobody"),
        row(station, responsible="elsewhere"),
        row(station, checked_on="2025-13-45"),
        row(station, checked_on=tomorrow),
        row(station, state="故障", checked_on=dt.date(2025, 3, 1)),
        ["", "", "", "", "", "说明", ""],
        row(station, quantity=100_001),
    ])  # fmt: skip
    result = spreadsheets.import_equipment(file, by=lucun_admin)
    assert counts() == before
    messages = [str(p) for p in result.problems]
    assert messages == [
        "第 3 行「设备类型」：请填写以下之一：办公桌椅、电脑、高拍仪、打印机、复印机、自助终端、"
        "老花镜、笔、胶水、印泥。",
        "第 4 行「数量」：请填写正整数。",
        "第 5 行「数量」：请填写正整数。",
        "第 6 行「状态」：请填写以下之一：正常、故障、已报废。",
        "第 7 行「负责人用户名」：找不到用户名为 nobody 的在用账号。",
        "第 8 行「负责人用户名」：责任人必须是在本服务点或其上级任职的人员。",
        "第 9 行「最近检查日期」：日期格式应为 2024-03-01。",
        "第 10 行「最近检查日期」：检查日期不能晚于今天。",
        "第 11 行「最近检查日期」：状态为“故障”时请留空：导入的检查按“检查正常”登记。",
        "第 12 行「服务点编号」：请填写。",
        "第 12 行「设备类型」：请填写。",
        "第 12 行「数量」：请填写。",
        "第 12 行「状态」：请填写。",
        "第 13 行「数量」：数量不能超过 100000。",
    ]


def test_a_point_outside_the_importers_scope_is_refused(yiyuan, lucun_admin):
    before = counts()
    nanma = yiyuan.station("南麻街道")
    zero = [0, *row(nanma)[1:]]
    file = xlsx([row(yiyuan.station("鲁村镇")), row(nanma), zero])
    result = spreadsheets.import_equipment(file, by=lucun_admin)
    assert [str(p) for p in result.problems] == [
        f"第 3 行「服务点编号」：找不到编号为 {nanma.pk} 的服务点，或您无权管理该服务点的设施设备。",
        "第 4 行「服务点编号」：请填写正整数。",
    ]
    assert counts() == before


def test_a_viewer_cannot_import_even_at_a_point_they_see(yiyuan, make_account):
    station = yiyuan.station("鲁村镇")
    helper = make_account(Role.HELPER, station)
    result = spreadsheets.import_equipment(xlsx([row(station)]), by=helper)
    assert [p.column for p in result.problems] == ["服务点编号"]
    assert not Equipment.objects.exists()


def test_a_wrong_header_is_refused(yiyuan, lucun_admin):
    headers = [*HEADERS[:2], "件数", *HEADERS[3:]]
    result = spreadsheets.import_equipment(
        xlsx([row(yiyuan.station("鲁村镇"))], headers), by=lucun_admin
    )
    [problem] = result.problems
    assert problem.row == 1
    assert "表头与模板不一致" in str(problem)
    assert not Equipment.objects.exists()


def test_the_template_has_headers_an_example_lists_and_instructions(yiyuan, lucun_admin, client):
    client.force_login(lucun_admin)
    response = client.get(reverse("staff:equipment_template"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet["B2"].value == "办公桌椅"
    assert sheet["B2"].font.color.rgb.endswith("808080")
    formulas = {
        str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert set(formulas) == {"B2", "D2"}
    options = book[formulas["B2"].split("!")[0].strip("'")]
    lists = {
        column[0].value: [c.value for c in column[1:] if c.value] for column in options.iter_cols()
    }
    assert lists["设备类型"] == list(EquipmentKind.objects.values_list("name", flat=True))
    assert lists["状态"] == ["正常", "故障", "已报废"]
    assert "填写说明" in book.sheetnames
    points = book["服务点"]
    ids = {r[0] for r in points.iter_rows(min_row=2, values_only=True)}
    assert yiyuan.station("鲁村镇").pk in ids
    assert yiyuan.station("南麻街道").pk not in ids


def test_the_templates_example_row_is_ignored(yiyuan, lucun_admin, client):
    client.force_login(lucun_admin)
    response = client.get(reverse("staff:equipment_template"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    book.worksheets[0].append(row(yiyuan.station("鲁村镇"), kind="笔", quantity=10))
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    result = spreadsheets.import_equipment(stream, by=lucun_admin)
    assert result.ok, [str(p) for p in result.problems]
    assert [(c["row"], c["kind"]) for c in result.created] == [(3, "笔")]


def test_the_import_page_reports_problems_then_imports(yiyuan, lucun_admin, client):
    client.force_login(lucun_admin)
    station = yiyuan.station("鲁村镇")
    page = client.get(reverse("staff:equipment_import")).content.decode()
    assert reverse("staff:equipment_template") in page
    assert 'hx-indicator="#import-progress"' in page
    file = xlsx([row(station), row(station, state="丢失")])
    page = client.post(reverse("staff:equipment_import"), {"file": file}).content.decode()
    assert "第 3 行" in page and "状态" in page and "未导入任何数据" in page
    assert not Equipment.objects.exists()
    file = xlsx([row(station, kind="笔", quantity=10)])
    response = client.post(
        reverse("staff:equipment_import"), {"file": file}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert "已导入 1 条设施设备" in page
    assert "<html" not in page
    assert Equipment.objects.get().quantity == 10


def test_a_helper_cannot_open_the_import_page_but_may_export(yiyuan, make_account, client):
    client.force_login(make_account(Role.HELPER, yiyuan.station("鲁村镇")))
    assert client.get(reverse("staff:equipment_import")).status_code == 404
    assert client.get(reverse("staff:equipment_template")).status_code == 404
    assert client.get(reverse("staff:equipment_export")).status_code == 200


def test_the_helpers_page_links_the_imports(yiyuan, lucun_admin, client):
    client.force_login(lucun_admin)
    page = client.get(reverse("staff:helpers")).content.decode()
    assert reverse("staff:equipment_import") in page
    assert reverse("staff:helpers_import") in page


def test_the_export_lists_only_the_equipment_in_scope(yiyuan, lucun_admin, client):
    mine = yiyuan.station("鲁村镇")
    pen = EquipmentKind.objects.get(name="笔")
    spreadsheets.import_equipment(
        xlsx([row(mine, kind="电脑", checked_on=dt.date(2025, 1, 15)), row(mine, state="已报废")]),
        by=lucun_admin,
    )
    actions.add_equipment(yiyuan.station("南麻街道"), kind=pen, quantity=3, by=None)
    client.force_login(lucun_admin)
    response = client.get(reverse("staff:equipment_export"))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("服务点编号", "服务点名称", "设备类型", "数量", "状态", "负责人用户名",
                       "备注", "最近检查日期", "下次检查日期")  # fmt: skip
    interval = EquipmentKind.objects.get(name="电脑").check_interval_days
    next_check = (dt.date(2025, 1, 15) + dt.timedelta(days=interval)).isoformat()
    assert [r[:5] for r in rows[1:]] == [
        (mine.pk, mine.name, "电脑", 1, "正常"),
        (mine.pk, mine.name, "高拍仪", 1, "已报废"),
    ]
    assert rows[1][7:] == ("2025-01-15", next_check)
    assert rows[2][7] is None and rows[2][8] is None  # never checked; retired: no next check
