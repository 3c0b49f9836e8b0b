"""The facilities card with overdue and faulty equipment, the check page with its errors and the
signage page have no serious or critical accessibility violations (axe-core)."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from bangban.network import actions
from bangban.network.models import EquipmentKind, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secure-pass-123"


@pytest.fixture
def kinds(transactional_db):
    """A flush after an earlier transactional test removes the migration's seed: put it back."""
    if not EquipmentKind.objects.exists():
        importlib.import_module("bangban.network.migrations.0003_equipment").seed_kinds(apps, None)
    return {k.code: k for k in EquipmentKind.objects.all()}


def test_equipment_pages_have_no_serious_accessibility_violations(
    page, live_server, yiyuan_committed, make_account, kinds, axe
):
    station = yiyuan_committed.station("鲁村镇")
    lead = make_account(Role.POINT_LEAD, station, password=PASSWORD)
    today = dt.date.today()
    camera = actions.add_equipment(
        station, kind=kinds["document_camera"], quantity=1, responsible=lead, by=lead
    )
    actions.record_equipment_check(
        camera, checked_on=today, result="faulty", fault="无法对焦", by=lead
    )
    glasses = actions.add_equipment(station, kind=kinds["reading_glasses"], quantity=3, by=lead)
    glasses.added_on = today - dt.timedelta(days=120)
    glasses.save()

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(lead.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/points/{station.pk}/")
    card = page.locator("section[aria-labelledby=equipment-heading]")
    assert "已逾期" in card.inner_text() and "故障" in card.inner_text()
    assert axe(page) == [], "point page with equipment"

    page.goto(f"{live_server.url}/equipment/{camera.pk}/checks/add/")
    page.get_by_label("检查结果").select_option("faulty")
    with page.expect_navigation():
        page.get_by_role("button", name="保存检查记录").click()
    assert page.locator("#id_fault_error").is_visible()
    assert axe(page) == [], "check page with errors"

    page.goto(f"{live_server.url}/points/{station.pk}/signage/")
    assert axe(page) == [], "signage page"
