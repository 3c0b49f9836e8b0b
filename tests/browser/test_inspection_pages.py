# ruff: noqa: F811 - the fixtures imported from tests.cases.conftest
"""The inspection pages in a real browser at 360 px: a supervisor starts an unannounced visit,
records a finding with a photo from the phone and submits it; the station's lead sees nothing before
and the read-only page after. Every page fits the narrow screen and is clean for axe-core."""

import pytest

from bangban.network.models import Role
from bangban.supervision import actions
from bangban.supervision.actions import ItemData, SectionData
from bangban.supervision.models import Inspection
from tests.cases.conftest import make_helper, organiser  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def _login(page, url, user):
    page.goto(f"{url}/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_a_supervisor_records_an_unannounced_visit_at_360_px(
    page, live_server, yiyuan_committed, make_account, make_helper, axe, shots, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    county = yiyuan_committed.county
    station = yiyuan_committed.station("鲁村镇")
    lead = make_helper(station, role=Role.POINT_LEAD).user
    supervisor = make_account(Role.SUPERVISOR, county, password=PASSWORD)
    bureau = make_account(Role.REGION_ADMIN, county)
    actions.save_checklist(
        county,
        name="浏览器测试评分表",
        sections=[
            SectionData(
                "标识标牌",
                [ItemData("门头标识规范", 10, 2, 5, "look", photo_required=True)],
            )
        ],
        by=bureau,
    )
    page.set_viewport_size({"width": 360, "height": 800})
    _login(page, live_server.url, supervisor)
    page.goto(f"{live_server.url}/supervision/inspections/")
    assert page.evaluate(OVERFLOW) <= 0
    assert axe(page) == []
    page.get_by_role("link", name="新建检查").click()
    page.wait_for_load_state()
    page.get_by_label("按名称或镇（街道）查找服务点").fill(station.name)
    page.get_by_role("button", name="查找").click()
    page.wait_for_load_state()
    page.get_by_label("被检查服务点").select_option(str(station.pk))
    page.get_by_label("督查评分表").select_option(label="浏览器测试评分表")
    assert page.evaluate(OVERFLOW) <= 0
    assert axe(page) == []
    page.get_by_role("button", name="开始检查").click()
    page.wait_for_load_state()
    inspection = Inspection.objects.get()

    page.get_by_label("问题处数").fill("1")
    page.get_by_label("问题描述").fill("门头字迹脱落")
    page.get_by_label("照片").set_input_files(
        {"name": "门头.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    )
    page.get_by_role("button", name="保存本项").click()
    page.wait_for_load_state()
    assert page.get_by_text("已扣 2.0 分").is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    assert axe(page) == []
    if shots:
        page.screenshot(path=str(shots / "inspection-fill-360.png"), full_page=True)

    page.context.clear_cookies()
    _login(page, live_server.url, lead)
    response = page.goto(f"{live_server.url}/supervision/inspections/{inspection.pk}/")
    assert response.status == 404

    page.context.clear_cookies()
    _login(page, live_server.url, supervisor)
    page.goto(f"{live_server.url}/supervision/inspections/{inspection.pk}/")
    page.get_by_role("button", name="提交（提交后不能修改）").click()
    page.wait_for_load_state()
    inspection.refresh_from_db()
    assert inspection.status == "submitted"

    page.context.clear_cookies()
    _login(page, live_server.url, lead)
    page.goto(f"{live_server.url}/supervision/inspections/{inspection.pk}/")
    assert page.get_by_text("门头字迹脱落").is_visible()
    assert page.evaluate(OVERFLOW) <= 0
    assert axe(page) == []
    if shots:
        page.screenshot(path=str(shots / "inspection-read-360.png"), full_page=True)
