# ruff: noqa: F811 - the fixtures imported from tests.feedback.conftest_figures
"""The figures in Excel: a real .xlsx (read back with openpyxl), the page's rows and total, each
figure as its count, its denominator and the rate, the definitions beside them, the user's scope."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import time_machine

from bangban.network.models import Role
from tests.feedback.conftest_figures import (  # noqa: F401 - fixtures
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    rate,
    register,
    serve,
    served,
    station,
)

CST = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 11, 9, 10, tzinfo=CST)
WEDNESDAY = dt.datetime(2026, 11, 18, 10, tzinfo=CST)


def workbook(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def ratings(served, register, make_helper, yiyuan):
    with time_machine.travel(MONDAY, tick=False):
        served(5)
        served(1)
        served()
        zone = yiyuan.zone
        person = make_helper(zone).user
        rate(serve(register(point=zone, by=person, responsible=person)), 4)


def test_the_export_is_the_pages_figures_in_a_workbook(client, ratings, make_account, yiyuan):
    admin = make_account(Role.REGION_ADMIN, yiyuan.county)
    client.force_login(admin)
    with time_machine.travel(WEDNESDAY, tick=False):
        book = workbook(client.get("/feedback/figures/export/?by=point&period=month"))
    assert book.sheetnames == ["好差评统计", "说明"]
    sheet = book["好差评统计"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:5] == ("服务点", "类型", "好评数", "有效评价数", "好评率")
    assert "实名差评回访率" in header and header[-1] == "申诉撤销的评价数"
    by_name = {row[0]: row for row in rows[1:]}
    station = by_name[yiyuan.station("鲁村镇").name]
    assert station[2:5] == (1, 2, 0.5)
    good_rate = header.index("好评率") + 1
    assert sheet.cell(row=2, column=good_rate).number_format == "0.0%"
    # 实名差评回访率 of the zone: no bad review, so no rate (an empty cell), its counts 0 and 0.
    zone = by_name[yiyuan.zone.name]
    called = header.index("实名差评回访率")
    assert zone[called - 2 : called + 1] == (0, 0, None)
    total = rows[-1]
    assert total[0] == "合计" and total[2:5] == (2, 3, 2 / 3)
    notes = {row[0]: row[1] for row in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["统计期间"] == "2026-11-01 — 2026-11-18"
    assert notes["好评"] == "好评按 4–5 级计算"
    assert "省系统默认评价算作未评价" in notes["未评价率"]


def test_the_export_holds_only_the_users_scope(client, ratings, make_account, yiyuan):
    lead = make_account(Role.POINT_LEAD, yiyuan.station("鲁村镇"))
    client.force_login(lead)
    with time_machine.travel(WEDNESDAY, tick=False):
        book = workbook(client.get("/feedback/figures/export/?by=town"))
    rows = list(book["好差评统计"].iter_rows(values_only=True))
    assert rows[0][0] == "镇（街道）"
    assert [row[0] for row in rows[1:]] == [yiyuan.town("鲁村镇").name, "合计"]
    assert rows[-1][2:5] == (1, 2, 0.5)


def test_the_export_asks_for_a_login(client):
    response = client.get("/feedback/figures/export/")
    assert response.status_code == 302
