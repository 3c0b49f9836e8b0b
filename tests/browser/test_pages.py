"""A helper logs in and opens a village station's page; the login, tree and point pages have no
serious or critical accessibility violations (axe-core)."""

import pytest

from bangban.network.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"


@pytest.fixture
def lucun_admin(yiyuan_committed, make_account):
    return make_account(Role.TOWN_ADMIN, yiyuan_committed.town("鲁村镇"), password=PASSWORD)


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_town_admin_logs_in_and_opens_a_village_station(
    page, live_server, yiyuan_committed, lucun_admin, shots
):
    station = yiyuan_committed.station("鲁村镇")
    log_in(page, live_server, lucun_admin.username)
    assert page.get_by_role("heading", level=1).inner_text() == "鲁村镇便民服务中心"
    page.get_by_role("link", name=station.name, exact=True).click()
    page.wait_for_url(f"{live_server.url}/points/{station.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == station.name
    assert page.get_by_text("星期一").is_visible()
    assert page.get_by_role("link", name="编辑信息").is_visible()
    if shots:
        page.screenshot(path=str(shots / "point-desktop.png"), full_page=True)


def test_search_updates_live(page, live_server, yiyuan_committed, lucun_admin):
    station = yiyuan_committed.station("鲁村镇")
    log_in(page, live_server, lucun_admin.username)
    page.get_by_label("搜索服务点").fill(station.name[:3])
    results = page.locator("#search-results")
    results.get_by_role("link", name=station.name, exact=True).wait_for()
    assert "搜索结果" in results.inner_text()


def test_pages_have_no_serious_accessibility_violations(
    page, live_server, yiyuan_committed, lucun_admin, axe, shots
):
    page.goto(f"{live_server.url}/login/")
    assert axe(page) == [], "login page"
    if shots:
        page.set_viewport_size({"width": 360, "height": 740})
        page.screenshot(path=str(shots / "login-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    log_in(page, live_server, lucun_admin.username)
    assert axe(page) == [], "tree page"
    if shots:
        page.screenshot(path=str(shots / "tree-desktop.png"), full_page=False)
        page.set_viewport_size({"width": 360, "height": 740})
        page.screenshot(path=str(shots / "tree-phone.png"), full_page=False)
        page.get_by_role("button", name="打开菜单").click()
        page.locator("#site-menu.show").wait_for()
        page.wait_for_timeout(400)  # the collapse animation, for the picture only
        page.screenshot(path=str(shots / "tree-phone-menu.png"), full_page=False)
        page.set_viewport_size({"width": 1280, "height": 900})

    station = yiyuan_committed.station("鲁村镇")
    page.goto(f"{live_server.url}/points/{station.pk}/")
    assert axe(page) == [], "point page"
    if shots:
        page.set_viewport_size({"width": 360, "height": 740})
        page.screenshot(path=str(shots / "point-phone.png"), full_page=True)
    for path, name in [
        (f"/points/{station.pk}/hours/", "hours"),
        (f"/points/{station.pk}/edit/", "edit"),
        (f"/points/{station.parent_id}/add/", "add"),
        (f"/points/{station.parent_id}/chart/", "chart"),
        (f"/points/{station.pk}/equipment/add/", "equipment add"),
        ("/?q=" + station.name[:2], "search"),
        ("/calendar/", "calendar"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert axe(page) == [], f"{name} page"
        if shots:
            page.screenshot(path=str(shots / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/points/{station.pk}/accounts/new/")
    assert axe(page) == [], "new account page"
    with page.expect_navigation():
        page.get_by_role("button", name="创建账号").click()
    assert page.locator("#id_username_error").is_visible()
    assert axe(page) == [], "new account page with errors"
    if shots:
        page.screenshot(path=str(shots / "account-new-errors.png"), full_page=True)
    page.goto(f"{live_server.url}/accounts/")
    assert axe(page) == [], "accounts page"
    if shots:
        page.screenshot(path=str(shots / "accounts.png"), full_page=True)

    # The staff pages: the helper list and recording a training with a helper to pick.
    import datetime as dt

    from bangban.network.actions import create_account
    from bangban.staff.actions import save_helper, set_up_organisers
    from bangban.staff.models import TrainingOrganiser

    set_up_organisers(yiyuan_committed.county, by=None)
    serving = create_account(
        username="helper-axe",
        password=PASSWORD,
        role=Role.HELPER,
        binding=station,
        full_name="王帮办",
        by=None,
    )
    save_helper(serving, by=None, origin="window", started_on=dt.date(2020, 1, 1))
    organiser = TrainingOrganiser.objects.get(town_centre__region__name="鲁村镇")
    for path, name in [
        ("/staff/helpers/", "helper list"),
        (f"/staff/trainings/organisers/{organiser.pk}/new/", "record training"),
    ]:
        page.goto(f"{live_server.url}{path}")
        assert axe(page) == [], f"{name} page"
