"""The import of historical cases from Excel: the template, row-level checks named by row and
column, all or nothing, numbers on the cases' own registration days, original numbers kept; for the
admins of the county only."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bangban.cases import spreadsheets
from bangban.cases.models import Case, CaseEvent
from bangban.cases.workflow import State
from bangban.network.models import Region, Role
from bangban.workdays import calendar

from .conftest import resident_id

D = dt.date


@pytest.fixture
def admin(make_account, yiyuan):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


@pytest.fixture
def row(station, helper, item):
    """row(**changes) → one ledger row (header → value) of a case completed on 2025-03-04."""

    def make(**changes):
        values = {
            "办件编号": "YY-2025-0001",
            "登记日期": D(2025, 3, 3),
            "申请人": "王桂兰",
            "证件号码": resident_id(),
            "联系电话": "13805331234",
            "特殊群体": "残疾人",
            "事项编码": item.implementation_code,
            "帮办/代办": "帮办",
            "服务方式": "现场办",
            "来源渠道": "现场",
            "登记服务点": station.name,
            "首问负责人": helper.username,
            "受理日期": D(2025, 3, 3),
            "状态": "已办结",
            "办结日期": D(2025, 3, 4),
        }
        values.update(changes)
        return values

    return make


def template(client, yiyuan) -> bytes:
    response = client.get(reverse("cases:import_template"), {"county": yiyuan.county.code})
    assert response.status_code == 200
    return response.content


def workbook(client, yiyuan, rows: list[dict]) -> io.BytesIO:
    """The downloaded template filled in with `rows` below its example row."""
    book = load_workbook(io.BytesIO(template(client, yiyuan)))
    ws = book[spreadsheets.SHEET_TITLE]
    header = [c.value for c in ws[1]]
    for values in rows:
        ws.append([values.get(h) for h in header])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "历史台账.xlsx"
    return out


def upload(client, yiyuan, rows: list[dict]):
    return client.post(
        reverse("cases:import"),
        {"county": yiyuan.county.pk, "file": workbook(client, yiyuan, rows)},
    )


def test_the_template_has_the_ledgers_columns_an_example_and_the_points(client, admin, yiyuan):
    client.force_login(admin)

    book = load_workbook(io.BytesIO(template(client, yiyuan)))

    header = [c.value for c in book[spreadsheets.SHEET_TITLE][1]]
    assert header == spreadsheets.import_sheet().headers
    assert set(header) <= set(spreadsheets.EXPORT_HEADERS)
    assert book["服务点"].max_row > 100  # Yiyuan's points, to look numbers up
    assert "填写说明" in book.sheetnames


def test_a_good_file_imports_cases_numbered_on_their_own_days_with_original_numbers(
    client, admin, yiyuan, row, station, helper, item
):
    client.force_login(admin)
    rows = [
        row(),
        row(**{"办件编号": "YY-2025-0002", "状态": "已登记", "受理日期": None, "办结日期": None}),
        row(**{"办件编号": "YY-2024-0107", "登记日期": D(2024, 12, 30), "申请人": "李强"}),
    ]

    response = upload(client, yiyuan, rows)

    assert response.status_code == 200
    assert "导入完成" in response.content.decode()
    first = Case.objects.get(original_number="YY-2025-0001")
    second = Case.objects.get(original_number="YY-2025-0002")
    third = Case.objects.get(original_number="YY-2024-0107")
    assert first.number == "370323-20250303-0001"
    assert second.number == "370323-20250303-0002"
    assert third.number == "370323-20241230-0001"
    assert first.registered_on == D(2025, 3, 3)
    assert first.status == State.COMPLETED
    assert first.completed_on == D(2025, 3, 4)
    assert first.promised_deadline == calendar.deadline(D(2025, 3, 3), 1).date
    assert first.registering_point == station and first.handling_point == station
    assert first.responsible == helper and first.entered_by == admin
    assert first.disabled and first.elderly  # born 1945, 80 in 2025
    assert first.revision == item.current
    for case in (first, second, third):
        events = list(CaseEvent.objects.filter(case=case))
        assert events[0].action == "import"
        assert events[0].by == admin
        assert events[0].data["original_number"] == case.original_number
    assert [e.action for e in CaseEvent.objects.filter(case=first)] == ["import"]
    # Still registered, received long ago, no notice on record: deemed accepted on receipt.
    assert second.status == State.REGISTERED
    assert second.accepted_on == D(2025, 3, 3) and second.acceptance_deemed
    assert second.promised_deadline == calendar.deadline(D(2025, 3, 3), 1).date
    assert second.deemed_deadline is None
    assert list(CaseEvent.objects.filter(case=second).values_list("action", "by")) == [
        ("import", admin.pk),
        ("deem_accepted", None),
    ]
    # An accepted historical case's materials were complete by its acceptance day.
    assert set(first.materials.values_list("status", "received_on")) == {
        ("received", D(2025, 3, 3))
    }
    assert set(second.materials.values_list("status", "received_on")) == {("pending", None)}


def test_an_open_case_imported_within_its_window_waits_with_its_deemed_deadline(
    client, admin, yiyuan, row
):
    from django.utils import timezone

    today = timezone.localdate()
    client.force_login(admin)
    values = {"状态": "已登记", "受理日期": None, "办结日期": None, "登记日期": today}
    upload(client, yiyuan, [row(**values)])
    case = Case.objects.get(original_number="YY-2025-0001")
    assert case.accepted_on is None and not case.acceptance_deemed
    assert case.deemed_deadline == calendar.deadline(today, 1).date
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["import"]


def test_a_refused_historical_case_names_its_items_department_as_the_decider(
    client, admin, yiyuan, row, item
):
    client.force_login(admin)
    upload(client, yiyuan, [row(**{"状态": "不予受理", "受理日期": None, "办结日期": None})])
    case = Case.objects.get(original_number="YY-2025-0001")
    assert case.status == State.REFUSED
    assert case.refusal_department == item.current.department
    assert case.refusal_document_number == "" and case.accepted_on is None


def test_imported_cases_send_no_message(client, admin, yiyuan, row):
    from bangban.messaging.models import Message

    client.force_login(admin)
    before = Message.objects.count()

    upload(client, yiyuan, [row()])

    assert Case.objects.filter(original_number="YY-2025-0001").exists()
    assert Message.objects.count() == before


def test_one_bad_row_saves_nothing_and_names_its_row_and_column(client, admin, yiyuan, row):
    client.force_login(admin)
    good = resident_id()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # a wrong check character
    rows = [
        row(**{"证件号码": good}),
        row(**{"办件编号": "YY-2025-0002", "证件号码": bad}),
        row(**{"办件编号": "YY-2025-0003"}),
    ]
    cases, events = Case.objects.count(), CaseEvent.objects.count()

    response = upload(client, yiyuan, rows)

    text = response.content.decode()
    assert "未导入任何办件" in text
    assert "第 4 行「证件号码」" in text  # row 1 is the header, row 2 the example
    assert "第 3 行" not in text and "第 5 行" not in text
    assert Case.objects.count() == cases
    assert CaseEvent.objects.count() == events


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        ({"事项编码": "11370323XX9999999999"}, "事项编码", "没有实施编码"),
        ({"登记服务点": "不存在的服务点"}, "登记服务点", "没有名为"),
        ({"首问负责人": "nobody-here"}, "首问负责人", "没有用户名或姓名"),
        ({"登记日期": "2025-02-30"}, "登记日期", "日期"),
        ({"登记日期": D(2099, 1, 1)}, "登记日期", "不能晚于今天"),
        ({"服务方式": "上门办"}, "服务方式", "不支持"),
        ({"服务方式": "飞鸽办"}, "服务方式", "请填写以下之一"),
        ({"受理日期": D(2025, 3, 1)}, "受理日期", "不能早于收件日期"),
        ({"办结日期": None}, "办结日期", "须填写办结日期"),
        ({"状态": "已中止"}, "状态", "请填写以下之一"),
        ({"证件号码": "370323********1015"}, "证件号码", "已打码"),
        ({"联系电话": "12345"}, "联系电话", ""),
        ({"申请人": None}, "申请人", "请填写"),
    ],
)
def test_a_bad_cell_is_named_by_row_and_column(client, admin, yiyuan, row, changes, column, words):
    client.force_login(admin)
    cases = Case.objects.count()

    response = upload(client, yiyuan, [row(**changes)])

    text = response.content.decode()
    assert f"第 3 行「{column}」" in text
    assert words in text
    assert Case.objects.count() == cases


def test_a_case_already_imported_cannot_be_imported_again(client, admin, yiyuan, row):
    client.force_login(admin)
    upload(client, yiyuan, [row()])
    count = Case.objects.count()

    response = upload(client, yiyuan, [row(**{"证件号码": resident_id()})])

    assert "第 3 行「办件编号」" in response.content.decode()
    assert "已在台账中" in response.content.decode()
    assert Case.objects.count() == count


def test_the_same_original_number_twice_in_a_file_is_refused(client, admin, yiyuan, row):
    client.force_login(admin)

    response = upload(client, yiyuan, [row(), row()])

    assert "第 4 行「办件编号」" in response.content.decode()
    assert not Case.objects.filter(original_number="YY-2025-0001").exists()


def test_a_ledger_of_the_export_layout_is_read_by_its_headers(client, admin, yiyuan, row):
    """Extra and derived columns (序号, 预警 …) in any order are ignored; missing ones are named."""
    from openpyxl import Workbook

    client.force_login(admin)
    values = row()
    headers = ["序号", "预警", *reversed(list(values)), "备注"]
    book = Workbook()
    ws = book.active
    ws.title = spreadsheets.SHEET_TITLE
    ws.append(headers)
    ws.append([1, "红牌", *reversed(list(values.values())), "手写的备注"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "ledger.xlsx"

    response = client.post(reverse("cases:import"), {"county": yiyuan.county.pk, "file": out})

    assert "导入完成" in response.content.decode()
    assert Case.objects.filter(original_number="YY-2025-0001").exists()

    ws.delete_cols(headers.index("事项编码") + 1)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "ledger.xlsx"
    response = client.post(reverse("cases:import"), {"county": yiyuan.county.pk, "file": out})
    assert "缺少这些列：事项编码" in response.content.decode()


def test_only_the_counties_admins_may_import(client, yiyuan, helper, make_account, row):
    town_admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    for user in (helper, town_admin):
        client.force_login(user)
        assert client.get(reverse("cases:import")).status_code == 404
        assert client.get(reverse("cases:import_template")).status_code == 404
    client.logout()
    assert client.get(reverse("cases:import")).status_code == 302


def test_an_admin_of_another_county_cannot_import_into_this_one(client, yiyuan, make_account, row):
    from openpyxl import Workbook

    other = Region.objects.create(
        code="370322", name="另一个县", level=Region.Level.COUNTY, parent=yiyuan.county.parent
    )
    outsider = make_account(Role.REGION_ADMIN, other)
    client.force_login(outsider)
    assert client.get(reverse("cases:import")).status_code == 200
    values = row()
    book = Workbook()
    book.active.append(list(values))
    book.active.append(list(values.values()))
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "ledger.xlsx"
    count = Case.objects.count()

    response = client.post(reverse("cases:import"), {"county": yiyuan.county.pk, "file": out})

    assert response.status_code == 200
    assert "county" in response.context["form"].errors
    assert response.context["result"] is None
    assert Case.objects.count() == count
    template_url = reverse("cases:import_template")
    assert client.get(template_url, {"county": yiyuan.county.code}).status_code == 404
    assert client.get(template_url, {"county": other.code}).status_code == 200


def test_an_imported_case_opens_with_its_import_on_the_timeline(client, admin, yiyuan, row):
    client.force_login(admin)
    upload(client, yiyuan, [row()])
    case = Case.objects.get(original_number="YY-2025-0001")

    response = client.get(reverse("cases:case", args=[case.number]))

    assert response.status_code == 200
    assert "导入历史办件" in response.content.decode()
    assert "YY-2025-0001" in response.content.decode()
