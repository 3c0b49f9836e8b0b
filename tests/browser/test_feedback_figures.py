# ruff: noqa: F811 - the fixtures imported from tests.feedback.conftest_figures
"""A county admin reads the 好差评 figures, the ratings list and one rating, from the navigation, on a
desktop and on a 360 px phone: no sideways scrolling, no serious or critical accessibility
violations (axe-core)."""

import datetime as dt

import pytest
import time_machine

from bangban.network.models import Role
from tests.feedback.conftest_figures import (  # noqa: F401 - fixtures
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    served,
    station,
)
from tests.feedback.conftest_figures import register as _register  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def register(yiyuan_committed, _register):
    return _register


def test_the_figures_and_the_ratings_at_desktop_and_phone_widths(
    chromium, live_server, yiyuan_committed, make_account, served, axe, shots
):
    with time_machine.travel(dt.datetime.now(CST).replace(hour=10), tick=False):
        served(5, rating={"comment": "很耐心"})
        bad = served(1)
        served()
    admin = make_account(Role.REGION_ADMIN, yiyuan_committed.county, password=PASSWORD)
    for width in (1280, 360):
        context = chromium.new_context(
            locale="zh-CN", viewport={"width": width, "height": 800}, is_mobile=width < 400
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(admin.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/feedback/figures/")
        assert page.get_by_role("heading", level=1).inner_text() == "好差评统计"
        assert "50.0%" in page.locator("main").inner_text()
        assert axe(page) == [], f"figures at {width}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if shots:
            page.screenshot(path=str(shots / f"feedback-figures-{width}.png"), full_page=True)
        page.goto(f"{live_server.url}/feedback/ratings/")
        assert "评价（2 条）" in page.locator("main").inner_text()
        assert axe(page) == [], f"ratings at {width}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto(f"{live_server.url}/feedback/ratings/{bad.rating.pk}/")
        assert "差评整改" in page.locator("main").inner_text()
        assert axe(page) == [], f"one rating at {width}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()
