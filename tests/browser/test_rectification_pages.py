# ruff: noqa: F811 - the fixtures imported from tests.feedback.rectifying
"""The rectification pages in a real browser at 360 px: the town administrator finds the bad review
in the queue with its card, records the call-back through the page's form, and every page — the
queue, the rectification, the appeals, the chart — fits the narrow screen and is clean for axe-core."""

import pytest

from bangban.feedback.models import Rectification
from bangban.feedback.workflow import Step
from bangban.network.models import Role
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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def test_the_town_admin_calls_back_at_360_px(
    page, live_server, yiyuan_committed, make_account, bad_review, axe, shots
):
    rect = bad_review()
    admin = make_account(Role.TOWN_ADMIN, yiyuan_committed.town("鲁村镇"), password=PASSWORD)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(admin.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/feedback/rectifications/")
    assert page.get_by_role("heading", name="整改", exact=True).is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    assert axe(page) == []
    page.get_by_role("link", name=rect.opened_on.isoformat()).click()
    page.wait_for_load_state()
    assert page.get_by_text("138****1234").is_visible()
    assert axe(page) == []
    page.get_by_text("回访", exact=True).first.click()
    page.get_by_label("已接通").check()
    page.get_by_label("回访记录").fill("已联系评价人，说明了情况")
    page.get_by_role("button", name="回访", exact=True).click()
    page.wait_for_load_state()
    assert Rectification.objects.get(pk=rect.pk).status == Step.CALLED_BACK
    assert page.evaluate(OVERFLOW) <= 0
    assert axe(page) == []
    if shots:
        page.screenshot(path=str(shots / "rectification-360.png"), full_page=True)

    for url in ("/feedback/appeals/", "/feedback/rectifications/workflow/"):
        page.goto(f"{live_server.url}{url}")
        assert axe(page) == [], url
