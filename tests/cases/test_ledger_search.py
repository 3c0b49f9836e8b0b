"""Searching the ledger by a whole ID number or phone, as typed at the counter (decision 0030): by POST
on the page (the number becomes digests kept in the session behind a short-lived reference, never a
URL) and on the API (`POST /api/v1/cases/search`); a GET `q` refuses such a number; a background export
stores only the digests."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bangban.cases import excel_views
from bangban.cases.actions import AuthorisationData
from bangban.cases.ledger import LedgerFilter, identity_search
from bangban.cases.models import Case, LedgerExport
from bangban.cases.views import FIND_SECONDS
from bangban.network.models import Role
from tests.network.test_api import Api, assert_error, token_for

from .conftest import person, resident_id

LEDGER = reverse("cases:ledger")
NUMBER = resident_id(born="19520817", sequence=371)
PHONE = "13905337391"
PROXY_PHONE = "13605338462"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cases(register):
    """Three cases: the applicant's (twice, once as 代办 with the proxy's phone) and someone else's."""
    own = register(applicant=person(name="赵玉兰", number=NUMBER, phone=PHONE))
    proxy = register(
        applicant=person(name="赵玉兰", number=NUMBER, phone=PHONE),
        kind="proxy",
        authorisation=AuthorisationData(
            principal="赵玉兰",
            scope="代为办理医保参保登记",
            authorised_on=timezone.localdate(),
            scan=SimpleUploadedFile("weituoshu.pdf", b"%PDF-1.4 signed", "application/pdf"),
        ),
        contact_phone=PROXY_PHONE,
    )
    other = register(applicant=person(name="钱学勤", phone="13805330000"))
    return own, proxy, other


def listed(response, *cases) -> set[str]:
    assert response.status_code == 200, response.status_code
    body = response.content.decode()
    return {c.number for c in cases if f'href="/cases/{c.number}/"' in body}


def search(client, text: str, **conditions):
    """The filter form's POST with `text` in its search box, and the page it redirects to."""
    response = client.post(LEDGER, {"q": text, **conditions})
    assert response.status_code == 302, response.status_code
    return response["Location"], client.get(response["Location"])


# --- The page ------------------------------------------------------------------------------------


def test_a_whole_id_number_is_searched_by_post_and_never_put_in_the_url(client, helper, cases):
    own, proxy, other = cases
    client.force_login(helper)
    location, page = search(client, NUMBER.lower())
    assert NUMBER not in location and NUMBER.lower() not in location
    assert "found=" in location and "q=" not in location
    assert listed(page, own, proxy, other) == {own.number, proxy.number}
    assert NUMBER[:6] + "********" + NUMBER[-4:] in page.content.decode()  # what the page says


def test_a_phone_finds_the_applicant_and_the_proxy_cases(client, helper, cases):
    own, proxy, other = cases
    client.force_login(helper)
    location, page = search(client, "139 0533 7391")
    assert "7391" not in location.replace("found=", "")
    assert listed(page, own, proxy, other) == {own.number, proxy.number}
    _location, page = search(client, PROXY_PHONE)
    assert listed(page, own, proxy, other) == {proxy.number}
    assert "136****8462" in page.content.decode()


def test_a_search_by_number_combines_with_the_other_conditions(client, helper, cases):
    own, proxy, other = cases
    client.force_login(helper)
    location, page = search(client, NUMBER, kind="proxy")
    assert "kind=proxy" in location
    assert listed(page, own, proxy, other) == {proxy.number}


def test_a_name_or_a_case_number_stays_a_plain_get_search(client, helper, cases):
    own, proxy, other = cases
    client.force_login(helper)
    location, page = search(client, "钱学")
    assert "q=" in location and "found=" not in location
    assert listed(page, own, proxy, other) == {other.number}
    location, page = search(client, own.number)
    assert f"q={own.number}" in location
    assert listed(page, own, proxy, other) == {own.number}


def test_a_number_in_a_get_url_is_refused_not_searched(client, helper, cases):
    client.force_login(helper)
    response = client.get(LEDGER, {"q": NUMBER})
    body = response.content.decode()
    assert "以下筛选条件有误，已忽略" in body and "不放在网址中" in body


def test_digests_in_a_url_are_ignored_by_the_page(client, helper, cases):
    own, proxy, other = cases
    client.force_login(helper)
    digest = identity_search(NUMBER).digests[0]
    page = client.get(LEDGER, {"digest": digest})
    assert listed(page, own, proxy, other) == {own.number, proxy.number, other.number}


def test_the_reference_is_of_this_session_only(client, helper, cases, make_account, yiyuan):
    client.force_login(helper)
    location, _page = search(client, NUMBER)
    client.logout()
    client.force_login(helper)  # a new session: the reference means nothing there
    page = client.get(location)
    assert listed(page, *cases) == set()
    assert "已过期" in page.content.decode()


def test_the_reference_expires(client, helper, cases, settings):
    settings.BANGBAN_IDLE_MINUTES = 2 * FIND_SECONDS / 60  # the login outlives the reference
    client.force_login(helper)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        location, _page = search(client, NUMBER)
        clock.shift(dt.timedelta(seconds=FIND_SECONDS + 1))
        page = client.get(location)
    assert listed(page, *cases) == set()
    assert "已过期" in page.content.decode()


def test_the_search_keeps_paging_and_its_export_link(client, helper, cases):
    own, proxy, other = cases
    client.force_login(helper)
    location, page = search(client, NUMBER)
    body = page.content.decode()
    ref = location.split("found=")[1].split("&")[0]
    assert f"export.xlsx?found={ref}" in body
    assert f'name="found" value="{ref}"' in body  # changing another condition keeps the search


def test_a_background_export_of_a_search_stores_only_digests(
    client, helper, cases, monkeypatch, django_capture_on_commit_callbacks
):
    own, proxy, other = cases
    monkeypatch.setattr(excel_views, "EXPORT_AT_ONCE", 1)
    client.force_login(helper)
    location, _page = search(client, NUMBER)
    ref = location.split("found=")[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("cases:export"), {"found": ref})
    assert response.status_code == 302
    export = LedgerExport.objects.get(requested_by=helper)
    stored = json.dumps(export.query)
    assert NUMBER not in stored and NUMBER[6:14] not in stored
    assert set(export.query["digest"]) == set(identity_search(NUMBER).digests)
    export.refresh_from_db()
    assert export.status == LedgerExport.Status.DONE and export.rows == 2


def test_the_list_with_a_search_runs_the_same_number_of_queries(
    client, helper, cases, django_assert_num_queries
):
    client.force_login(helper)
    location, _page = search(client, NUMBER)
    client.get(LEDGER)
    with django_assert_num_queries(8):  # a helper's plain list (no figures from the tallies)
        listed(client.get(location), *cases)


# --- What counts as a number ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        NUMBER,
        NUMBER[:6] + NUMBER[8:17],  # the old 15-digit form
        "１３９０５３３７３９１",  # full-width, as a Chinese input method types it
        "+86 139-0533-7391",
        "0533-3241201",
        "E12345678",  # a passport
    ],
)
def test_whole_numbers_and_phones_are_searched_by_digest(text):
    found = identity_search(text)
    assert found is not None and found.digests
    assert found.shown and "*" in found.shown  # the page shows a mask, never what was typed


@pytest.mark.parametrize(
    "text", ["张秀英", "370323", "370323-2026", "370323-20261125-0042", "0042", "", "  "]
)
def test_names_and_case_numbers_are_not_numbers(text):
    assert identity_search(text) is None


def test_an_old_number_finds_the_same_applicant(client, helper, cases):
    own, proxy, other = cases
    client.force_login(helper)
    _location, page = search(client, NUMBER[:6] + NUMBER[8:17])
    assert listed(page, own, proxy, other) == {own.number, proxy.number}


# --- The API -----------------------------------------------------------------------------------------


@pytest.fixture
def api(client, helper):
    return Api(client, token_for(client, helper))


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["number"] for item in response.json()["items"]}


def test_the_api_searches_by_a_number_in_the_body(api, cases):
    own, proxy, other = cases
    assert numbers(api.post("/cases/search", {"number": NUMBER})) == {own.number, proxy.number}
    answer = api.post("/cases/search", {"number": PROXY_PHONE, "kind": "proxy"})
    assert numbers(answer) == {proxy.number}
    assert answer.json()["items"][0]["contact_phone_masked"] == "136****8462"
    assert PROXY_PHONE not in answer.content.decode()


def test_the_api_search_takes_the_ledger_filter_and_paging(api, cases):
    own, proxy, other = cases
    answer = api.post("/cases/search", {"number": NUMBER, "limit": 1, "sort": "registered"})
    assert numbers(answer) == {own.number}
    assert answer.json()["next_offset"] == 1
    bad = api.post(
        "/cases/search",
        {"number": NUMBER, "registered_from": "2026-11-25", "registered_to": "2026-11-01"},
    )
    assert_error(bad, 409, "registered_to")


def test_the_api_search_refuses_what_is_no_number(api, cases):
    errors = assert_error(api.post("/cases/search", {"number": "张秀英"}), 409, "number")
    assert errors[0]["loc"] == ["body", "number"]
    assert_error(api.post("/cases/search", {}), 422, "number")


def test_the_api_list_refuses_a_number_in_its_url(api, cases):
    errors = assert_error(api.get("/cases", q=NUMBER), 409, "q")
    assert errors[0]["type"] == "identity_in_url" and "POST" in errors[0]["msg"]
    assert_error(api.get("/cases", digest=identity_search(NUMBER).digests[0]), 422)


def test_the_api_search_sees_only_the_callers_cases(client, cases, make_account, yiyuan):
    elsewhere = make_account(Role.HELPER, yiyuan.station("鲁村镇", 1), username="search-elsewhere")
    api = Api(client, token_for(client, elsewhere))
    assert numbers(api.post("/cases/search", {"number": NUMBER})) == set()


def test_the_ledger_filter_of_the_api_and_the_export_reads_digests(cases):
    own, proxy, other = cases
    form = LedgerFilter({"digest": list(identity_search(PHONE).digests)})
    assert form.is_valid(), form.errors
    found = set(
        form.apply(Case.objects.all(), timezone.localdate()).values_list("number", flat=True)
    )
    assert found == {own.number, proxy.number}
    assert not LedgerFilter({"digest": [NUMBER]}).is_valid()  # only digests, never a number
