# ruff: noqa: F811 - the fixtures imported from tests.supervision.test_figures
"""The figures page of complaints and inspections (监督检查统计), its Excel download (a real .xlsx read
back with openpyxl) and `GET /api/v1/supervision/figures`: the same figures as `figures_for`, with
their denominators, the filters and the county picker, the user's scope."""

from __future__ import annotations

import io

import openpyxl
import pytest

from bangban.network.models import Region, Role
from tests.network.test_api import token_for
from tests.pages import page_text as text
from tests.supervision.test_figures import (  # noqa: F401 - fixtures and helpers
    TODAY,
    a_month,
    at,
    checklist,
    inspect,
)

URL = "/supervision/figures/"


def workbook(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_page_shows_both_tables_with_their_totals(client, a_month, people):
    client.force_login(people.bureau)
    with at(TODAY):
        body = text(client.get(URL))
    assert "统计期间：2026-11-01 至 2026-11-18" in body
    assert "投诉举报：按服务点" in body and "明查暗访：按服务点" in body
    assert people.station.name in body and people.partner.name in body
    assert "60.0%" in body and "（3/5）" in body  # 按时办结率 of the total
    assert "50.0%" in body and "（1/2）" in body  # 属实率; the station's 整改办结率
    assert "85.0%" in body and "80.0%" in body  # the station's average and lowest score
    assert 'data-label="按时办结率"' in body  # a stacked card per row at 360 px
    assert 'data-label="违规收费"' in body and 'data-label="暗访次数"' in body
    assert body.count("合计") >= 3
    assert 'name="county"' not in body  # one county: nothing to pick


def test_the_page_takes_a_grouping_and_a_period(client, a_month, people):
    client.force_login(people.bureau)
    with at(TODAY):
        town = text(client.get(URL, {"by": "town"}))
        helper = text(client.get(URL, {"by": "helper"}))
        october = text(client.get(URL, {"from": "2026-10-01", "to": "2026-10-31"}))
        wrong = text(client.get(URL, {"from": "2026-11-18", "to": "2026-11-01"}))
    assert "投诉举报：按镇（街道）" in town and people.town.name in town and "县级" in town
    assert "明查暗访：按镇（街道）" in town
    assert "（未关联人员）" in helper and "明查暗访：按服务点" in helper
    assert "统计期间：2026-10-01 至 2026-10-31" in october
    # October: one consultation (open, overdue) and one inspection (4 of 20).
    assert "该期间内没有受理诉求" not in october and "（0/1）" in october
    assert "20.0%" in october
    assert "结束日期不能早于开始日期" in wrong and "统计期间：2026-11-01 至 2026-11-18" in wrong


def test_those_who_see_nothing_see_empty_tables(client, a_month, people):
    client.force_login(people.special)
    with at(TODAY):
        body = text(client.get(URL))
    assert "该期间内没有受理诉求" in body and "该期间内没有提交的明查暗访" in body
    assert people.station.name not in body
    client.logout()
    assert client.get(URL).status_code == 302  # staff only


def test_above_a_county_the_page_picks_one(client, a_month, people, make_account):
    city = people.county.parent
    # A second county of 淄博市 (as tests/feedback/conftest_figures.py makes 高青县).
    other = Region.objects.create(
        code="370322", name="高青县", level=Region.Level.COUNTY, parent=city
    )
    client.force_login(make_account(Role.REGION_ADMIN, city))
    with at(TODAY):
        every = text(client.get(URL))
        mine = text(client.get(URL, {"county": people.county.pk}))
        theirs = text(client.get(URL, {"county": other.pk}))
    assert 'name="county"' in every and people.station.name in every
    assert f"县：{people.county.name}" in mine and people.station.name in mine
    assert f"县：{other.name}" in theirs and people.station.name not in theirs


def test_the_export_is_the_pages_figures_in_a_workbook(client, a_month, people):
    client.force_login(people.bureau)
    with at(TODAY):
        book = workbook(client.get("/supervision/figures.xlsx", {"by": "point"}))
    assert book.sheetnames == ["投诉举报统计", "明查暗访统计", "说明"]
    rows = list(book["投诉举报统计"].iter_rows(values_only=True))
    headers = rows[0]
    assert headers[:3] == ("服务点", "类型", "诉求数")
    assert "违规收费" in headers and "按时办结率" in headers
    total = dict(zip(headers, rows[-1], strict=True))
    assert total["服务点"] == "合计" and total["诉求数"] == 7
    assert (total["按时办结数"], total["应办结数"]) == (3, 5)
    assert total["按时办结率"] == pytest.approx(0.6)
    assert (total["情况属实数"], total["有核实结论的答复数"]) == (1, 2)
    assert (total["投诉"], total["违规收费"], total["已超期"]) == (3, 1, 1)
    named = {row[0] for row in rows[1:-1]}
    assert named == {people.station.name, people.other_station.name, people.partner.name}
    inspections = list(book["明查暗访统计"].iter_rows(values_only=True))
    station = dict(zip(inspections[0], inspections[1], strict=True))
    assert station["服务点"] == people.station.name
    assert (station["检查次数"], station["暗访次数"]) == (2, 1)
    assert station["平均得分率"] == pytest.approx(0.85)
    assert station["最低得分率"] == pytest.approx(0.80)
    assert (station["发现问题数"], station["整改办结数"]) == (2, 1)
    assert inspections[-1][0] == "合计" and inspections[-1][2] == 3
    notes = {row[0]: row[1] for row in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert "应办结数" in notes["按时办结率"] and "2026-11-01" in notes["统计期间"]


# --- The API ----------------------------------------------------------------------------------------


@pytest.fixture
def api(client):
    def get(user, **params):
        token = token_for(client, user)
        return client.get(
            "/api/v1/supervision/figures", params, headers={"authorization": f"Bearer {token}"}
        )

    return get


def test_the_api_gives_each_figure_with_its_denominator(api, a_month, people):
    with at(TODAY):
        response = api(people.bureau, by="town", **{"from": "2026-11-01", "to": "2026-11-18"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["from"], data["to"], data["by"], data["county"]) == (
        "2026-11-01",
        "2026-11-18",
        "town",
        None,
    )
    complaints = data["complaints"]
    assert complaints["count"] == 2
    town = next(item for item in complaints["items"] if item["group"] == "town")
    assert (town["id"], town["name"], town["complaints"]) == (people.town.pk, people.town.name, 6)
    county = next(item for item in complaints["items"] if item["group"] == "county")
    assert (county["id"], county["kind"], county["complaints"]) == (people.county.pk, "县级", 1)
    total = complaints["total"]
    assert total["group"] == "total"
    assert total["on_time_rate"] == {"count": 3, "of": 5, "rate": 0.6}
    assert total["upheld_rate"] == {"count": 1, "of": 2, "rate": 0.5}
    assert total["by_kind"] == {
        "consult": 1,
        "help": 1,
        "complaint": 3,
        "report": 1,
        "suggestion": 1,
    }
    assert total["by_category"]["fee"] == 1 and total["by_category"]["buck"] == 2
    assert (total["answered"], total["returned"], total["open"], total["overdue"]) == (3, 1, 3, 1)
    inspections = data["inspections"]
    assert inspections["by"] == "town" and inspections["count"] == 1
    assert inspections["total"]["average_score"] == pytest.approx(76.7)
    assert inspections["total"]["lowest_score"] == 60.0
    # The station's two findings (one closed) and the other station's open one.
    assert inspections["total"]["rectified_rate"] == {
        "count": 1,
        "of": 3,
        "rate": pytest.approx(1 / 3),
    }
    with at(TODAY):
        january = api(people.bureau, **{"from": "2026-01-01", "to": "2026-01-31"}).json()
    assert january["complaints"]["total"]["on_time_rate"] == {"count": 0, "of": 0, "rate": None}
    assert january["inspections"]["total"]["average_score"] is None


def test_the_api_counts_the_callers_scope(api, a_month, people, make_account):
    with at(TODAY):
        special = api(people.special).json()
        city = api(make_account(Role.REGION_ADMIN, people.county.parent), county="370323").json()
    assert special["complaints"]["total"]["complaints"] == 0
    assert special["inspections"]["total"]["inspections"] == 0
    assert city["county"] == "370323" and city["complaints"]["total"]["complaints"] == 7


@pytest.mark.parametrize(
    ("params", "status", "loc"),
    [
        ({"form": "2026-11-01"}, 422, ["query", "form"]),
        ({"by": "county"}, 422, ["query", "by"]),
        ({"from": "2026-11-31"}, 422, ["query", "from"]),
        ({"from": "2026-11-18", "to": "2026-11-01"}, 409, ["query", "to"]),
        ({"county": "370323"}, 404, ["query", "county"]),  # a county admin has none to pick
    ],
)
def test_the_api_refuses_what_it_does_not_know(api, people, params, status, loc):
    response = api(people.bureau, **params)
    assert response.status_code == status, response.content
    assert response.json()["detail"][0]["loc"] == loc


def test_the_page_shows_fifty_rows_of_each_table_per_page(client, people, complain, monkeypatch):
    """Both tables are paged together; the totals count every row."""
    from bangban.supervision import figure_views

    monkeypatch.setattr(figure_views, "ROWS_PER_PAGE", 1)
    complain(point=people.station, helper=None)
    complain(point=people.other_station, helper=None)
    client.force_login(people.bureau)
    first = text(client.get("/supervision/figures/", {"by": "point", "period": "month"}))
    second = text(
        client.get("/supervision/figures/", {"by": "point", "period": "month", "page": 2})
    )
    names = (people.station.name, people.other_station.name)
    assert sum(name in first for name in names) == 1
    assert sum(name in second for name in names) == 1
    assert "第 1 / 2 页" in first
