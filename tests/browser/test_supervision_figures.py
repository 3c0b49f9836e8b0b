"""A county admin reads the figures of complaints and inspections (监督检查统计) on a desktop and on a
360 px phone: no sideways scrolling, no serious or critical accessibility violations (axe-core)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bangban.network.models import Role
from bangban.supervision import actions
from bangban.supervision.models import Category, Inspection, Kind, Source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"


def test_the_figures_at_desktop_and_phone_widths(
    chromium, live_server, yiyuan_committed, make_account, axe, shots
):
    county, station = yiyuan_committed.county, yiyuan_committed.station("鲁村镇")
    admin = make_account(Role.REGION_ADMIN, county, password=PASSWORD)
    for n, (kind, category) in enumerate(
        [(Kind.COMPLAINT, Category.BUCK), (Kind.REPORT, Category.FEE), (Kind.CONSULT, "other")]
    ):
        actions.receive(
            county=county,
            source=Source.HOTLINE,
            ticket_no=f"ZB-FIG-{n}",
            kind=kind,
            category=category,
            title="村代办点不给帮办",
            content="工作人员说不归他们管。",
            point=station,
        )
    checklist = actions.save_checklist(
        county,
        name="村级站点督查表",
        sections=[
            actions.SectionData(
                title="基础建设",
                items=[
                    actions.ItemData(text="标识", points=10, deduction=2, cap=10, method="look")
                ],
            )
        ],
        by=admin,
    )
    # LOCAL: a submitted inspection as the inspection actions (another branch) will leave it.
    now = timezone.now()
    Inspection.objects.create(
        county=county,
        point=station,
        checklist=checklist,
        by=Inspection.By.BUREAU,
        inspector=admin,
        status=Inspection.Status.SUBMITTED,
        started_at=now - dt.timedelta(hours=2),
        submitted_at=now,
        full_score=Decimal(100),
        score=Decimal(80),
    )
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
        page.goto(f"{live_server.url}/supervision/figures/?by=town")
        assert page.get_by_role("heading", level=1).inner_text() == "监督检查统计"
        main = page.locator("main").inner_text()
        assert "鲁村镇" in main and "80.0%" in main
        assert axe(page) == [], f"figures at {width}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if shots:
            page.screenshot(path=str(shots / f"supervision-figures-{width}.png"), full_page=True)
        context.close()
