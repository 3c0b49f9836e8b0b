# ruff: noqa: F811 - the fixtures imported from tests.feedback.rectifying
"""The special supervisor (特邀监督员, docs/decisions/0059-special-supervisor.md) end to end: a county's
region administrator creates one on the account pages and through the API; they land on their
inspections and the navigation offers nothing else; and they see directory data only — never an
applicant's, a complainant's or a helper's.

The last is proved by walking the product rather than listing it: every named staff page that takes
no argument, the detail pages of one case, rating, rectification, complaint, helper and point, and
every GET operation of the OpenAPI document (its path parameters filled with those objects' ids)
answer a special supervisor 403 / 404, or a page or list in which none of those people's names,
the case's number or the complaint's words appear. A page added later is walked too.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from bangban.api import api as ninja_api
from bangban.cases.home_views import LANDING, work_of
from bangban.network import access
from bangban.network import actions as network_actions
from bangban.network.models import Membership, Role
from bangban.staff.actions import record_training, save_helper
from bangban.staff.models import Helper
from bangban.supervision.models import Category, Kind, Source
from tests.cases.conftest import person
from tests.conftest import PASSWORD
from tests.feedback.rectifying import (  # noqa: F401 - fixtures
    bad_review,
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    register,
    station,
)
from tests.network.test_api import Api, token_for
from tests.pages import page_text

pytestmark = pytest.mark.django_db

APPLICANT = "申请人甲某"
COMPLAINANT = "投诉人乙某"
HELPER_NAME = "帮办员丁某"
COMPLAINT_WORDS = "收取代办费二十元"
RATING_WORDS = "态度不好，让我跑了两趟"


# --- Creating one ----------------------------------------------------------------------------------


def test_a_county_admin_creates_a_special_supervisor_on_the_account_page(client, people):
    client.force_login(people.bureau)
    page = page_text(client.get(reverse("network:account_new")))
    assert 'value="special_supervisor"' in page
    assert "只能对本区域的服务点明查暗访" in page  # the help text says what the role is
    response = client.post(
        reverse("network:account_new"),
        {
            "role": Role.SPECIAL_SUPERVISOR,
            "region": people.county.pk,
            "username": "citizen-li",
            "full_name": "李监督",
            "password": "Cit1zen-Superv1sor",
            "password2": "Cit1zen-Superv1sor",
        },
    )
    assert response.status_code == 302, response.content[:500]
    membership = Membership.objects.get(user__username="citizen-li")
    assert (membership.role, membership.region) == (Role.SPECIAL_SUPERVISOR, people.county)


def test_a_county_admin_creates_a_special_supervisor_through_the_api(client, people):
    api = Api(client, token_for(client, people.bureau))
    response = api.post(
        "/accounts",
        {
            "role": "special_supervisor",
            "region": people.county.code,
            "username": "citizen-wang",
            "full_name": "王监督",
            "password": "Cit1zen-Superv1sor",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["role"] == "special_supervisor"
    assert response.json()["region"] == people.county.code


def test_a_town_admin_may_not_create_one(client, people):
    api = Api(client, token_for(client, people.town_admin))
    response = api.post(
        "/accounts",
        {
            "role": "special_supervisor",
            "region": people.county.code,
            "username": "citizen-zhao",
            "password": "Cit1zen-Superv1sor",
        },
    )
    assert response.status_code in (403, 404)
    assert not Membership.objects.filter(user__username="citizen-zhao").exists()


# --- Landing and navigation ------------------------------------------------------------------------


def test_a_special_supervisor_lands_on_their_inspections(client, people):
    assert work_of(people.special) == LANDING[Role.SPECIAL_SUPERVISOR]
    client.post(reverse("login"), {"username": people.special.username, "password": PASSWORD})
    response = client.get(reverse("home"))
    try:
        target = reverse(LANDING[Role.SPECIAL_SUPERVISOR])
    except NoReverseMatch:  # the inspection pages are not merged in yet: the home page holds
        target = None
    if target is not None:
        assert response.status_code == 302 and response["Location"] == target
    else:
        assert "工作台账" not in page_text(response)


def test_who_also_serves_at_a_point_lands_on_their_cases(people):
    network_actions.grant_membership(
        people.special, role=Role.HELPER, binding=people.station, by=people.bureau
    )
    people.special.refresh_from_db()
    assert work_of(people.special) == "helper"


NAV_FORBIDDEN = [
    ("cases:ledger", "工作台账"),
    ("network:tree", "服务网络"),
    ("catalog:items", "事项目录"),
    ("staff:helpers", "人员培训"),
    ("staff:compliance", "达标情况"),
    ("feedback:ratings", "好差评"),
    ("network:accounts", "账号管理"),
    ("network:department_list", "部门和合作单位"),
]


def _nav(body: str) -> str:
    return re.search(r'<nav class="navbar.*?</nav>', body, re.S).group(0)


def test_the_navigation_offers_a_special_supervisor_nothing_else(client, people):
    client.force_login(people.special)
    nav = _nav(page_text(client.get(reverse("cases:workflow"))))
    for name, label in NAV_FORBIDDEN:
        assert f'href="{reverse(name)}"' not in nav and label not in nav, name
    assert f'href="{reverse("staff:directory")}"' in nav  # directory data: theirs
    client.force_login(people.supervisor)  # the control: a supervisor is offered the ledger
    nav = _nav(page_text(client.get(reverse("cases:workflow"))))
    assert f'href="{reverse("cases:ledger")}"' in nav and "好差评" in nav


def test_directory_only_is_asked_of_the_memberships(people):
    assert access.directory_only(people.special)
    assert not access.directory_only(people.supervisor)
    assert not access.directory_only(people.helper)


# --- Never an applicant's data ---------------------------------------------------------------------


@pytest.fixture
def world(people, register, bad_review, complain, item, organiser):
    """One of everything a special supervisor must not see, each named by a sentinel: a helper
    with a profile, a case of an applicant registered by them, a bad review of it with its
    rectification, and a fee complaint (confidential) about them."""
    named = network_actions.create_account(
        username="helper-sentinel",
        password=PASSWORD,
        role=Role.HELPER,
        binding=people.station,
        full_name=HELPER_NAME,
        by=None,
    )
    profile = save_helper(
        named, by=None, origin=Helper.Origin.WINDOW, started_on=dt.date(2020, 1, 1)
    )
    record_training(
        organiser,
        held_on=dt.date(2021, 1, 1),
        topic="帮办代办业务培训",
        results={profile: True},
        by=None,
    )
    case = register(by=named, responsible=named, applicant=person(name=APPLICANT))
    rectification = bad_review(by=named)
    complaint = complain(
        name=COMPLAINANT,
        content=COMPLAINT_WORDS,
        helper=named,
        category=Category.FEE,
        kind=Kind.REPORT,
        source=Source.MAILBOX,
        ticket_no="",
    )
    return {
        "case": case,
        "rectification": rectification,
        "rating": rectification.rating,
        "complaint": complaint,
        "profile": profile,
        "item": item,
        "sentinels": [
            APPLICANT,
            COMPLAINANT,
            HELPER_NAME,
            COMPLAINT_WORDS,
            RATING_WORDS,
            case.number,
        ],
    }


def _named_patterns(resolver: URLResolver, namespace: str = ""):
    """Every named URL pattern, as its full name ("cases:ledger")."""
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


#: The linkage directory (联动信息库): directory data, every signed-in user's — helpers' names and
#: work phones included, never an applicant's or a complainant's.
DIRECTORY_PAGES = {"staff:directory", "staff:directory_export"}
DIRECTORY_READS = {"/directory/points", "/directory/helpers"}
#: Reads of nobody's data: the working-day calendar.
CALENDAR_READS = {"/calendar/years", "/calendar/years/2026/days"}
#: Reads of nobody's data that a special supervisor inspects with: the county's checklists.
CHECKLIST_READS = {"/checklists"}

#: Pages that are not the product's data: the login and logout, the language switch, the idle
#: session's heartbeat, Django's admin (which asks staff status and redirects to its own login).
NOT_DATA = {"login", "logout", "set_language", "network:session", "network:session_back"}


def _not_directory(sentinels, url) -> list[str]:
    """The sentinels `url` must not show: all, or the directory's all but the helper's name."""
    directory = {reverse(name) for name in DIRECTORY_PAGES} | DIRECTORY_READS
    return [s for s in sentinels if s != HELPER_NAME] if url in directory else sentinels


def _staff_urls() -> list[str]:
    urls = []
    for name in sorted(set(_named_patterns(get_resolver()))):
        if name in NOT_DATA or name.startswith(("admin:", f"{ninja_api.urls_namespace}:")):
            continue
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue  # takes arguments: the detail pages are walked below with real objects
    return urls


def _detail_urls(world, people) -> list[str]:
    case, rect, complaint = world["case"], world["rectification"], world["complaint"]
    urls = [
        reverse("cases:case", args=[case.number]),
        reverse("feedback:rating", args=[world["rating"].pk]),
        reverse("feedback:rectification", args=[rect.pk]),
        reverse("network:point", args=[people.station.pk]),
        reverse("network:chart", args=[people.station.pk]),
        reverse("staff:helper", args=[world["profile"].pk]),
    ]
    for name, args in [
        ("supervision:complaint", [complaint.pk]),
        ("network:department_edit", [_department(people).pk]),
        ("feedback:settings", [people.county.code]),
        ("network:organisation_edit", [people.partner.organisation_id]),
    ]:
        try:
            urls.append(reverse(name, args=args))
        except NoReverseMatch:
            continue  # a page of a parallel branch, walked once merged
    return urls


def _shows_nothing(response, sentinels) -> str | None:
    """Why `response` leaks (None when it does not): a 200 naming one of the sentinels."""
    if response.status_code in (403, 404, 405):
        return None
    if response.status_code in (301, 302):
        location = response["Location"]
        if "/login/" in location or location.startswith(("/supervision/", "/mailbox/", "/p/")):
            return None
        return f"redirects to {location}"
    if response.status_code != 200:
        return f"status {response.status_code}"
    text = _text_of(response)
    if text is None:
        return f"a {response['Content-Type']} file"
    found = [s for s in sentinels if s in text]
    return f"shows {found}" if found else None


def _text_of(response) -> str | None:
    """What a page or a download says: its text, or every cell of a workbook (None: unread)."""
    body = b"".join(response) if response.streaming else response.content
    kind = response["Content-Type"]
    if kind.startswith(XLSX):
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if kind.startswith(("text/", "application/json", "image/svg+xml")):
        return body.decode()
    return None


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_no_staff_page_shows_a_special_supervisor_anyone_s_data(client, people, world):
    client.force_login(people.special)
    urls = _staff_urls() + _detail_urls(world, people)
    assert reverse("cases:ledger") in urls and reverse("feedback:ratings") in urls
    leaks = {
        url: why
        for url in urls
        if (why := _shows_nothing(client.get(url), _not_directory(world["sentinels"], url)))
    }
    assert not leaks, leaks


def test_the_linkage_directory_is_theirs(client, people, world):
    """Directory data: the helpers' names and work phones, every point's name and hours."""
    client.force_login(people.special)
    page = page_text(client.get(reverse("staff:directory"), {"show": "helpers"}))
    assert HELPER_NAME in page
    page = page_text(client.get(reverse("staff:directory"), {"q": people.station.name}))
    assert people.station.name in page


def test_the_same_pages_show_a_supervisor_the_data(client, people, world):
    """The control: the walk finds the sentinels when they are in scope."""
    client.force_login(people.bureau)
    urls = _staff_urls() + _detail_urls(world, people)
    leaks = [url for url in urls if _shows_nothing(client.get(url), world["sentinels"])]
    assert reverse("cases:ledger") in leaks
    assert reverse("cases:case", args=[world["case"].number]) in leaks


def _api_paths(world, people) -> list[str]:
    """Every GET operation of the OpenAPI document, its path parameters filled with real ids."""
    values = {
        "point_id": people.station.pk,
        "code": people.county.code,
        "department_id": _department(people).pk,
        "organisation_id": people.partner.organisation_id,
        "equipment_id": 1,
        "year": 2026,
        "helper_id": world["profile"].pk,
        "organiser_id": 1,
        "training_id": 1,
        "item_id": world["item"].pk,
        "number": world["case"].number,
        "rating_id": world["rating"].pk,
        "id": world["rectification"].pk,
        "complaint_id": world["complaint"].pk,
        "card": "0",
    }
    paths = []
    prefix = "/api/v1"
    for path, operations in ninja_api.get_openapi_schema()["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", path)
        filled = path
        for name in names:
            filled = filled.replace(f"{{{name}}}", str(values.get(name, 1)))
        paths.append(filled.removeprefix(prefix))
    return paths


def _department(people):
    from bangban.network.models import Department

    return Department.objects.filter(county=people.county).order_by("pk")[0]


def _api_leak(response, sentinels, path: str = "") -> str | None:
    """Why an API answer leaks: a 200 naming a sentinel, or (but for the directory, the calendar
    and the checklists) a list with anything in it."""
    if response.status_code in (401, 403, 404, 422):  # 401: a device's read, not a person's
        return None
    if response.status_code != 200:
        return f"status {response.status_code}"
    body = response.json()
    text = json.dumps(body, ensure_ascii=False)
    found = [s for s in sentinels if s in text]
    if found:
        return f"shows {found}"
    if path in DIRECTORY_READS | CALENDAR_READS | CHECKLIST_READS:
        return None
    if isinstance(body, dict) and body.get("count"):
        return f"lists {body['count']}"
    return None


def test_no_api_read_gives_a_special_supervisor_anyone_s_data(client, people, world):
    api = Api(client, token_for(client, people.special))
    paths = _api_paths(world, people)
    assert "/cases" in paths and f"/cases/{world['case'].number}" in paths
    leaks = {
        path: why
        for path in paths
        if (why := _api_leak(api.get(path), _not_directory(world["sentinels"], path), path))
    }
    assert not leaks, leaks
    helpers = api.get("/directory/helpers").json()
    assert HELPER_NAME in json.dumps(helpers, ensure_ascii=False)  # the directory is theirs


def test_the_same_api_reads_give_the_county_admin_the_data(client, people, world):
    api = Api(client, token_for(client, people.bureau))
    paths = _api_paths(world, people)
    leaks = [path for path in paths if _api_leak(api.get(path), world["sentinels"])]
    assert "/cases" in leaks and "/ratings" in leaks


# --- While the public directory works --------------------------------------------------------------


def test_the_public_catalog_works_for_a_special_supervisor(client, people, world):
    client.force_login(people.special)
    item = world["item"]
    page = page_text(client.get(reverse("portal:item", args=[item.pk])))
    assert item.current.name in page
    client.logout()
    assert item.current.name in page_text(client.get(reverse("portal:item", args=[item.pk])))
