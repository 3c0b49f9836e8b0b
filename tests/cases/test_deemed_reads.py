"""Deemed acceptance between the writes that record it (registration, every action, the hourly job):
a case whose notice window has passed without a notice shows, on every read — the filters and
figures, the ledger page, the case page, the API, the export, the receipt, the public page — the
acceptance day and deadlines the law gives it and its yellow or red card, computed on the fly
(decision 0028). Reads never write: the case stays as it was until the job or an action records it,
and then it reads the same."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from bangban.cases import actions, spreadsheets
from bangban.cases.ledger import LedgerFilter
from bangban.cases.models import Case, CaseEvent
from bangban.cases.scope import cases_for
from bangban.cases.tasks import deem_due
from tests.network.test_api import Api, token_for

from .conftest import person

D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))
NOV_20 = D(2026, 11, 20)


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=CST), tick=False)


@pytest.fixture
def ten_day_item(make_item):
    return make_item(promised_limit=10, legal_limit=20)


@pytest.fixture
def late(register, ten_day_item):
    """Received and registered on 2 November; nobody has touched it since (no notice)."""
    with at(D(2026, 11, 2)):
        return register(
            item=ten_day_item,
            received_on=D(2026, 11, 2),
            applicant=person(phone=""),
            contact_phone="",
        )


@pytest.fixture
def recent(register, ten_day_item):
    """Received on 16 November: its window is still open on the 20th."""
    with at(D(2026, 11, 16)):
        return register(item=ten_day_item, received_on=D(2026, 11, 16))


def _unchanged(case) -> None:
    stored = Case.objects.get(pk=case.pk)
    assert stored.accepted_on is None and not stored.acceptance_deemed
    assert stored.promised_deadline is None and stored.deemed_deadline == D(2026, 11, 16)
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "register"
    ]


def test_the_filters_and_the_figures_count_it_red_once_its_window_has_passed(late, recent):
    # 2 November + 10 working days = 16 November: red from the 17th, but only once the window
    # (5 working days, to 9 November) has passed — it has on the 20th.
    assert Case.objects.overdue(NOV_20).filter(pk=late.pk).exists()
    assert not Case.objects.overdue(NOV_20).filter(pk=recent.pk).exists()
    assert not Case.objects.near_deadline(NOV_20).exists()
    figures = Case.objects.filter(pk__in=[late.pk, recent.pk]).figures(NOV_20)
    assert (figures["open"], figures["overdue"], figures["near_deadline"]) == (2, 1, 0)
    _unchanged(late)


def test_it_is_yellow_from_the_working_day_before_its_deemed_deadline(register, ten_day_item):
    with at(D(2026, 11, 3)):
        case = register(item=ten_day_item, received_on=D(2026, 11, 3))  # deemed deadline 17 Nov
    assert Case.objects.near_deadline(D(2026, 11, 16)).filter(pk=case.pk).exists()
    assert not Case.objects.overdue(D(2026, 11, 17)).filter(pk=case.pk).exists()
    assert Case.objects.overdue(D(2026, 11, 18)).filter(pk=case.pk).exists()


def test_a_notice_in_time_keeps_it_off_the_cards_for_good(late, helper):
    with at(D(2026, 11, 9)):
        line = late.materials.order_by("position").first()
        actions.issue_notice(
            late,
            items=[actions.NoticeItem(line.pk, "missing")],
            supply_by=D(2026, 11, 30),
            by=helper,
        )
    assert not Case.objects.overdue(NOV_20).exists()


def test_the_ledger_page_shows_the_deemed_deadline_and_the_red_card(client, late, helper):
    client.force_login(helper)
    with at(NOV_20):
        page = client.get(reverse("cases:ledger")).content.decode()
        red = client.get(reverse("cases:ledger"), {"warning": "overdue"}).content.decode()
    row = page[page.index(late.number) :]
    row = row[: row.index("</tr>")]
    assert "2026-11-16" in row and "红牌" in row
    assert late.number in red
    _unchanged(late)


def test_its_row_is_read_in_the_pages_one_rows_query(
    client, late, recent, helper, django_assert_num_queries
):
    """The ledger reads only the columns a row shows (`ledger.ROW_FIELDS`, decision 0064): the
    deemed deadline, counted from the revision's limits, needs no query of its own per row."""
    api = Api(Client(), token_for(Client(), helper))
    client.force_login(helper)
    with at(NOV_20):
        client.get(reverse("cases:ledger"))  # the calendar read and cached
        api.get("/cases")
        with django_assert_num_queries(8):
            page = client.get(reverse("cases:ledger")).content.decode()
        with django_assert_num_queries(3):  # as test_api's list: no query per row
            items = api.get("/cases").json()["items"]
    assert late.number in page and recent.number in page
    assert {row["number"]: row["promised_deadline"] for row in items}[late.number] == "2026-11-16"


def test_the_case_page_shows_it_deemed_accepted(client, late, helper):
    client.force_login(helper)
    with at(NOV_20):
        page = client.get(reverse("cases:case", args=[late.number])).content.decode()
    header = page[page.index('class="case-head"') :]
    header = header[: header.index("</dl>")]
    assert "视为受理" in header and "2026-11-02" in header
    assert "2026-11-16" in header and "2026-11-30" in header and "红牌" in header
    _unchanged(late)


def test_the_api_shows_it_deemed_accepted_in_the_list_and_the_case(client, late, helper):
    api = Api(client, token_for(client, helper))
    expected = {
        "accepted_on": "2026-11-02",
        "acceptance_deemed": True,
        "promised_deadline": "2026-11-16",
        "legal_deadline": "2026-11-30",
        "warning": "overdue",
    }
    with at(NOV_20):
        (row,) = api.get("/cases", warning="overdue").json()["items"]
        detail = api.get(f"/cases/{late.number}").json()
    assert {k: row[k] for k in expected} == expected
    assert {k: detail[k] for k in expected} == expected
    _unchanged(late)


def test_the_export_shows_it_deemed_accepted(late, helper):
    with at(NOV_20):
        form = LedgerFilter({})
        assert form.is_valid()
        rows = spreadsheets.export_rows(
            spreadsheets.export_rows_query(form.apply(cases_for(helper), NOV_20)), NOV_20
        )
        (row,) = [r for r in rows if r[1] == late.number]
    header = spreadsheets.EXPORT_HEADERS
    values = dict(zip(header, row, strict=True))
    assert values["受理日期"] == D(2026, 11, 2)
    assert values["承诺期限"] == D(2026, 11, 16) and values["法定期限"] == D(2026, 11, 30)
    assert values["预警"] == "红牌"
    _unchanged(late)


def test_the_receipt_and_the_public_page_show_it_deemed_accepted(client, late, helper):
    client.force_login(helper)
    with at(NOV_20):
        receipt = client.get(reverse("cases:receipt", args=[late.number])).content.decode()
        public = client.get(reverse("portal:case", args=[late.public_token])).content.decode()
    assert "受理回执" in receipt and "（视为受理）" in receipt
    assert "2026年11月16日" in receipt
    assert "（视为受理）" in public and "2026年11月16日" in public
    _unchanged(late)


def test_the_hourly_job_then_records_exactly_what_was_shown(client, late, helper):
    api = Api(client, token_for(client, helper))
    with at(NOV_20):
        shown = api.get(f"/cases/{late.number}").json()
        assert deem_due(today=NOV_20) == 1
        again = api.get(f"/cases/{late.number}").json()
    stored = Case.objects.get(pk=late.pk)
    assert stored.accepted_on == D(2026, 11, 2) and stored.acceptance_deemed
    assert stored.promised_deadline == D(2026, 11, 16) and stored.deemed_deadline is None
    fields = ("accepted_on", "acceptance_deemed", "promised_deadline", "legal_deadline", "warning")
    assert {k: again[k] for k in fields} == {k: shown[k] for k in fields}
    event = CaseEvent.objects.get(case=late, action="deem_accepted")
    assert event.by is None and event.data["after"]["promised_deadline"] == "2026-11-16"


def test_the_morning_warnings_deem_it_first_and_warn_about_its_deadline(late):
    with at(NOV_20):
        assert actions.send_warnings(today=NOV_20) == 1
    stored = Case.objects.get(pk=late.pk)
    assert stored.accepted_on == D(2026, 11, 2)
    assert list(CaseEvent.objects.filter(case=late).values_list("action", flat=True)) == [
        "register",
        "deem_accepted",
        "warning",
    ]
    warning = CaseEvent.objects.get(case=late, action="warning")
    assert warning.data["level"] == "red" and warning.data["deadline"] == "2026-11-16"
