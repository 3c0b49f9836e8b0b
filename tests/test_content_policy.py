"""Every page under the Content-Security-Policy (docs/decisions/0044-content-security-policy.md).

The header is on every page, each role's and the public portal's, the error pages with DEBUG on or off,
the Django admin's; it is enforced (not report-only) and allows no inline code. The pages it is sent
with hold none either: no <script> without `src` (except the JSON data of `json_script`), no <style>
element, no style="" attribute, no on…="" handler, no hx-on, no javascript: address. The templates and
our own scripts are checked too, so a page no test opens stays compliant. The browser tests check what
a browser makes of it (tests/browser/conftest.py: any violation fails the test).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from bangban.cases import actions as case_actions
from bangban.cases.models import CaseMaterial
from bangban.network.models import Role
from tests.cases.conftest import (  # noqa: F401 - fixtures
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    person,
    register,
    station,
)

SRC = Path(__file__).resolve().parents[1] / "src" / "bangban"
HEADER = "Content-Security-Policy"
#: The policy of decision 0044, directive by directive.
POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
    "base-uri": {"'self'"},
    "object-src": {"'none'"},
}


class InlineCode(HTMLParser):
    """The inline code in an HTML page, as short descriptions (an empty list is a pass)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        where = f"<{tag} {' '.join(name for name, _value in attrs)}>"
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.found.append(f"inline script {where}")
        if tag == "style":
            self.found.append("a <style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style={value!r} on {where}")
            elif name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"handler {name}={value!r} on {where}")
            elif value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: in {name} on {where}")
            elif name in {"hx-vals", "hx-vars", "hx-headers"} and value and "js:" in value:
                self.found.append(f"js: in {name} on {where}")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def directives(policy: str) -> dict[str, set[str]]:
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {part[0]: set(part[1:]) for part in parts}


def problems(response, name: str) -> list[str]:
    """What is wrong with `response` under the policy: its header, and its HTML's inline code."""
    found = []
    policy = response.get(HEADER)
    if not policy:
        return [f"{name}: no {HEADER} header ({response.status_code})"]
    if "'unsafe-inline'" in policy or "'unsafe-eval'" in policy:
        found.append(f"{name}: {policy}")
    if directives(policy) != POLICY:
        found.append(f"{name}: the policy is {policy}")
    if f"{HEADER}-Report-Only" in response:
        found.append(f"{name}: a report-only policy as well")
    if response.get("Content-Type", "").startswith("text/html"):
        found += [f"{name}: {line}" for line in inline_code(response.content.decode())]
    return found


def check(client: Client, pages: dict[str, str], status: int = 200) -> None:
    found = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == status, (name, url, response.status_code)
        found += problems(response, name)
    assert found == []


# --- The parser itself ------------------------------------------------------------------------------


def test_the_check_finds_each_kind_of_inline_code():
    page = """<html><head><style>p{}</style><script>alert(1)</script>
    <script src="/static/x.js"></script><script type="application/json" id="d">{"a": 1}</script></head>
    <body onload="go()"><p style="color:red">x</p><a href="javascript:go()">y</a>
    <button hx-on:click="go()">z</button><div hx-vals='js:{a: go()}'></div></body></html>"""
    found = inline_code(page)
    assert len(found) == 7, found
    assert inline_code('<script src="/a.js" defer></script><p class="x" data-on="1">') == []


# --- The pages ---------------------------------------------------------------------------------------


@pytest.fixture
def case(register, helper):  # noqa: F811 - the imported fixture
    """An accepted case of the helper's station."""
    case = register(applicant=person(phone="13805331234"))
    statuses = {line.material_id: CaseMaterial.Status.RECEIVED for line in case.materials.all()}
    case_actions.set_material_status(case, statuses=statuses, by=helper)
    case_actions.accept_case(case, by=helper)
    return case


def test_a_helpers_pages(client, helper, station, item, case):  # noqa: F811
    client.force_login(helper)
    check(
        client,
        {
            "home": reverse("home"),
            "ledger": reverse("cases:ledger"),
            "register": reverse("cases:register"),
            "case": reverse("cases:case", args=[case.number]),
            "action": reverse("cases:act", args=[case.number, "refuse"]),
            "receipt": reverse("cases:receipt", args=[case.number]),
            "workflow": reverse("cases:workflow"),
            "catalog": reverse("catalog:items"),
            "item": reverse("catalog:item", args=[item.pk]),
            "item print": reverse("catalog:item_print", args=[item.pk]),
            "network": reverse("network:tree"),
            "point": reverse("network:point", args=[station.pk]),
            "chart": reverse("network:chart", args=[station.pk]),
            "helpers": reverse("staff:helpers"),
            "compliance": reverse("staff:compliance"),
            "directory": reverse("staff:directory"),
        },
    )


def test_a_county_administrators_pages(client, yiyuan, make_account):
    client.force_login(make_account(Role.REGION_ADMIN, yiyuan.county))
    check(
        client,
        {
            "home": reverse("home"),
            "calendar": reverse("workdays:calendar"),
            "departments": reverse("network:department_list"),
            "accounts": reverse("network:accounts"),
            "chart": reverse("network:chart_home"),
            "trainings": reverse("staff:organisers"),
            "cases import": reverse("cases:import"),
            "exports": reverse("cases:exports"),
            "new item": reverse("catalog:item_new"),
        },
    )


def test_the_public_pages(client, item, case):  # noqa: F811
    check(client, {"login": reverse("login"), "item": reverse("portal:item", args=[item.pk])})
    url = reverse("portal:case", args=[case.public_token])
    check(client, {"case, before the code": url})
    response = client.post(url, {"code": "1234"}, follow=True)
    assert response.status_code == 200 and response.redirect_chain
    assert problems(response, "case, after the code") == []


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_the_error_pages(client, helper, debug):  # noqa: F811
    with override_settings(DEBUG=debug, ROOT_URLCONF="tests.test_errors"):
        anonymous = Client(raise_request_exception=False)
        check(anonymous, {"404": "/no/such/page/"}, status=404)
        check(anonymous, {"500": "/boom/"}, status=500)
        client.force_login(helper)
        check(client, {"404 of a user": reverse("network:point", args=[999999999])}, status=404)
        check(client, {"400": reverse("cases:ledger") + "?q=%00"}, status=400)
        check(client, {"403": "/forbidden/"}, status=403)
    refused = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x"})
    assert refused.status_code == 403
    assert problems(refused, "csrf") == []


def test_the_admin(client, yiyuan):
    admin = get_user_model().objects.create_superuser("root-csp", password="Secure-pass-123")
    client.force_login(admin)
    check(
        client,
        {
            "index": reverse("admin:index"),
            "list": reverse("admin:network_servicepoint_changelist"),
            "form": reverse(
                "admin:network_servicepoint_change", args=[yiyuan.station("鲁村镇").pk]
            ),
        },
    )


# --- The sources: a page no test opens stays compliant too ------------------------------------------

TEMPLATE_CODE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|<style[\s>]|\sstyle=|\son[a-z]+=|hx-on|javascript:|js:",
    re.IGNORECASE,
)
SCRIPT_CODE = re.compile(
    r"setAttribute\(\s*[\"'](style|on[a-z]+)[\"']|\beval\(|new Function\(|<style|\sstyle=|\son[a-z]+=",
)


def test_no_template_holds_inline_code():
    templates = sorted(SRC.glob("**/templates/**/*.html"))
    assert len(templates) > 50
    found = [
        f"{path.relative_to(SRC)}: {match.group(0)}"
        for path in templates
        for match in TEMPLATE_CODE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_our_scripts_add_no_inline_code():
    scripts = sorted((SRC / "static" / "bangban").glob("*.js"))
    assert scripts
    found = [
        f"{path.name}: {match.group(0)}"
        for path in scripts
        for match in SCRIPT_CODE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_djangos_technical_pages_go_without_the_header(db):
    """BANGBAN_DEBUG_PAGES=1 (with DEBUG) asks for Django's own 404 and 500 pages, which are inline
    styles and scripts throughout: those alone go without the policy (as django-csp has it)."""
    with override_settings(DEBUG=True, BANGBAN_DEBUG_PAGES=True, ROOT_URLCONF="tests.test_errors"):
        anonymous = Client(raise_request_exception=False)
        for url, status in [("/no/such/page/", 404), ("/boom/", 500)]:
            response = anonymous.get(url)
            assert response.status_code == status
            assert HEADER not in response
        assert HEADER in anonymous.get(reverse("login"))
