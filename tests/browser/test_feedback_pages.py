"""The pages of the paper rating cards, the hall rating devices and the county's rating settings
have no serious or critical accessibility violations (axe-core), at 360 px as on a desktop."""

import pytest
from django.utils import timezone

from bangban.cases.actions import Registration, register_case
from bangban.network.models import Role

from ..cases.conftest import person
from ..catalog.conftest import make_item  # noqa: F401 - a fixture
from ..feedback.occasions import card_of, occasion_of
from ..staff.conftest import make_helper, organiser  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_feedback_pages_are_accessible(
    page,
    live_server,
    yiyuan_committed,
    make_account,
    make_helper,  # noqa: F811
    make_item,  # noqa: F811
    axe,
):
    station = yiyuan_committed.station("鲁村镇")
    helper = make_helper(station).user
    case = register_case(
        station,
        registration=Registration(
            applicant=person(),
            item=make_item(),
            kind="assisted",
            mode="on_site",
            channel="walk_in",
            received_on=timezone.localdate(),
            responsible=helper,
        ),
        by=helper,
    )
    occasion_of(case)
    card = card_of(case)
    admin = make_account(Role.TOWN_ADMIN, yiyuan_committed.town("鲁村镇"), password=PASSWORD)
    county_admin = make_account(Role.REGION_ADMIN, yiyuan_committed.county, password=PASSWORD)

    log_in(page, live_server, admin.username)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        for path in ("/feedback/cards/", f"/feedback/cards/{card}/", "/feedback/devices/"):
            page.goto(f"{live_server.url}{path}")
            assert axe(page) == [], (path, width)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/feedback/devices/")
    page.get_by_label("服务点").select_option(index=1)
    page.get_by_label("名称").fill("一号评价器")
    page.get_by_role("button", name="登记").click()
    assert page.get_by_label("评价器令牌").input_value()
    assert axe(page) == [], "the device registered"
    page.get_by_role("link", name="推送服务").click()
    assert axe(page) == [], "push"

    page.context.clear_cookies()
    log_in(page, live_server, county_admin.username)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/feedback/settings/370323/")
        assert axe(page) == [], ("settings", width)
