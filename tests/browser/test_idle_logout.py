"""The idle log-out in a real browser (decision 0035), with a 15-second limit: the warning comes with
a countdown and one click goes on; typing is activity; once logged out the page is covered but keeps
what was typed, and after logging in again in a new tab "继续" brings it back and the form is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bangban.network.models import Role, ServicePoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"
IDLE_SECONDS = 15  # the warning 5 s before, activity told every 2 s
WAIT = (IDLE_SECONDS + 10) * 1000  # what a step may take at most (ms)


@pytest.fixture
def short_idle(settings):
    settings.BANGBAN_IDLE_MINUTES = IDLE_SECONDS / 60


@pytest.fixture
def town_admin(yiyuan_committed, make_account):
    return make_account(Role.TOWN_ADMIN, yiyuan_committed.town("鲁村镇"), username="idle-admin")


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def shoot(shots, page, name: str):
    if shots:
        page.screenshot(path=str(shots / f"idle-{name}.png"))


def test_the_warning_goes_on_in_one_click(page, live_server, short_idle, town_admin, axe, shots):
    log_in(page, live_server, town_admin.username)
    page.goto(f"{live_server.url}{reverse('cases:ledger')}")
    dialog = page.locator("#idle-dialog")
    dialog.get_by_text("即将退出登录").wait_for(state="visible", timeout=WAIT)
    assert "后因长时间未操作而退出登录" in dialog.inner_text()
    shoot(shots, page, "warning")
    assert axe(page) == []
    dialog.get_by_role("button", name="继续使用").click()
    dialog.wait_for(state="hidden")
    answer = page.request.get(f"{live_server.url}{reverse('network:session')}").json()
    assert answer["authenticated"] is True and answer["left"] > IDLE_SECONDS - 5


def test_typing_is_activity(page, live_server, short_idle, town_admin, yiyuan_committed):
    station = yiyuan_committed.station("鲁村镇")
    log_in(page, live_server, town_admin.username)
    page.goto(f"{live_server.url}{reverse('network:point_edit', args=[station.pk])}")
    field = page.get_by_label("地址")
    field.fill("")
    for letter in "沂源县鲁村镇东村村委会院内一楼东侧":  # about twice the idle limit of typing
        field.press_sequentially(letter)
        page.wait_for_timeout(1200)
        assert not page.locator("#idle-dialog").is_visible()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{live_server.url}{reverse('network:point', args=[station.pk])}")
    station.refresh_from_db()
    assert station.address == "沂源县鲁村镇东村村委会院内一楼东侧"


def test_after_the_log_out_what_was_typed_is_kept_and_saved(
    chromium, live_server, short_idle, town_admin, yiyuan_committed, axe, shots
):
    station = yiyuan_committed.station("鲁村镇")
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server, town_admin.username)
    page.goto(f"{live_server.url}{reverse('network:point_edit', args=[station.pk])}")
    page.get_by_label("地址").fill("鲁村镇东村村委会一楼")

    dialog = page.locator("#idle-dialog")
    dialog.get_by_text("已退出登录", exact=True).wait_for(state="visible", timeout=2 * WAIT)
    assert page.locator("#main").is_hidden()  # nothing left on screen for the next person
    shoot(shots, page, "expired")
    assert axe(page) == []
    dialog.get_by_role("button", name="继续", exact=True).click()
    dialog.get_by_text("还没有重新登录").wait_for(state="visible")

    with context.expect_page() as opened:
        dialog.get_by_role("link", name="在新标签页登录").click()
    other = opened.value
    other.get_by_label("用户名").fill(town_admin.username)
    other.get_by_label("密码").fill(PASSWORD)
    other.get_by_role("button", name="登录").click()
    other.get_by_text("请回到原来的标签页").wait_for()

    page.bring_to_front()
    dialog.get_by_role("button", name="继续", exact=True).click()
    dialog.wait_for(state="hidden")
    assert page.get_by_label("地址").input_value() == "鲁村镇东村村委会一楼"
    page.get_by_role("button", name="保存").click()  # with the new login's CSRF token
    page.wait_for_url(f"{live_server.url}{reverse('network:point', args=[station.pk])}")
    station.refresh_from_db()
    assert station.address == "鲁村镇东村村委会一楼"
    context.close()


def test_another_user_logging_in_does_not_get_the_page(
    chromium, live_server, short_idle, town_admin, make_account, yiyuan_committed
):
    other_admin = make_account(Role.TOWN_ADMIN, yiyuan_committed.town("鲁村镇"), username="idle-b")
    station = yiyuan_committed.station("鲁村镇")
    context = chromium.new_context(locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, town_admin.username)
    page.goto(f"{live_server.url}{reverse('network:point_edit', args=[station.pk])}")
    page.get_by_label("地址").fill("不是我填的")
    page.locator("#idle-dialog").get_by_text("已退出登录", exact=True).wait_for(
        state="visible", timeout=2 * WAIT
    )
    other = context.new_page()
    log_in(other, live_server, other_admin.username)
    page.bring_to_front()
    with page.expect_navigation():
        page.locator("#idle-dialog").get_by_role("button", name="继续", exact=True).click()
    assert page.get_by_label("地址").input_value() != "不是我填的"
    assert ServicePoint.objects.get(pk=station.pk).address != "不是我填的"
    context.close()
