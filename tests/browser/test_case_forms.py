"""The case forms in a real browser (issue 11, item 6): registering by keyboard alone; a failed submit
moving the focus to the summary of its errors, each a link to its field; a chosen authorisation scan
kept across it; 撤回, 不予受理 and 办结 asking to be confirmed (cancel changes nothing, confirm does
it); the transfer's receiver list following the chosen point; and axe-core clean on each page of
it at 1366 and 360 px."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bangban.cases import actions
from bangban.cases.actions import ApplicantData, AuthorisationData, Registration
from bangban.cases.models import Case
from bangban.cases.workflow import State

from ..cases.conftest import resident_id
from ..catalog.conftest import make_item  # noqa: F401 - a fixture
from ..staff.conftest import make_helper, organiser  # noqa: F401 - fixtures
from .test_case_story import context_for, no_violations
from .test_catalog import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 360)


@pytest.fixture
def world(yiyuan_committed, make_helper, make_item):  # noqa: F811 - the imported fixtures
    station = yiyuan_committed.station("鲁村镇")
    subzone = yiyuan_committed.subzone("medical_insurance")
    return {
        "station": station,
        "subzone": subzone,
        "town": yiyuan_committed.town("鲁村镇"),
        "item": make_item(),
        "helper": make_helper(station).user,
        "subzone_helper": make_helper(subzone).user,
        "town_helper": make_helper(yiyuan_committed.town("鲁村镇")).user,
    }


def register(world, *, proxy: bool = False) -> Case:
    authorisation = None
    if proxy:
        authorisation = AuthorisationData(
            principal="王桂兰",
            scope="代为办理参保登记",
            authorised_on=timezone.localdate(),
            scan=SimpleUploadedFile("委托书.pdf", b"%PDF-1.4 signed", "application/pdf"),
        )
    applicant = ApplicantData(
        kind="person",
        name="王桂兰",
        document_type="resident_id",
        number=resident_id(born="19460312"),
        phone="13905335678",
    )
    return actions.register_case(
        world["station"],
        registration=Registration(
            applicant=applicant,
            item=world["item"],
            kind="proxy" if proxy else "assisted",
            mode="on_site",
            channel="walk_in",
            received_on=timezone.localdate(),
            responsible=world["helper"],
            authorisation=authorisation,
        ),
        by=world["helper"],
    )


@pytest.fixture
def helper_page(chromium, live_server, world):
    context = context_for(chromium, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, world["helper"].username)
    yield page
    context.close()


def focused(page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {tag: e.tagName, id: e.id, name: e.getAttribute('name') || '',"
        " value: e.value || '', text: (e.textContent || '').trim().slice(0, 80)}; }"
    )


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the focused element matches `selector`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}; at {focused(page)}")


def at_widths(page, axe, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        no_violations(axe, page, f"{name} at {width} px")
    page.set_viewport_size({"width": 1366, "height": 900})


# --- Registering by keyboard alone -------------------------------------------------------------------


def test_registering_a_case_by_keyboard_alone(helper_page, live_server, world, axe):
    page, item = helper_page, world["item"]
    url = f"{live_server.url}/cases/new/"
    page.goto(url)
    at_widths(page, axe, "registration page")

    tab_to(page, "input[name=item_q]")
    page.keyboard.type("参保", delay=40)
    page.keyboard.press("Enter")  # Enter in the search box searches, and submits nothing
    page.locator("#item-results input[name=item]").first.wait_for()
    assert page.url == url and Case.objects.count() == 0
    page.keyboard.press("ArrowDown")  # into the results
    page.keyboard.press("Space")
    assert page.locator(f"#item-{item.pk}").is_checked()
    page.locator("#item-detail details").wait_for()

    tab_to(page, "input[name=mode]")
    for _ in range(6):
        if focused(page)["value"] == "on_site":
            break
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    assert page.locator("#mode-on_site").is_checked()

    tab_to(page, "input[name=name]")
    page.keyboard.type("王桂兰")
    tab_to(page, "input[name=number]")
    page.keyboard.type(resident_id(born="19460312"))
    assert "老年人" in page.locator("[data-id-derived]").inner_text()
    tab_to(page, "input[name=phone]")
    page.keyboard.type("13905335678")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in a text field registers

    case = Case.objects.get()
    assert page.url.endswith(f"/cases/{case.number}/?registered=1")
    assert case.item == item and case.mode == "on_site" and case.responsible == world["helper"]
    assert f"已登记，办件编号 {case.number}" in page.locator(".messages").inner_text()


def test_a_failed_submit_moves_the_focus_to_its_errors_and_keeps_the_scan(
    helper_page, live_server, world, axe, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = helper_page
    page.goto(f"{live_server.url}/cases/new/")
    page.get_by_label("姓名或名称").fill("王桂兰")
    page.get_by_role("radio", name="代办", exact=True).check()
    page.get_by_label("委托人").fill("王桂兰")
    page.locator("input[name=scan]").set_input_files(
        {"name": "委托书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 signed"}
    )
    page.get_by_label("申请人电话").fill("1390533")
    with page.expect_navigation():
        page.get_by_label("申请人电话").press("Enter")

    summary = page.locator("#error-summary")
    assert focused(page)["id"] == "error-summary"
    text = summary.inner_text()
    # Every problem at once: the item, the way of serving, the phone, the authorisation's.
    for problem in ("事项", "手机号码", "委托事项和权限", "委托日期"):
        assert problem in text, text
    assert "已选择：委托书.pdf（保留）" in page.locator(".kept-scan").inner_text()
    assert page.locator("input[name=item_q]").get_attribute("aria-invalid") == "true"
    at_widths(page, axe, "registration page with errors")

    # The summary's links lead to the fields.
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "A"
    link = summary.get_by_role("link", name=re.compile("申请人电话"))
    link.focus()
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_phone"
    assert Case.objects.count() == 0


# --- Confirming what ends a case ---------------------------------------------------------------------


def _open(page, action: str):
    panel = page.locator(f"#act-{action}")
    panel.locator("summary").click()
    return panel


@pytest.mark.parametrize(
    ("action", "label", "fill", "after"),
    [
        ("withdraw", "撤回", {"撤回原因": "申请人不再办理"}, State.WITHDRAWN),
        (
            "refuse",
            "不予受理",
            {"不予受理的理由": "不属于本县受理范围", "决定文号": "沂医保不受字〔2026〕3号"},
            State.REFUSED,
        ),
        ("complete", "办结", {}, State.COMPLETED),
    ],
)
def test_the_actions_that_end_a_case_ask_first(
    helper_page, live_server, world, axe, action, label, fill, after
):
    page = helper_page
    case = register(world)
    if action == "complete":
        lines = case.materials.all()
        actions.set_material_status(
            case, statuses={line.material_id: "received" for line in lines}, by=world["helper"]
        )
        actions.accept_case(case, by=world["helper"])
    before = Case.objects.get(pk=case.pk).status
    case_url = f"{live_server.url}/cases/{case.number}/"
    page.goto(case_url)
    if action != "complete":
        at_widths(page, axe, "case page")

    def ask():
        panel = _open(page, action)
        for field, value in fill.items():
            panel.get_by_label(field).fill(value)
        with page.expect_navigation():
            panel.get_by_role("button", name=label, exact=True).click()
        heading = page.locator("#confirm-title")
        assert heading.inner_text().startswith(f"确认{label}")
        assert focused(page)["id"] == "confirm-title"

    ask()
    at_widths(page, axe, f"{label} confirmation")
    with page.expect_navigation():
        page.get_by_role("link", name="取消，不办理").click()
    assert page.url == case_url
    assert Case.objects.get(pk=case.pk).status == before

    ask()
    with page.expect_navigation():
        page.get_by_role("button", name=f"确认{label}").click()
    assert page.url == case_url
    assert Case.objects.get(pk=case.pk).status == after
    assert f"已{label}" in page.locator(".messages").inner_text()


def test_the_action_page_and_its_errors(helper_page, live_server, world, axe):
    page = helper_page
    case = register(world)
    page.goto(f"{live_server.url}/cases/{case.number}/act/refuse/")
    at_widths(page, axe, "refusal page")
    with page.expect_navigation():
        page.get_by_role("button", name="不予受理", exact=True).click()
    assert focused(page)["id"] == "error-summary"
    assert "请填写不予受理决定的文号" in page.locator("#error-summary").inner_text()
    at_widths(page, axe, "refusal page with errors")


# --- The transfer's receivers follow the chosen point ---------------------------------------------------


def test_the_receiver_list_follows_the_chosen_point(helper_page, live_server, world, axe):
    page = helper_page
    case = register(world)
    page.goto(f"{live_server.url}/cases/{case.number}/act/transfer/")
    at_widths(page, axe, "transfer page")
    receiver = page.get_by_label("指定接收人（可不选）")

    def offered() -> list[str]:
        return page.evaluate(
            "() => [...document.querySelectorAll('select[name=to_helper] option')]"
            ".filter(o => !o.disabled && !o.parentElement.disabled).map(o => o.value)"
        )

    assert offered() == [""]
    page.get_by_role("radio", name=re.compile(world["subzone"].name)).check()
    assert offered() == ["", str(world["subzone_helper"].pk)]
    receiver.select_option(str(world["subzone_helper"].pk))
    page.get_by_role("radio", name=re.compile(f"^{world['town'].name}")).check()
    assert offered() == ["", str(world["town_helper"].pk)]
    assert receiver.input_value() == ""  # the one of the other point is no longer chosen


def test_the_case_page_of_a_proxy_case_shows_its_scan(
    helper_page, live_server, world, axe, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = helper_page
    case = register(world, proxy=True)
    page.goto(f"{live_server.url}/cases/{case.number}/")
    link = page.get_by_role("link", name=re.compile("查看扫描件"))
    assert link.get_attribute("href") == f"/cases/{case.number}/authorisation-scan/"
    at_widths(page, axe, "case page of a proxy case")
    response = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
