"""Each demo role logs in through the login page and lands on its own work (decision 0036): the
village helper and the station lead (and the zone's and a sub-zone's leads) on their cases with the transfer waiting for their station and the
red and yellow cards; the county, supervisor, department, town and partner administrators on the
live figures of their scope. The landing page has no serious or critical axe-core violations at
1366 and 360 px, and does not scroll sideways on the phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bangban.cases import actions
from bangban.cases.actions import Registration
from bangban.cases.models import Case, next_working_day
from bangban.cases.workflow import State
from bangban.network.models import Role

from ..cases.conftest import person
from ..catalog.conftest import make_item  # noqa: F401 - a fixture
from ..staff.conftest import make_helper, organiser  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"
WIDTHS = (1366, 360)


@pytest.fixture
def demo_roles(yiyuan_committed, make_account, make_helper, make_item):  # noqa: F811
    """The demo's logins (network/demo.py `DEMO_ACCOUNTS`), bound as it binds them, and a day's work
    at the village station: a case overdue, one due tomorrow, one transferred to the station."""
    y = yiyuan_committed
    station = y.station("鲁村镇")
    helper = make_helper(station).user
    lead = make_helper(station, role=Role.POINT_LEAD).user
    neighbour = make_helper(y.station("鲁村镇", 1)).user
    item = make_item()
    today = timezone.localdate()

    def register(point, by, name):
        registration = Registration(
            applicant=person(name=name),
            item=item,
            kind="assisted",
            mode="on_site",
            channel="walk_in",
            received_on=today,
            responsible=by,
        )
        return actions.register_case(point, registration=registration, by=by)

    for name, deadline in (
        ("赵红梅", today - dt.timedelta(days=2)),
        ("钱立新", next_working_day(today)),
    ):
        case = register(station, helper, name)
        Case.objects.filter(pk=case.pk).update(
            status=State.IN_PROGRESS,
            deemed_deadline=None,
            accepted_on=today,
            promised_deadline=deadline,
        )
    sent = register(y.station("鲁村镇", 1), neighbour, "孙秀兰")
    actions.transfer_case(sent, to_point=station, reason="申请人居住在本村", by=neighbour)
    admins = {
        "county_admin": (Role.REGION_ADMIN, y.county),
        "supervisor": (Role.SUPERVISOR, y.county),
        "medical_admin": (Role.DEPARTMENT_ADMIN, y.department("县医疗保障局")),
        "lucun_admin": (Role.TOWN_ADMIN, y.town("鲁村镇")),
        "bank_admin": (Role.PARTNER_ADMIN, y.organisation("沂源农村商业银行")),
    }
    for username, (role, binding) in admins.items():
        make_account(role, binding, username=username, password=PASSWORD)
    # The dedicated zone's and the 医保 sub-zone's leads serve at points with no work today.
    zone_lead = make_helper(y.zone, role=Role.POINT_LEAD).user
    subzone_lead = make_helper(y.subzone("medical_insurance"), role=Role.POINT_LEAD).user
    for user in (helper, lead, zone_lead, subzone_lead):
        user.set_password(PASSWORD)
        user.save()
    return {
        **{name: "admin" for name in admins},
        helper.username: "helper",
        lead.username: "lead",
        zone_lead.username: "idle",
        subzone_lead.username: "idle",
    }


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_each_demo_role_lands_on_its_own_work(chromium, live_server, demo_roles, axe, shots):
    for username, kind in demo_roles.items():
        context = chromium.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, live_server, username)
        title = page.get_by_role("heading", level=1).inner_text()
        main = page.locator("main").inner_text()
        assert "下级服务点" not in main, username
        if kind == "admin":
            assert title == "工作概况", username
            assert page.locator("#figure-open").is_visible(), username
        elif kind == "idle":
            assert title == "我的工作", username
            assert "预警：红牌 0 件，黄牌 0 件" in main and "您目前没有在办的办件" in main, username
        else:
            assert title == "我的工作", username
            assert "转办待接收（1 件）" in main and "孙秀兰" in main, username
            assert "预警：红牌 1 件，黄牌 1 件" in main, username
            assert "红牌·已超期" in main and "黄牌·临近期限" in main, username
        if username == "lucun_admin":
            # The town admin sees the station's two warned cases and the transfer among its figures.
            assert page.locator("#figure-overdue").inner_text() == "1"
            assert page.locator("#figure-near").inner_text() == "1"
        nav = page.get_by_role("navigation", name="主导航")
        first = nav.locator(".nav-link").first
        assert first.inner_text() == "首页" and first.get_attribute("aria-current") == "page"
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            violations = axe(page)
            assert violations == [], f"{username} at {width} px: {violations}"
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{username} at {width} px scrolls sideways by {overflow} px"
            if shots:
                page.screenshot(path=str(shots / f"landing-{kind}-{username}-{width}.png"))
        # The network tree is one click away.
        page.set_viewport_size({"width": 1366, "height": 900})
        nav.get_by_role("link", name="服务网络").click()
        page.wait_for_url(f"{live_server.url}/network/")
        context.close()
