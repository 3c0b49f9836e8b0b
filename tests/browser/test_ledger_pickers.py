"""The ledger's point, helper and item pickers in a real browser (decision 0064): the page draws only
the chosen option; opening 更多条件 asks for the lists, typing narrows them, by keyboard alone, and
the filter applies the choice; axe-core clean with the lists loaded."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bangban.network.models import Role

from ..catalog.conftest import make_item  # noqa: F401 - a fixture
from ..staff.conftest import make_helper, organiser  # noqa: F401 - fixtures
from .test_case_story import no_violations
from .test_catalog import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_pickers_load_their_lists_on_demand(
    page,
    live_server,
    axe,
    yiyuan_committed,
    make_account,
    make_helper,  # noqa: F811 - the imported fixture
    make_item,  # noqa: F811 - the imported fixture
):
    yiyuan = yiyuan_committed
    station = yiyuan.station("鲁村镇")
    helper = make_helper(station).user
    make_item(name="居民养老保险参保登记")
    make_account(Role.REGION_ADMIN, yiyuan.county, username="pickers-county")
    log_in(page, live_server, "pickers-county")
    page.goto(f"{live_server.url}/cases/")

    point = page.locator("#id_point")
    assert point.locator("option").count() == 2  # 全部, and how to find the others
    with page.expect_response(lambda r: "/cases/options/" in r.url and "field=point" in r.url):
        page.get_by_text("更多条件").click()
    # Waits through locators, never `wait_for_function`: its string predicate is evaluated by eval
    # when it must poll, which the page's Content-Security-Policy refuses (seen on a loaded machine).
    point.locator("option").nth(2).wait_for(state="attached")
    assert yiyuan.centre.name in point.inner_text()
    page.locator("#id_helper option").nth(2).wait_for(state="attached")
    assert (helper.get_full_name() or helper.username) in page.locator("#id_helper").inner_text()
    no_violations(axe, page, "ledger with its pickers loaded")

    # By keyboard: type into the search box, tab to the narrowed list, choose, filter.
    find = page.get_by_label("服务点（含下级）：输入服务点名称查找")
    find.focus()
    with page.expect_response(lambda r: "point_find=" in r.url):
        page.keyboard.type(station.name, delay=20)
    expect(point.locator("option:not([disabled])")).to_have_count(2)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_point"
    page.keyboard.press("ArrowDown")
    assert point.input_value() == str(station.pk)
    with page.expect_navigation():
        page.locator("details").get_by_role("button", name="筛选").click()
    assert f"point={station.pk}" in page.url
    chosen = page.locator("#id_point option:checked")
    assert chosen.inner_text().strip() == station.name
    no_violations(axe, page, "ledger filtered by a point")
