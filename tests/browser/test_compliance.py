"""A county admin opens the compliance page, follows a red cell to its cause and sees the missing
thing named; the page has no serious or critical accessibility violations (axe-core)."""

import pytest

from bangban.network.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"


def test_county_admin_follows_a_red_cell_to_its_cause(
    page, live_server, yiyuan_committed, make_account, axe, shots
):
    admin = make_account(Role.REGION_ADMIN, yiyuan_committed.county, password=PASSWORD)
    zone = yiyuan_committed.zone
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(admin.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name="达标情况").first.click()
    page.wait_for_url(f"{live_server.url}/staff/compliance/")
    assert "达标情况" in page.get_by_role("heading", level=1).inner_text()
    assert axe(page) == [], "compliance page"
    if shots:
        page.screenshot(path=str(shots / "compliance-desktop.png"), full_page=True)

    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=zone.name, exact=True))
    row.locator("a.cmp-fail").first.click()
    page.wait_for_url(f"**/staff/compliance/points/{zone.pk}/#rule-staffing")
    assert (
        "需要 3 名具备上岗资格的帮办代办员，现有 0 名。"
        in page.locator("#rule-staffing").inner_text()
    )
    assert axe(page) == [], "cause page"
