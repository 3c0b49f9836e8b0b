"""The checklist pages (list, one checklist, the form with an error beside its field) have no
serious or critical accessibility violations (axe-core) and nothing wider than the screen, at 360 px
as on a desktop."""

import pytest

from bangban.network.models import Role
from bangban.supervision.models import Checklist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_checklist_pages_are_accessible(page, live_server, yiyuan_committed, make_account, axe):
    county = yiyuan_committed.county
    checklist = Checklist.objects.filter(county=county).first()
    bureau = make_account(Role.REGION_ADMIN, county, password=PASSWORD)
    log_in(page, live_server, bureau.username)
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        for path in (
            "/supervision/checklists/",
            f"/supervision/checklists/{checklist.pk}/",
            f"/supervision/checklists/{checklist.pk}/edit/",
            "/supervision/checklists/new/",
        ):
            page.goto(f"{live_server.url}{path}")
            assert axe(page) == [], (path, width)
            assert fits(page), (path, width)
    page.goto(f"{live_server.url}/supervision/checklists/{checklist.pk}/edit/")
    page.locator("#id_items-0-cap").fill("99")
    page.get_by_role("button", name="保存评分表").click()
    assert "最多扣分不能超过该项分值" in page.locator("#id_items-0-cap_error").inner_text()
    assert axe(page) == [], "the error"
    assert fits(page), "the error"
