"""Excel import and export of helpers: a template, every row checked first, all problems reported by
row and column, nothing written unless every row is good."""

from __future__ import annotations

import datetime as dt
import io
import time

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bangban.network.models import Membership, Role, ServicePoint
from bangban.staff import spreadsheets
from bangban.staff.models import Helper

User = get_user_model()
HEADERS = ["用户名", "姓名", "初始密码", "服务点编号", "角色", "专职", "人员来源",
           "开始从事受理工作日期", "离岗日期", "工作电话", "负责领域"]  # fmt: skip


def xlsx(rows, headers=HEADERS) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def row(username, point, **over):
    values = {
        "username": username,
        "name": "张三",
        "password": "Bangban-2026-xyz",
        "point": point.pk,
        "role": "帮办代办员",
        "full_time": "是",
        "origin": "村民委员会",
        "started_on": dt.date(2022, 3, 1),
        "left_on": None,
        "phone": "0533-3210000",
        "domains": "医保、税务",
    }
    values.update(over)
    return list(values.values())


@pytest.fixture
def lucun_admin(yiyuan, make_account):
    return make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))


def counts():
    return User.objects.count(), Membership.objects.count(), Helper.objects.count()


def test_a_town_admin_imports_helpers_at_the_town_stations(yiyuan, lucun_admin):
    stations = [yiyuan.station("鲁村镇", i) for i in range(3)]
    file = xlsx([row(f"lucun-{i}", s, name=f"李{i}") for i, s in enumerate(stations)]
                + [row("lucun-lead", stations[0], role="服务点负责人", full_time="否", domains="")])  # fmt: skip
    result = spreadsheets.import_helpers(file, by=lucun_admin)
    assert result.ok, [str(p) for p in result.problems]
    assert len(result.created) == 4
    helper = Helper.objects.select_related("user").get(user__username="lucun-1")
    assert helper.user.first_name == "李1"
    assert helper.user.check_password("Bangban-2026-xyz")
    assert helper.origin == Helper.Origin.VILLAGE_COMMITTEE
    assert helper.started_on == dt.date(2022, 3, 1)
    assert helper.work_phone == "0533-3210000"
    assert sorted(d.code for d in helper.domains.all()) == ["medical_insurance", "tax"]
    assert Membership.objects.get(user=helper.user).point == stations[1]
    lead = Membership.objects.get(user__username="lucun-lead")
    assert lead.role == Role.POINT_LEAD
    assert not Helper.objects.get(user__username="lucun-lead").full_time


def test_several_bad_rows_are_all_reported_and_nothing_changes(yiyuan, lucun_admin, make_account):
    make_account(Role.HELPER, yiyuan.station("鲁村镇"), username="taken")
    station = yiyuan.station("鲁村镇")
    before = counts()
    file = xlsx([
        row("good-1", station),
        row("taken", station),
        row("", station, name=""),
        row("bad-date", station, started_on="2022-13-45"),
        row("bad-role", station, role="局长"),
        row("bad-domain", station, domains="医保、天文"),
        row("good-1", station),
        row("short-pw", station, password="123"),
        row("future", station, started_on=dt.date.today() + dt.timedelta(days=3)),
    ])  # fmt: skip
    result = spreadsheets.import_helpers(file, by=lucun_admin)
    assert counts() == before
    messages = [str(p) for p in result.problems]
    assert "第 3 行「用户名」：用户名 taken 已被使用。" in messages
    assert "第 4 行「用户名」：请填写。" in messages
    assert "第 4 行「姓名」：请填写。" in messages
    assert "第 5 行「开始从事受理工作日期」：日期格式应为 2024-03-01。" in messages
    assert "第 6 行「角色」：请填写以下之一：帮办代办员、服务点负责人。" in messages
    assert "第 7 行「负责领域」：没有这些领域：天文。" in messages
    assert "第 8 行「用户名」：与第 2 行的用户名重复。" in messages
    assert any(m.startswith("第 9 行「初始密码」：") for m in messages)
    assert "第 10 行「开始从事受理工作日期」：开始从事受理工作的日期不能晚于今天。" in messages
    assert not any(m.startswith("第 2 行") for m in messages)


def test_a_point_outside_the_importers_scope_is_refused(yiyuan, lucun_admin):
    before = counts()
    file = xlsx([row("ok", yiyuan.station("鲁村镇")), row("nanma", yiyuan.station("南麻街道"))])
    result = spreadsheets.import_helpers(file, by=lucun_admin)
    assert [str(p) for p in result.problems] == [
        f"第 3 行「服务点编号」：找不到编号为 {yiyuan.station('南麻街道').pk} 的服务点，或您无权在该服务点授予此角色。"
    ]
    assert counts() == before


def test_a_town_admin_cannot_make_a_town_admin(yiyuan, lucun_admin):
    file = xlsx([row("x", yiyuan.station("鲁村镇"), role="镇（街道）管理员")])
    result = spreadsheets.import_helpers(file, by=lucun_admin)
    assert [p.column for p in result.problems] == ["角色"]


def test_a_wrong_header_is_refused(yiyuan, lucun_admin):
    headers = [*HEADERS[:2], "密码", *HEADERS[3:]]
    result = spreadsheets.import_helpers(
        xlsx([row("x", yiyuan.station("鲁村镇"))], headers), by=lucun_admin
    )
    [problem] = result.problems
    assert problem.row == 1
    assert "表头与模板不一致" in str(problem)


def test_a_file_that_is_not_excel_is_refused(yiyuan, lucun_admin):
    result = spreadsheets.import_helpers(io.BytesIO(b"not a spreadsheet"), by=lucun_admin)
    assert [str(p) for p in result.problems] == [
        "无法读取该文件，请上传用模板填写的 Excel 文件（.xlsx）。"
    ]


def test_the_template_has_headers_an_example_lists_and_instructions(yiyuan, lucun_admin, client):
    client.force_login(lucun_admin)
    response = client.get(reverse("staff:helpers_template"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet["A2"].value == "zhangsan"
    formulas = {
        str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert {"E2", "F2", "G2"} <= set(formulas)
    assert "填写说明" in book.sheetnames
    points = book["服务点"]
    ids = {r[0] for r in points.iter_rows(min_row=2, values_only=True)}
    assert yiyuan.station("鲁村镇").pk in ids
    assert yiyuan.station("南麻街道").pk not in ids


def test_the_templates_example_row_is_ignored(yiyuan, lucun_admin, client):
    client.force_login(lucun_admin)
    response = client.get(reverse("staff:helpers_template"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    book.worksheets[0].append(row("from-template", yiyuan.station("鲁村镇")))
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    result = spreadsheets.import_helpers(stream, by=lucun_admin)
    assert result.ok, [str(p) for p in result.problems]
    assert [c["username"] for c in result.created] == ["from-template"]


def test_the_import_page_reports_problems_by_row(yiyuan, lucun_admin, client):
    client.force_login(lucun_admin)
    file = xlsx(
        [row("ok", yiyuan.station("鲁村镇")), row("bad", yiyuan.station("鲁村镇"), role="局长")]
    )
    file.name = "helpers.xlsx"
    response = client.post(reverse("staff:helpers_import"), {"file": file})
    page = response.content.decode()
    assert "第 3 行" in page and "角色" in page
    assert not User.objects.filter(username="ok").exists()


def test_the_import_page_shows_a_summary(yiyuan, lucun_admin, client):
    client.force_login(lucun_admin)
    file = xlsx([row("ok-1", yiyuan.station("鲁村镇"))])
    file.name = "helpers.xlsx"
    response = client.post(reverse("staff:helpers_import"), {"file": file}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "已导入 1 人" in page
    assert "<html" not in page
    assert User.objects.filter(username="ok-1").exists()


def test_a_helper_cannot_open_the_import_page(yiyuan, make_account, client):
    client.force_login(make_account(Role.HELPER, yiyuan.station("鲁村镇")))
    assert client.get(reverse("staff:helpers_import")).status_code == 404


def test_the_export_has_the_helpers_in_scope(yiyuan, lucun_admin, client):
    spreadsheets.import_helpers(xlsx([row("mine", yiyuan.station("鲁村镇"))]), by=lucun_admin)
    spreadsheets.import_helpers(xlsx([row("theirs", yiyuan.station("南麻街道"))]), by=None)
    client.force_login(lucun_admin)
    response = client.get(reverse("staff:helpers_export"))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "用户名"
    assert [r[0] for r in rows[1:]] == ["mine"]


def test_a_5000_row_file(yiyuan, lucun_admin):
    stations = list(
        ServicePoint.objects.filter(kind="village_station", region__parent__name="鲁村镇")
    )
    file = xlsx([row(f"bulk-{i}", stations[i % len(stations)], name=f"王{i}") for i in range(5000)])
    start = time.perf_counter()
    result = spreadsheets.import_helpers(file, by=lucun_admin)
    elapsed = time.perf_counter() - start
    print(f"\n5,000-row helper import: {elapsed:.1f} s")
    assert result.ok, [str(p) for p in result.problems[:5]]
    assert Helper.objects.filter(user__username__startswith="bulk-").count() == 5000
