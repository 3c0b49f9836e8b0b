"""Issue 13's story in a real browser (Done when): at 360 px the villager scans the receipt's QR code,
rates 2 with a reason in two taps and no login; the town administrator sees the bad review, records
the call-back, rectifies and replies; the villager's follow-up rating is 满意; the county's figures
move. axe-core is clean on every page, the public ones included, and nothing is wider than the phone.

Only the world is set up through actions (the helper, the item, the registered case with the receipt's
QR link, the town administrator); the story itself is clicks and typing.
"""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from docx import Document

from bangban.cases import actions as case_actions
from bangban.cases import documents
from bangban.feedback.models import Rating, Rectification
from bangban.feedback.workflow import Step
from bangban.network.models import Role

from ..cases.conftest import person
from ..catalog.conftest import make_item  # noqa: F401 - a fixture
from ..staff.conftest import make_helper, organiser  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"
PHONE = "13905335678"
PHONE_360 = {"width": 360, "height": 740}


@pytest.fixture
def world(yiyuan_committed, make_helper, make_item, make_account):  # noqa: F811
    station = yiyuan_committed.station("鲁村镇")
    helper = make_helper(station).user
    case = case_actions.register_case(
        station,
        registration=case_actions.Registration(
            applicant=person(phone=PHONE),
            item=make_item(),
            kind="assisted",
            mode="on_site",
            channel="walk_in",
            received_on=timezone.localdate(),
            responsible=helper,
        ),
        by=helper,
    )
    return {
        "case": case,
        "town_admin": make_account(
            Role.TOWN_ADMIN, yiyuan_committed.town("鲁村镇"), password=PASSWORD
        ),
        "county_admin": make_account(Role.REGION_ADMIN, yiyuan_committed.county, password=PASSWORD),
    }


def phone(chromium):
    context = chromium.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=PHONE_360,
        has_touch=True,
        is_mobile=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def clean(axe, page, name: str) -> None:
    assert axe(page) == [], name
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_360["width"], f"{name}: {width} px wide"


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def total_row(page, live_server) -> str:
    page.goto(f"{live_server.url}/feedback/figures/?period=month")
    return page.locator("tr.total").inner_text()


def test_a_bad_review_put_right_at_360_px(chromium, live_server, world, axe, shots):
    case = world["case"]
    # The receipt's second QR code leads to the rating page (its text is printed under it too).
    rating_link = live_server.url + documents.rating_path(case)
    sheet = documents.receipt(
        case, public_url=f"{live_server.url}/p/{case.public_token}/", rating_url=rating_link
    )
    receipt = Document(io.BytesIO(documents.docx_bytes(sheet)))
    printed = "\n".join(p.text for p in receipt.paragraphs) + "\n".join(
        cell.text for table in receipt.tables for row in table.rows for cell in row.cells
    )
    assert case.rating_card in printed

    staff, desk = phone(chromium)  # the town administrator works on a phone too
    log_in(desk, live_server, world["county_admin"])
    before = total_row(desk, live_server)
    clean(axe, desk, "the figures before")
    staff.clear_cookies()

    villager, page = phone(chromium)
    try:
        # 1. The villager scans the QR code: no login, the last four digits, a face, a reason.
        page.goto(rating_link)
        clean(axe, page, "the digits")
        page.get_by_label("申请人手机号后 4 位").fill(PHONE[-4:])
        page.get_by_role("button", name="开始评价").click()
        page.get_by_role("heading", name="服务评价").wait_for()
        clean(axe, page, "the occasions")
        page.get_by_text("不满意", exact=True).click()  # tap 1
        page.get_by_role("button", name="多次跑腿").click()  # tap 2: a reason, which submits
        page.get_by_role("heading", name="感谢您的评价").wait_for()
        clean(axe, page, "thanks")
        rating = Rating.objects.get(occasion__case=case)
        assert (rating.level, rating.channel) == (2, "qr")
        rect = Rectification.objects.get(rating=rating)

        # 2. The town administrator: the queue, the call-back, the check, the rectification, the reply.
        log_in(desk, live_server, world["town_admin"])
        desk.goto(f"{live_server.url}/feedback/rectifications/")
        clean(axe, desk, "the queue")
        desk.get_by_role("link", name=rect.opened_on.isoformat()).click()
        desk.wait_for_load_state()
        clean(axe, desk, "the rectification")

        def act(label: str, fill) -> None:
            desk.locator("summary", has_text=label).first.click()
            fill()
            desk.locator(f"form:has(button:text-is('{label}'))").get_by_role(
                "button", name=label, exact=True
            ).click()
            desk.wait_for_load_state()

        act(
            "回访",
            lambda: (
                desk.get_by_label("已接通").check(),
                desk.get_by_label("回访记录").fill("已联系评价人，了解到跑了两趟"),
            ),
        )
        assert Rectification.objects.get(pk=rect.pk).status == Step.CALLED_BACK
        act(
            "核实",
            lambda: (
                desk.locator("fieldset", has_text="情况是否属实").get_by_label("是").check(),
                desk.locator("fieldset", has_text="诉求是否合理").get_by_label("是").check(),
                desk.locator("fieldset", has_text="是否疑似恶意差评").get_by_label("否").check(),
                desk.get_by_label("核实情况").fill("材料告知不全，群众多跑了一次"),
            ),
        )
        act(
            "限期整改", lambda: desk.get_by_label("整改措施").fill("一次性告知单逐项核对，组织培训")
        )
        act("整改完成", lambda: desk.get_by_label("整改完成情况").fill("已培训，告知单已修订"))
        act(
            "答复评价人",
            lambda: desk.get_by_label("答复内容（将以短信发给实名评价人）").fill(
                "已修订告知单并培训工作人员，感谢您的监督。"
            ),
        )
        rect.refresh_from_db()
        assert rect.status == Step.REPLIED
        clean(axe, desk, "replied")
        if shots:
            desk.screenshot(path=str(shots / "story13-rectification.png"), full_page=True)

        # 3. The villager's follow-up: 满意.
        page.goto(f"{live_server.url}/pj/{case.public_token}/")
        page.get_by_text("已修订告知单并培训工作人员").wait_for()
        clean(axe, page, "the follow-up")
        page.get_by_role("button", name="满意", exact=True).click()
        page.get_by_role("heading", name="感谢您的评价").wait_for()
        rect.refresh_from_db()
        assert rect.status == Step.CLOSED
        assert rect.follow_up.level >= 4
    finally:
        villager.close()

    # 4. The figures moved: one bad review, rectified; its call-back counted.
    staff.clear_cookies()
    log_in(desk, live_server, world["county_admin"])
    after = total_row(desk, live_server)
    clean(axe, desk, "the figures after")
    assert after != before
    assert "（1/1）" in after
    staff.close()
