"""The ledger's Excel export: the list's rows in the county office's layout, masked, in constant
memory; large exports through a LedgerExport and the task worker, downloadable by the requester only."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bangban.cases import actions, excel_views, spreadsheets
from bangban.cases.actions import NoticeItem
from bangban.cases.ledger import LedgerFilter
from bangban.cases.models import Case, LedgerExport
from bangban.cases.scope import cases_for
from bangban.network.models import Role

from .conftest import person, resident_id


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def rows_of(content: bytes) -> tuple[list, list[list]]:
    """(header, data rows) of the ledger sheet of an .xlsx."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    ws = book[spreadsheets.SHEET_TITLE]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    book.close()
    return rows[0], rows[1:]


def column(header: list, rows: list[list], name: str) -> list:
    i = header.index(name)
    return [r[i] for r in rows]


def download(client, **params) -> bytes:
    response = client.get(reverse("cases:export"), params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content)


def test_export_has_the_chinese_headers_and_one_row_per_case_in_the_filter(
    client, register, helper
):
    on_site = [register(), register()]
    register(mode="online")
    client.force_login(helper)

    header, rows = rows_of(download(client, mode="on_site"))

    assert header == spreadsheets.EXPORT_HEADERS
    assert {"序号", "办件编号", "证件号码", "联系电话", "特殊群体", "预警", "转办次数"} <= set(
        header
    )
    assert sorted(column(header, rows, "办件编号")) == sorted(c.number for c in on_site)
    assert column(header, rows, "序号") == [1, 2]
    assert set(column(header, rows, "服务方式")) == {"现场办"}


def test_export_rows_are_the_ledger_filters_rows_in_its_order(client, register, helper):
    for mode in ("on_site", "online", "on_site", "mobile", "on_site"):
        register(mode=mode)
    params = {"mode": "on_site", "sort": "registered"}
    form = LedgerFilter(params)
    assert form.is_valid()
    expected = list(
        form.apply(cases_for(helper), timezone.localdate()).values_list("number", flat=True)
    )
    client.force_login(helper)

    header, rows = rows_of(download(client, **params))

    assert len(expected) == 3
    assert column(header, rows, "办件编号") == expected


def test_a_bad_condition_is_left_out_as_on_the_ledger_list(client, register, helper):
    cases = [register(), register()]
    client.force_login(helper)

    header, rows = rows_of(download(client, registered_from="not-a-date"))

    assert sorted(column(header, rows, "办件编号")) == sorted(c.number for c in cases)


def test_the_full_id_number_and_phone_never_appear_in_the_file(client, register, helper):
    number = resident_id()
    case = register(applicant=person(number=number, phone="13805339876"))
    client.force_login(helper)

    content = download(client)
    header, rows = rows_of(content)

    row = rows[column(header, rows, "办件编号").index(case.number)]
    assert row[header.index("证件号码")] == number[:6] + "********" + number[-4:]
    assert row[header.index("联系电话")] == "138****9876"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        raw = b"".join(archive.read(name) for name in archive.namelist())
    assert number.encode() not in raw
    assert number[6:14].encode() not in raw  # not even the birth date
    assert b"13805339876" not in raw


def test_export_says_elderly_and_counts_notices_per_case(client, register, helper):
    old = register()  # born 1945: elderly
    young = register(applicant=person(number=resident_id(born="19900101")))
    line = old.materials.first()
    actions.issue_notice(
        old,
        items=[NoticeItem(line_id=line.pk, reason="missing")],
        supply_by=timezone.localdate() + dt.timedelta(days=7),
        by=helper,
    )
    client.force_login(helper)

    header, rows = rows_of(download(client))

    by_number = {r[header.index("办件编号")]: r for r in rows}
    assert by_number[old.number][header.index("特殊群体")] == "老年人"
    assert by_number[young.number][header.index("特殊群体")] is None
    assert by_number[old.number][header.index("告知次数")] == 1
    assert by_number[young.number][header.index("告知次数")] == 0
    assert by_number[old.number][header.index("状态")] == "待补正材料"
    assert isinstance(by_number[old.number][header.index("登记日期")], dt.datetime)


def test_export_warns_yellow_and_red_and_says_whether_completed_on_time(client, register, helper):
    today = timezone.localdate()
    late, done = register(), register()
    Case.objects.filter(pk=late.pk).update(
        status="in_progress",
        deemed_deadline=None,
        accepted_on=late.received_on,
        promised_deadline=today - dt.timedelta(days=1),
    )
    Case.objects.filter(pk=done.pk).update(
        status="completed",
        deemed_deadline=None,
        accepted_on=done.received_on,
        promised_deadline=today,
        completed_on=today,
    )
    client.force_login(helper)

    header, rows = rows_of(download(client))

    by_number = {r[header.index("办件编号")]: r for r in rows}
    assert by_number[late.number][header.index("预警")] == "红牌"
    assert by_number[done.number][header.index("是否按期办结")] == "是"
    assert by_number[done.number][header.index("预警")] is None


def test_export_reads_the_rows_in_a_fixed_number_of_queries(client, register, helper):
    client.force_login(helper)
    register()
    with CaptureQueriesContext(connection) as one:
        download(client)
    for _i in range(4):
        register()
    with CaptureQueriesContext(connection) as five:
        download(client)

    assert len(five) == len(one)


def test_export_shows_only_the_users_cases(client, register, yiyuan, make_helper):
    register()
    elsewhere = make_helper(yiyuan.station("鲁村镇", 1)).user
    client.force_login(elsewhere)

    _header, rows = rows_of(download(client))

    assert rows == []


def test_export_needs_a_login(client):
    response = client.get(reverse("cases:export"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_large_export_goes_to_the_task_worker_and_only_the_requester_downloads_it(
    client,
    register,
    helper,
    make_helper,
    yiyuan,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setattr(excel_views, "EXPORT_AT_ONCE", 1)
    cases = [register(), register(), register(mode="online")]
    client.force_login(helper)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("cases:export"), {"mode": "on_site"})

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:exports")
    export = LedgerExport.objects.get()
    assert export.requested_by == helper
    assert export.query == {"mode": "on_site"}
    assert export.status == LedgerExport.Status.DONE
    assert export.rows == 2
    page = client.get(reverse("cases:exports"))
    url = reverse("cases:export_file", args=[export.pk])
    assert url in page.content.decode()

    response = client.get(url)
    assert response.status_code == 200
    header, rows = rows_of(b"".join(response.streaming_content))
    assert sorted(column(header, rows, "办件编号")) == sorted(c.number for c in cases[:2])

    other = make_helper(yiyuan.station("鲁村镇")).user  # same station: sees the same cases
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("cases:exports")).content.decode()
    client.logout()
    assert client.get(url).status_code == 302


def test_a_background_export_takes_the_rows_the_requester_may_see_when_it_runs(
    register, helper, yiyuan, make_account, django_capture_on_commit_callbacks
):
    register()
    town_admin = make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        export = actions.request_export(query={}, by=town_admin)
    town_admin.memberships.all().delete()  # left before the worker ran the job
    for callback in queued:
        callback()

    export.refresh_from_db()
    assert export.status == LedgerExport.Status.DONE
    assert export.rows == 0


def test_an_unfinished_export_cannot_be_downloaded(client, helper):
    export = LedgerExport.objects.create(requested_by=helper, query={})
    client.force_login(helper)

    assert client.get(reverse("cases:export_file", args=[export.pk])).status_code == 404
    assert "排队中" in client.get(reverse("cases:exports")).content.decode()


def test_the_sheet_has_the_office_layout_filter_frozen_header_and_date_cells(
    client, register, helper
):
    from bangban.cases.models import Applicant

    cases = [register(), register()]
    Applicant.objects.filter(pk=cases[0].applicant_id).update(name=" 张<&>三\x07")
    client.force_login(helper)

    book = load_workbook(io.BytesIO(download(client)))  # the full reader: styles and all
    ws = book[spreadsheets.SHEET_TITLE]

    assert ws.auto_filter.ref == "A1:AC3"
    assert ws.freeze_panes == "C2"
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("DDEBF7")
    assert ws.column_dimensions["I"].width > ws.column_dimensions["A"].width
    assert ws["C2"].is_date and ws["C2"].value.date() == cases[0].registered_on
    names = {ws.cell(row=r, column=4).value for r in (2, 3)}
    assert " 张<&>三_x0007_" in names


def as_excel_reads(text: str) -> str:
    """A cell's text as Excel reads it (ECMA-376's ST_Xstring): `_xHHHH_` is the character HHHH.
    openpyxl hands an inline string over as written, so the test reads it the way Excel does."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def as_xlsxwriter_writes(text: str, path) -> str:
    """`text` as XlsxWriter writes a cell of its own (an inline string, in constant memory), read
    back by openpyxl."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.add_worksheet().write_string(0, 0, text)
    workbook.close()
    book = load_workbook(path, read_only=True)
    value = next(book.active.iter_rows(values_only=True))[0]
    book.close()
    return value


NOT_ESCAPES = "_x0041_张_X00e9_三_x12_\x07\r_x005F_尾"


def test_text_that_looks_like_excels_escape_reads_back_as_written(
    client, register, helper, tmp_path
):
    """Excel reads `_xHHHH_` in a cell's text as an escaped character (`_x0041_` is "A"); the spliced
    rows escape such text as XlsxWriter escapes the cells it writes (`_x005F_x0041_`), so a name or
    note that has it reads back as typed."""
    from bangban.cases.models import Applicant

    case = register()
    Applicant.objects.filter(pk=case.applicant_id).update(name=NOT_ESCAPES)
    client.force_login(helper)

    header, rows = rows_of(download(client))

    [written] = column(header, rows, "申请人")
    assert written == as_xlsxwriter_writes(NOT_ESCAPES, tmp_path / "xlsxwriter.xlsx")
    assert as_excel_reads(written) == NOT_ESCAPES
