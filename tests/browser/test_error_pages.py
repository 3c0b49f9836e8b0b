"""The error pages in a real browser: the site's layout, no serious or critical accessibility
violations (axe-core) at 1366 and 360 px, the favicon (decision 0031)."""

import pytest
from django.test import override_settings

from bangban.network.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"
WIDTHS = [1366, 360]


@pytest.fixture
def helper(yiyuan_committed, make_account):
    return make_account(Role.HELPER, yiyuan_committed.station("鲁村镇"), password=PASSWORD)


def check(page, axe, shots, name: str, heading: str):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert axe(page) == [], f"{name} at {width} px"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} overflows by {overflow} px at {width} px"
        if shots:
            page.screenshot(path=str(shots / f"error-{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_the_error_pages(page, live_server, helper, axe, shots, debug):
    with override_settings(DEBUG=debug, ROOT_URLCONF="tests.test_errors"):
        page.goto(f"{live_server.url}/no/such/page/")
        check(page, axe, shots, f"404-anonymous-{debug}", "页面不存在")

        page.goto(f"{live_server.url}/boom/")
        check(page, axe, shots, f"500-{debug}", "系统出错了")

        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(helper.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/")

        page.set_viewport_size({"width": 1366, "height": 800})
        page.goto(f"{live_server.url}/points/999999999/")
        assert page.get_by_role("link", name="工作台账").count() == 1  # the user's own menu
        check(page, axe, shots, f"404-{debug}", "页面不存在")

        page.goto(f"{live_server.url}/cases/?q=%00")
        check(page, axe, shots, f"400-{debug}", "请求有误")


def test_the_csrf_failure_page(page, live_server, yiyuan_committed, axe, shots):
    page.goto(f"{live_server.url}/login/")
    page.context.clear_cookies()  # the form's token no longer matches a cookie
    page.get_by_label("用户名").fill("someone")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    check(page, axe, shots, "csrf", "页面已过期")


def test_the_favicon(page, live_server, yiyuan_committed):
    page.goto(f"{live_server.url}/login/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    icon = page.request.get(f"{live_server.url}{href}")
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    legacy = page.request.get(f"{live_server.url}/favicon.ico")
    assert legacy.status == 200 and legacy.url.endswith(".svg")
