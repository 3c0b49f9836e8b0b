# ruff: noqa: F811 - the fixtures imported from other test modules
"""Issue 14's story in a real browser (Done when): two 12345 tickets arrive from the platform (a fake
of it, speaking the signed contract of docs/hotline.md). The first, about a village station that
would not help, is signed for by the town, linked to the case and the helper, put right and
answered on the 4th working day after its dispatch; the second, not the county's to handle, is
returned on the 2nd working day. Both reach the platform. A supervisor records an unannounced
inspection of a bank's partner station with a photo, on a phone at 360 px; the station's lead sees
nothing of it until it is submitted, then closes its rectification. axe-core is clean on every page
and nothing is wider than the phone.

Only the world is set up through actions (the accounts, the case, the checklist); the story itself
is the platform's requests, clicks and typing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bangban.cases import actions as case_actions
from bangban.feedback.models import Rectification
from bangban.network.models import PartnerOrganisation, Role
from bangban.supervision import actions
from bangban.supervision.actions import ItemData, SectionData
from bangban.supervision.hotline.outbox import deliver_due
from bangban.supervision.models import Complaint, Inspection
from bangban.workdays import calendar

from ..cases.conftest import person
from ..catalog.conftest import make_item  # noqa: F401 - a fixture
from ..staff.conftest import make_helper, organiser  # noqa: F401 - fixtures
from ..supervision.hotline.fake_hotline import APP_ID, SECRET, FakeHotline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"
PHONE_360 = {"width": 360, "height": 740}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def dispatched_before(n: int) -> dt.date:
    """The latest day from which today is past the (n - 1)-th working day: today is then the n-th
    working day after it (or, on a day off, before the n-th)."""
    today = timezone.localdate()
    day = today - dt.timedelta(days=1)
    while calendar.deadline(day, n - 1).date >= today:
        day -= dt.timedelta(days=1)
    return day


@pytest.fixture
def platform(settings):
    with FakeHotline() as fake:
        settings.BANGBAN_HOTLINE_URL = fake.url
        settings.BANGBAN_HOTLINE_APP_ID = APP_ID
        settings.BANGBAN_HOTLINE_SECRET = SECRET
        settings.BANGBAN_HOTLINE_TIMEOUT = 2.0
        yield fake


@pytest.fixture
def world(yiyuan_committed, make_helper, make_item, make_account, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    yiyuan = yiyuan_committed
    station = yiyuan.station("鲁村镇")
    helper = make_helper(station).user
    case = case_actions.register_case(
        station,
        registration=case_actions.Registration(
            applicant=person(phone="13905335678"),
            item=make_item(),
            kind="assisted",
            mode="on_site",
            channel="walk_in",
            received_on=timezone.localdate(),
            responsible=helper,
        ),
        by=helper,
    )
    organisation = PartnerOrganisation.objects.filter(county=yiyuan.county).order_by("pk")[0]
    bank = yiyuan.partner_station(organisation.name)
    bureau = make_account(Role.REGION_ADMIN, yiyuan.county, password=PASSWORD)
    actions.save_checklist(
        yiyuan.county,
        name="合作网点暗访表",
        sections=[
            SectionData(
                "标识标牌",
                [ItemData("帮办代办专区标识醒目", 10, 2, 6, "look", photo_required=True)],
            ),
            SectionData("服务规范", [ItemData("工作人员统一着装", 10, 2, 4, "mystery")]),
        ],
        by=bureau,
    )
    return {
        "station": station,
        "helper": helper,
        "case": case,
        "bank": bank,
        "town_admin": make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"), password=PASSWORD),
        "bureau": bureau,
        "supervisor": make_account(Role.SUPERVISOR, yiyuan.county, password=PASSWORD),
        "lead": make_helper(bank, role=Role.POINT_LEAD).user,
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
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def act(page, label: str, fill=None) -> None:
    """Open the action `label` (a <details> of the page), fill it and press its button."""
    page.locator("summary", has_text=label).first.click()
    if fill is not None:
        fill()
    page.locator(f"form:has(button:text-is('{label}'))").get_by_role(
        "button", name=label, exact=True
    ).click()
    page.wait_for_load_state()


def test_tickets_answered_and_returned_and_an_unannounced_visit_put_right(
    chromium, live_server, world, platform, axe, shots
):
    # 1. The platform dispatches two tickets: one pushed to our callback, one pulled.
    day4 = dispatched_before(4)
    day2 = dispatched_before(2)
    first = platform.ticket(
        dispatchTime=f"{day4:%Y-%m-%d} 09:12:00",
        orgCode=str(world["station"].pk),
        title="村便民服务站不给帮办",
    )
    status, answer = platform.call_back(live_server.url, first)
    assert status == 200, answer
    platform.enqueue(
        dispatchTime=f"{day2:%Y-%m-%d} 15:40:00",
        appealType="01",
        title="咨询外县不动产登记",
        content="想问淄川区的房子怎么办理不动产登记。",
    )
    from bangban.supervision.hotline.intake import pull_tickets

    pull_tickets()
    answered = Complaint.objects.get(ticket_no=first["ticketNo"])
    returned = Complaint.objects.exclude(pk=answered.pk).get()
    assert answered.received_on == day4 and returned.received_on == day2
    assert (answered.level, answered.town_id) == (
        "town",
        world["town_admin"].memberships.get().point_id,
    )

    context, desk = phone(chromium)
    try:
        # 2. The town administrator, on a phone: the queue, sign, link, put right, answer.
        log_in(desk, live_server, world["town_admin"])
        desk.goto(f"{live_server.url}/supervision/complaints/")
        clean(axe, desk, "the complaint queue")
        desk.get_by_role("link", name=answered.ticket_no).first.click()
        desk.wait_for_load_state()
        clean(axe, desk, "the ticket")
        act(desk, "签收")
        act(
            desk,
            "关联办件、服务点和人员",
            lambda: desk.get_by_label("关联办件编号（可选）").fill(world["case"].number),
        )
        answered.refresh_from_db()
        assert answered.status == "handling" and answered.case == world["case"]
        rect = Rectification.objects.get(pk=answered.rectification_id)

        desk.goto(f"{live_server.url}/feedback/rectifications/{rect.pk}/")
        clean(axe, desk, "the complaint's rectification")
        act(
            desk,
            "回访",
            lambda: (
                desk.get_by_label("已接通").check(),
                desk.get_by_label("回访记录").fill("已联系王女士，确认工作人员推诿"),
            ),
        )
        act(
            desk,
            "核实",
            lambda: (
                desk.locator("fieldset", has_text="情况是否属实").get_by_label("是").check(),
                desk.locator("fieldset", has_text="诉求是否合理").get_by_label("是").check(),
                desk.locator("fieldset", has_text="是否疑似恶意").get_by_label("否").check(),
                desk.get_by_label("核实情况").fill("属实：工作人员未告知可代办"),
            ),
        )
        act(desk, "立行立改", lambda: desk.get_by_label("采取的措施").fill("当面致歉并代办挂失"))
        desk.goto(f"{live_server.url}/supervision/complaints/{answered.pk}/")
        act(
            desk,
            "答复",
            lambda: desk.get_by_label("答复内容").fill(
                "经核实属实，已批评教育工作人员并为您代办。"
            ),
        )
        answered.refresh_from_db()
        assert answered.status == "answered" and answered.upheld is True
        assert answered.answered_on == timezone.localdate() <= answered.due
        assert calendar.deadline(day4, 3).date < answered.answered_on
        clean(axe, desk, "answered")
        if shots:
            desk.screenshot(path=str(shots / "story14-ticket.png"), full_page=True)

        # 3. The bureau returns the ticket that is not the county's, on its 2nd working day.
        log_in(desk, live_server, world["bureau"])
        desk.goto(f"{live_server.url}/supervision/complaints/{returned.pk}/")
        clean(axe, desk, "the ticket to return")
        act(
            desk,
            "退回",
            lambda: desk.get_by_label("退回理由（为何不属于本单位办理）").fill(
                "房屋在淄川区，应由淄川区不动产登记中心答复"
            ),
        )
        returned.refresh_from_db()
        assert returned.status == "returned"
        assert returned.returned_on == timezone.localdate() <= returned.return_due

        # Both reach the platform, in order, once.
        deliver_due()
        assert [r["action"] for r in platform.received(answered.ticket_no)] == ["sign", "answer"]
        assert [r["action"] for r in platform.received(returned.ticket_no)] == ["return"]

        # 4. The supervisor's unannounced visit to the bank's station, on a phone.
        bank = world["bank"]
        log_in(desk, live_server, world["supervisor"])
        desk.goto(f"{live_server.url}/supervision/inspections/new/")
        clean(axe, desk, "a new inspection")
        desk.get_by_label("按名称或镇（街道）查找服务点").fill(bank.name)
        desk.get_by_role("button", name="查找").click()
        desk.wait_for_load_state()
        desk.get_by_label("被检查服务点").select_option(str(bank.pk))
        desk.get_by_label("督查评分表").select_option(label="合作网点暗访表")
        desk.get_by_role("button", name="开始检查").click()
        desk.wait_for_load_state()
        inspection = Inspection.objects.get()
        assert not inspection.announced
        item = desk.locator("form", has_text="帮办代办专区标识醒目")
        item.get_by_label("问题处数").fill("2")
        item.get_by_label("问题描述").fill("专区标识被宣传架遮挡")
        item.get_by_label("照片").set_input_files(
            {"name": "专区.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
        )
        item.get_by_role("button", name="保存本项").click()
        desk.wait_for_load_state()
        clean(axe, desk, "the checklist filled")

        # The station sees nothing of it before it is submitted.
        lead_context, lead = phone(chromium)
        try:
            log_in(lead, live_server, world["lead"])
            lead.goto(f"{live_server.url}/supervision/inspections/")
            assert lead.get_by_text(bank.name).count() == 0
            assert (
                lead.goto(f"{live_server.url}/supervision/inspections/{inspection.pk}/").status
                == 404
            )
            lead.goto(f"{live_server.url}/feedback/rectifications/")
            assert not Rectification.objects.filter(subject="finding").exists()

            desk.get_by_role("button", name="提交（提交后不能修改）").click()
            desk.wait_for_load_state()
            inspection.refresh_from_db()
            assert inspection.status == "submitted"
            assert inspection.score == inspection.full_score - 4
            clean(axe, desk, "submitted")

            # 5. Now the lead sees it and puts it right.
            lead.goto(f"{live_server.url}/supervision/inspections/")
            clean(axe, lead, "the lead's inspections")
            lead.get_by_role("link", name=bank.name).first.click()
            lead.wait_for_load_state()
            assert lead.get_by_text("专区标识被宣传架遮挡").is_visible()
            clean(axe, lead, "the inspection, read by the station")
            finding_rect = Rectification.objects.get(subject="finding")
            lead.goto(f"{live_server.url}/feedback/rectifications/")
            clean(axe, lead, "the lead's rectifications")
            lead.goto(f"{live_server.url}/feedback/rectifications/{finding_rect.pk}/")
            act(
                lead,
                "核实",
                lambda: (
                    lead.locator("fieldset", has_text="情况是否属实").get_by_label("是").check(),
                    lead.locator("fieldset", has_text="诉求是否合理").get_by_label("是").check(),
                    lead.locator("fieldset", has_text="是否疑似恶意").get_by_label("否").check(),
                    lead.get_by_label("核实情况").fill("宣传架摆放位置不当"),
                ),
            )
            act(lead, "立行立改", lambda: lead.get_by_label("采取的措施").fill("已移开宣传架"))
            act(
                lead,
                "答复检查人并办结",
                lambda: lead.locator(
                    "form:has(button:text-is('答复检查人并办结')) textarea"
                ).first.fill("宣传架已移至大厅一侧，专区标识清晰可见。"),
            )
            finding_rect.refresh_from_db()
            assert finding_rect.status == "closed"
            clean(axe, lead, "closed")
            if shots:
                lead.screenshot(path=str(shots / "story14-finding.png"), full_page=True)
        finally:
            lead_context.close()
    finally:
        context.close()
