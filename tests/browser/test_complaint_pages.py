"""The complaint pages in a real browser at 360 px: the town administrator finds a 12345 ticket in
the queue with its masked phone, signs it for through the page's form, and every page — the queue,
the complaint, the form that records one, the chart, and the complaint's rectification — fits the
narrow screen and is clean for axe-core."""

import pytest
from django.utils import timezone

from bangban.network.models import Role
from bangban.supervision import actions
from bangban.supervision.models import Category, Complaint, Kind, Source
from bangban.supervision.workflow import Step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def test_the_town_admin_signs_a_ticket_at_360_px(
    page, live_server, yiyuan_committed, make_account, axe, shots
):
    station = yiyuan_committed.station("鲁村镇")
    complaint = actions.receive(
        county=yiyuan_committed.county,
        source=Source.HOTLINE,
        ticket_no="ZB2026120700001",
        kind=Kind.COMPLAINT,
        category=Category.BUCK,
        title="村代办点不给帮办",
        content="到村便民服务站办理社保卡挂失，工作人员说不归他们管。",
        name="王女士",
        phone="13805331234",
        point=station,
        received_on=timezone.localdate(),
    )
    admin = make_account(Role.TOWN_ADMIN, yiyuan_committed.town("鲁村镇"), password=PASSWORD)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(admin.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/supervision/complaints/")
    assert page.get_by_role("heading", name="投诉举报", exact=True).is_visible()
    assert page.get_by_text("138****1234").is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    assert axe(page) == []
    page.get_by_role("link", name=complaint.number).click()
    page.wait_for_load_state()
    assert page.evaluate(OVERFLOW) <= 0
    assert axe(page) == []
    page.get_by_text("签收", exact=True).first.click()
    page.get_by_role("button", name="签收", exact=True).click()
    page.wait_for_load_state()
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Step.HANDLING
    assert page.evaluate(OVERFLOW) <= 0
    assert axe(page) == []
    if shots:
        page.screenshot(path=str(shots / "complaint-360.png"), full_page=True)

    for url in (
        "/supervision/complaints/new/",
        "/supervision/complaints/chart/",
        f"/feedback/rectifications/{complaint.rectification_id}/",
    ):
        page.goto(f"{live_server.url}{url}")
        assert page.evaluate(OVERFLOW) <= 0, url
        assert axe(page) == [], url
