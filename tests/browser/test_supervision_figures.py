"""A county admin reads the figures of complaints and inspections (监督检查统计) on a desktop and on a
360 px phone: no sideways scrolling, no serious or critical accessibility violations (axe-core)."""

import pytest

from bangban.network.models import Role
from bangban.supervision import actions
from bangban.supervision.models import Category, Kind, Source

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
    # A submitted inspection: one finding of 2 off the 10 points, so a score of 80%.
    inspection = actions.start_inspection(
        station, checklist=checklist, announced=False, by=admin, by_kind="bureau"
    )
    item = checklist.sections.get().items.get()
    actions.record_finding(inspection, item=item, occurrences=1, note="标识褪色。", by=admin)
    inspection = actions.submit_inspection(inspection, summary="", by=admin)
    assert (inspection.score, inspection.full_score) == (8, 10)
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
