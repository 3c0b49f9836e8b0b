"""Issue 5's story, played in a real browser with real clicks and typing (Deliver "What a user gets").

A qualified helper at a village station of 鲁村镇 registers an 80-year-old villager's matter (the item
picked by typing a few characters, the ID number filling birth date, age and 老年人), issues one
one-time notice for the two missing materials and prints it, receives them and accepts the case,
transfers it to the county's 医保 sub-zone; a helper there accepts it from the inbox, records progress
and completes it; the village helper, still first responsible, sees every step and the messages sent
to the applicant, prints the receipt, and the villager follows its QR code on a phone with the last
four digits of the phone. Every page of the story has no serious or critical axe-core violations.

Only the world is set up through actions (accounts, qualified helpers, the item); the story itself is
nothing but clicks and typing.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from bangban.cases.models import Case, Transfer
from bangban.cases.workflow import State
from bangban.catalog.models import Material

from ..cases.conftest import resident_id
from ..catalog.conftest import make_item  # noqa: F401 - a fixture
from ..staff.conftest import make_helper, organiser  # noqa: F401 - fixtures
from .test_catalog import log_in, pdf_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPLICANT = "王桂兰"
PHONE = "13905335678"
MASKED_PHONE = "139****5678"
BORN = "19460312"


@pytest.fixture
def world(yiyuan_committed, make_helper, make_item):  # noqa: F811 - the imported fixtures
    """The village helper, the sub-zone's helper and the item (two required materials, one
    optional), made through the staff and catalog actions."""
    station = yiyuan_committed.station("鲁村镇")
    subzone = yiyuan_committed.subzone("medical_insurance")
    item = make_item()
    materials = list(item.current.materials.order_by("position"))
    required = [m for m in materials if m.necessity == Material.Necessity.REQUIRED]
    optional = [m for m in materials if m.necessity == Material.Necessity.OPTIONAL]
    assert len(required) == 2 and len(optional) == 1
    return {
        "station": station,
        "subzone": subzone,
        "item": item,
        "required": required,
        "optional": optional,
        "villager_helper": make_helper(station).user,
        "subzone_helper": make_helper(subzone).user,
    }


def context_for(chromium, **options):
    """A fresh browser (its own cookies), as a person at another desk or on a phone."""
    values = {
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1280, "height": 900},
    }
    values.update(options)
    return chromium.new_context(**values)


def no_violations(axe, page, name: str):
    violations = axe(page)
    assert violations == [], f"{name}: {violations}"


def shoot(shots, page, name: str):
    if shots:
        page.screenshot(path=str(shots / f"story-{name}.png"), full_page=True)


def open_action(page, action: str):
    """Open an action's form in the case page's panel (a <details>) and return it."""
    panel = page.locator(f"#act-{action}")
    panel.locator("summary").click()
    return panel


def facts(page, where: str = "header dl.facts") -> dict[str, str]:
    """A list of facts of the case page as label → text: the header's (承诺期限, 受理日期, …) or,
    with `where="#item-heading + dl"`, the item's and the handling's (承办服务点, 首问负责人, …)."""
    rows = page.locator(where)
    labels = rows.locator("> dt").all_inner_texts()
    values = rows.locator("> dd").all_inner_texts()
    return dict(zip(labels, values, strict=True))


def test_a_village_case_from_registration_to_the_villagers_phone(
    chromium, live_server, world, axe, shots
):
    url = live_server.url
    station, subzone, item = world["station"], world["subzone"], world["item"]
    first, second = world["required"]
    optional = world["optional"][0]
    number_typed = resident_id(born=BORN)
    today = timezone.localdate()

    # --- 1. The village helper registers the matter --------------------------------------------
    village = context_for(chromium)
    page = village.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, world["villager_helper"].username)
    page.get_by_role("link", name="工作台账").first.click()
    page.wait_for_url(f"{url}/cases/")
    page.get_by_role("link", name="登记新办件").click()
    page.wait_for_url(f"{url}/cases/new/")
    assert station.name in page.locator("form[data-register-form]").inner_text()

    page.get_by_label("搜索事项").press_sequentially("参保", delay=60)
    page.get_by_role("radio", name=re.compile(item.current.name)).check()
    # The picked item's ways of serving and its checklist come in place of the six ways.
    page.locator("#item-detail details").wait_for()
    assert first.name in page.locator("#item-detail").inner_text()
    page.get_by_role("radio", name="现场办", exact=True).check()

    page.get_by_label("姓名或名称").fill(APPLICANT)
    page.get_by_label("证件号码").press_sequentially(number_typed, delay=20)
    derived = page.locator("[data-id-derived]")
    assert re.sub(r"\s+", "", derived.inner_text()) == "出生日期：1946-03-12年龄：80老年人"
    assert page.get_by_label("出生日期").input_value() == "1946-03-12"
    page.get_by_label("申请人电话").fill(PHONE)
    page.get_by_role("radio", name="帮办", exact=True).check()
    no_violations(axe, page, "registration page")
    shoot(shots, page, "1-register")
    with page.expect_navigation():
        page.get_by_role("button", name="登记", exact=True).click()

    case = Case.objects.get()
    assert page.url == f"{url}/cases/{case.number}/?registered=1"
    assert page.get_by_role("heading", level=1).inner_text() == f"办件 {case.number}"
    assert f"已登记，办件编号 {case.number}" in page.locator(".messages").inner_text()
    assert page.get_by_role("link", name="打印受理回执").first.is_visible()
    assert "老年人" in page.locator("#applicant-heading + dl").inner_text()
    assert (
        case.item == item
        and case.elderly
        and case.mode == "on_site"
        and case.kind == Case.Kind.ASSISTED
    )
    assert case.applicant.birth_date() == dt.date(1946, 3, 12)
    no_violations(axe, page, "case page, just registered")
    shoot(shots, page, "1-case")

    # --- 2. Two materials are missing: one written one-time notice lists both ------------------
    notice_form = open_action(page, "notice")
    for material, reason, note in [
        (first, "缺少", "未带身份证原件"),
        (second, "内容不完整", "登记表未签字"),
    ]:
        row = notice_form.locator(".notice-line").filter(has_text=material.name)
        row.get_by_role("checkbox", name=material.name).check()
        row.get_by_label("原因").select_option(label=reason)
        row.get_by_label("说明").fill(note)
    supply_by = today + dt.timedelta(days=7)
    notice_form.get_by_label("补正期限").fill(supply_by.isoformat())
    with page.expect_navigation():
        notice_form.get_by_role("button", name="一次性告知").click()
    notice = case.notices.get()
    assert f"已出具一次性告知书 {notice.number}" in page.locator(".messages").inner_text()
    assert page.locator(".state").first.inner_text() == "待补正材料"

    page.get_by_role("link", name=notice.number).click()
    page.wait_for_url(f"{url}/cases/{case.number}/notices/{notice.number}/")
    sheet = page.locator("article.doc-sheet")
    text = sheet.inner_text()
    assert notice.number in text
    assert first.name in text and second.name in text
    assert "登记表未签字" in text and "内容不完整" in text
    assert optional.name not in text
    no_violations(axe, page, "printed notice")
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="打印").is_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) >= 1
    if shots:
        (shots / "story-notice.pdf").write_bytes(pdf)
    page.get_by_role("link", name="返回办件").click()
    page.wait_for_url(f"{url}/cases/{case.number}/")

    # --- 3. The materials arrive: received, and the case is accepted (受理) -----------------------
    received = open_action(page, "materials_received")
    for material in (first, second):
        received.get_by_label(material.name).select_option(label="已收取")
    received.get_by_label(optional.name).select_option(label="不需要")
    with page.expect_navigation():
        received.get_by_role("button", name="收取材料").click()
    table = page.locator("#materials-heading + table")
    assert table.locator("tr", has_text=first.name).locator("td").nth(2).inner_text() == "已收取"
    assert table.locator("tr", has_text=second.name).locator("td").nth(2).inner_text() == "已收取"

    accept = open_action(page, "accept")
    with page.expect_navigation():
        accept.get_by_role("button", name="受理").click()
    case.refresh_from_db()
    assert page.locator(".state").first.inner_text() == "已受理办理中"
    assert case.accepted_on == today and case.promised_deadline is not None
    shown = facts(page)
    assert shown["受理日期"] == today.isoformat()
    assert shown["承诺期限"].startswith(case.promised_deadline.isoformat())

    # --- 4. Transferred to the county's 医保 sub-zone, with a reason -----------------------------
    transfer_form = open_action(page, "transfer")
    transfer_form.locator(f"input[name=to_point][value='{subzone.pk}']").check()
    transfer_form.get_by_label("转办原因").fill("城乡居民医保参保需县医保分区办理")
    with page.expect_navigation():
        transfer_form.get_by_role("button", name="转办").click()
    assert f"已转至{subzone.name}" in page.locator("main").inner_text()
    transfers = page.locator("#transfers-heading + table")
    assert "待接收" in transfers.inner_text() and subzone.name in transfers.inner_text()
    assert Transfer.objects.get().status == Transfer.Status.PENDING

    # --- 5. The sub-zone's helper accepts from the inbox, records progress, completes -----------
    county = context_for(chromium)
    office = county.new_page()
    office.set_default_timeout(15_000)
    log_in(office, live_server, world["subzone_helper"].username)
    office.get_by_role("link", name="工作台账").first.click()
    office.wait_for_url(f"{url}/cases/")
    office.get_by_role("link", name="转办待接收 1").click()
    office.wait_for_url(f"{url}/cases/transfers/")
    card = office.locator("article.transfer").filter(has_text=case.number)
    assert "城乡居民医保参保需县医保分区办理" in card.inner_text()
    assert APPLICANT in card.inner_text()
    no_violations(axe, office, "transfers inbox")
    shoot(shots, office, "5-inbox")
    with office.expect_navigation():
        card.get_by_role("button", name="接收").click()
    assert office.url == f"{url}/cases/{case.number}/"
    handling = facts(office, "#item-heading + dl")
    assert handling["承办服务点"] == subzone.name and handling["登记服务点"] == station.name

    progress = open_action(office, "progress")
    progress.get_by_label("进度内容").fill("已录入医保系统，正在审核参保信息。")
    assert progress.get_by_label("短信告知申请人").is_checked()
    with office.expect_navigation():
        progress.get_by_role("button", name="进度反馈").click()
    complete = open_action(office, "complete")
    with office.expect_navigation():
        complete.get_by_role("button", name="办结").click()
    with office.expect_navigation():  # the confirmation step (tests/browser/test_case_forms.py)
        office.get_by_role("button", name="确认办结").click()
    assert office.locator(".state").first.inner_text() == "已办结"
    county.close()

    # --- 6. The village helper, still first responsible, watches it all --------------------------
    page.get_by_role("link", name="工作台账").first.click()
    page.wait_for_url(f"{url}/cases/")
    row = page.locator("table.ledger-table tbody tr").filter(has_text=case.number)
    row_text = row.inner_text()
    assert "已办结" in row_text and subzone.name in row_text and station.name in row_text
    assert "老年人" in row_text and number_typed not in row_text
    no_violations(axe, page, "ledger")
    shoot(shots, page, "6-ledger")

    row.get_by_role("link", name=case.number).click()
    page.wait_for_url(f"{url}/cases/{case.number}/")
    assert page.locator(".state").first.inner_text() == "已办结"
    handling = facts(page, "#item-heading + dl")
    assert handling["承办服务点"] == subzone.name and handling["登记服务点"] == station.name
    assert facts(page)["办结日期"] == today.isoformat()
    steps = page.locator("ol.timeline > li .what").all_inner_texts()
    assert steps == [
        "登记",
        "一次性告知",
        "收取材料",
        "受理",
        "转办",
        "接收转办",
        "进度反馈",
        "办结",
    ]
    assert "已接收" in page.locator("#transfers-heading + table").inner_text()
    sms = page.locator("#messages-heading + table tbody tr")
    bodies = sms.locator("td:nth-child(3)").all_inner_texts()
    recipients = set(sms.locator("td:nth-child(2)").all_inner_texts())
    assert recipients == {MASKED_PHONE}
    assert PHONE not in page.locator("#messages-heading + table").inner_text()
    for expected in [
        "已登记",
        first.name,  # the notice lists the materials to supply
        "已受理",
        f"已转至{subzone.name}办理",
        "已录入医保系统",
        "已办结",
    ]:
        assert any(expected in body for body in bodies), (expected, bodies)
    no_violations(axe, page, "case page, completed")
    shoot(shots, page, "6-case")

    # --- 7. The receipt, printed, and its QR code followed on the villager's phone --------------
    page.get_by_role("link", name="打印受理回执").first.click()
    page.wait_for_url(f"{url}/cases/{case.number}/receipt/")
    receipt = page.locator("article.doc-sheet")
    receipt_text = receipt.inner_text()
    assert case.number in receipt_text and "受理回执" in receipt_text
    assert case.promised_deadline.strftime("%Y") in receipt_text
    codes = receipt.locator("svg.qr-code")
    qr = codes.nth(0).get_attribute("data-qr")
    assert qr == f"{url}/p/c/{case.public_token}/"
    # the second code, 扫码评价, and the rating card's number (decision 0048)
    assert codes.nth(1).get_attribute("data-qr") == f"{url}/pj/{case.public_token}/"
    case.refresh_from_db()
    assert "评价卡号" in receipt_text and case.rating_card in receipt_text
    no_violations(axe, page, "printed receipt")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) >= 1
    if shots:
        (shots / "story-receipt.pdf").write_bytes(pdf)
    village.close()

    phone = context_for(
        chromium, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    mobile = phone.new_page()
    mobile.set_default_timeout(15_000)
    mobile.goto(qr)
    assert mobile.get_by_role("heading", level=1).inner_text() == "办件进度查询"
    no_violations(axe, mobile, "public page, asking for the code")
    mobile.get_by_label("电话号码最后 4 位").fill(PHONE[-4:])
    with mobile.expect_navigation():
        mobile.get_by_role("button", name="查询").click()
    public = mobile.locator("main").inner_text()
    assert mobile.get_by_role("heading", level=1).inner_text() == "办件进度"
    assert case.number in public and "已办结" in public and "已经办结" in public
    assert subzone.name in public
    assert APPLICANT not in public and PHONE not in public and PHONE[-4:] not in public
    assert number_typed not in public and number_typed[-4:] not in public
    rate = mobile.get_by_role("link", name="评价本次服务")
    assert rate.get_attribute("href") == f"/pj/{case.public_token}/"
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 360
    no_violations(axe, mobile, "public page, unlocked")
    shoot(shots, mobile, "7-public-phone")
    phone.close()

    case.refresh_from_db()
    assert case.status == State.COMPLETED
    assert case.responsible == world["villager_helper"]
    assert case.handling_point == subzone
