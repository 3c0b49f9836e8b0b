"""Facilities: equipment per point, periodic checks at an interval per kind, overdue flags, signage
and its photo — the actions' rules, the pages and the API, always through the gate."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from PIL import Image

from bangban.network import actions
from bangban.network.models import (
    Equipment,
    EquipmentCheck,
    EquipmentKind,
    Role,
    ServicePoint,
)
from tests.pages import page_text as text

from .test_api import Api, assert_error, token_for

TODAY = dt.date(2026, 6, 1)
State = Equipment.State
Result = EquipmentCheck.Result


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def station(yiyuan) -> ServicePoint:
    """A village station of 南麻街道, its signage not yet up."""
    point = yiyuan.station("南麻街道")
    ServicePoint.objects.filter(pk=point.pk).update(signage_in_place=False)
    point.refresh_from_db()
    return point


@pytest.fixture
def county_admin(yiyuan, make_account):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


def kind(code: str = "computer") -> EquipmentKind:
    return EquipmentKind.objects.get(code=code)


def add(point, by, *, code="computer", days_ago=0, **extra) -> Equipment:
    """Equipment added `days_ago` days before today (through the action, then back-dated)."""
    equipment = actions.add_equipment(
        point, kind=kind(code), quantity=extra.pop("quantity", 1), by=by, **extra
    )
    Equipment.objects.filter(pk=equipment.pk).update(added_on=TODAY - dt.timedelta(days=days_ago))
    equipment.refresh_from_db()
    return equipment


def check(equipment, by, *, days_ago=0, result=Result.OK, fault=""):
    return actions.record_equipment_check(
        equipment,
        checked_on=TODAY - dt.timedelta(days=days_ago),
        result=result,
        fault=fault,
        by=by,
    )


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


# --- Seeded kinds ----------------------------------------------------------------------------------


def test_kinds_are_seeded_quarterly_with_convenience_items_marked(db):
    kinds = {k.code: k for k in EquipmentKind.objects.all()}
    assert kinds["document_camera"].name == "高拍仪"
    assert kinds["reading_glasses"].is_convenience and not kinds["printer"].is_convenience
    assert {k.check_interval_days for k in kinds.values()} == {91}
    assert len(kinds) == 10


# --- Overdue at the boundary -----------------------------------------------------------------------


def overdue_ids(**filters) -> set[int]:
    return set(
        Equipment.objects.filter(**filters).check_overdue(on=TODAY).values_list("pk", flat=True)
    )


def test_checked_exactly_one_interval_ago_is_not_overdue(station, county_admin):
    equipment = add(station, county_admin, days_ago=300)
    check(equipment, county_admin, days_ago=91)
    assert equipment.pk not in overdue_ids(point=station)


def test_checked_one_day_more_than_the_interval_ago_is_overdue(station, county_admin):
    equipment = add(station, county_admin, days_ago=300)
    check(equipment, county_admin, days_ago=92)
    assert equipment.pk in overdue_ids(point=station)


def test_only_the_latest_check_counts(station, county_admin):
    equipment = add(station, county_admin, days_ago=300)
    check(equipment, county_admin, days_ago=10)
    check(equipment, county_admin, days_ago=200)  # recorded later, but older
    assert equipment.pk not in overdue_ids(point=station)


def test_never_checked_is_overdue_once_the_interval_since_added_has_passed(station, county_admin):
    fresh = add(station, county_admin, days_ago=91)
    old = add(station, county_admin, days_ago=92)
    assert overdue_ids(point=station) == {old.pk}
    assert fresh.pk not in overdue_ids(point=station)


def test_retired_equipment_is_never_overdue(station, county_admin):
    equipment = add(station, county_admin, days_ago=400, state=State.RETIRED)
    assert equipment.pk not in overdue_ids(point=station)


def test_interval_comes_from_the_kind(station, county_admin):
    EquipmentKind.objects.filter(code="pens").update(check_interval_days=30)
    pens = add(station, county_admin, code="pens", days_ago=31)
    computer = add(station, county_admin, code="computer", days_ago=31)
    assert overdue_ids(point=station) == {pens.pk}
    assert computer.pk not in overdue_ids(point=station)


def test_points_are_annotated_with_their_overdue_equipment_in_one_query(
    yiyuan, station, county_admin, django_assert_num_queries
):
    add(station, county_admin, days_ago=92)
    add(station, county_admin, days_ago=10)
    add(station, county_admin, days_ago=400, state=State.RETIRED)
    other = yiyuan.station("鲁村镇")
    add(other, county_admin, days_ago=100)
    county, centre = yiyuan.county, yiyuan.centre
    with django_assert_num_queries(1):
        rows = {
            p.pk: (p.equipment_count, p.equipment_overdue)
            for p in ServicePoint.objects.filter(county=county).with_equipment_status(TODAY)
        }
    assert rows[station.pk] == (2, 1)
    assert rows[other.pk] == (1, 1)
    assert rows[centre.pk] == (0, 0)


# --- Checks and state ------------------------------------------------------------------------------


def test_a_faulty_check_needs_a_fault_text(station, county_admin):
    equipment = add(station, county_admin)
    with pytest.raises(actions.NetworkError) as error:
        check(equipment, county_admin, result=Result.FAULTY, fault="  ")
    assert "fault" in error.value.errors
    assert not equipment.checks.exists()


def test_the_database_refuses_a_faulty_check_without_fault(station, county_admin):
    equipment = add(station, county_admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        EquipmentCheck.objects.create(
            equipment=equipment, checked_on=TODAY, checked_by=county_admin, result="faulty"
        )


def test_the_database_refuses_a_quantity_of_zero(station, county_admin):
    with pytest.raises(IntegrityError), transaction.atomic():
        Equipment.objects.create(point=station, kind=kind(), quantity=0)


def test_a_faulty_check_marks_the_equipment_faulty_and_an_ok_check_working(station, county_admin):
    equipment = add(station, county_admin, days_ago=30)
    check(equipment, county_admin, days_ago=5, result=Result.FAULTY, fault="高拍仪无法对焦")
    equipment.refresh_from_db()
    assert equipment.state == State.FAULTY
    check(equipment, county_admin, days_ago=1, result=Result.OK)
    equipment.refresh_from_db()
    assert equipment.state == State.WORKING


def test_a_back_dated_check_does_not_override_a_later_one(station, county_admin):
    equipment = add(station, county_admin, days_ago=100)
    check(equipment, county_admin, days_ago=1, result=Result.FAULTY, fault="屏幕损坏")
    check(equipment, county_admin, days_ago=30, result=Result.OK)
    equipment.refresh_from_db()
    assert equipment.state == State.FAULTY


def test_a_check_after_today_is_refused(station, county_admin):
    equipment = add(station, county_admin)
    with pytest.raises(actions.NetworkError) as error:
        check(equipment, county_admin, days_ago=-1)
    assert "checked_on" in error.value.errors


def test_a_check_before_the_equipment_was_added_is_refused(station, county_admin):
    equipment = add(station, county_admin, days_ago=10)
    with pytest.raises(actions.NetworkError) as error:
        check(equipment, county_admin, days_ago=11)
    assert "2026-05-22" in error.value.errors["checked_on"][0]
    assert not equipment.checks.exists()
    check(equipment, county_admin, days_ago=10)  # the day it was added is fine
    assert equipment.checks.count() == 1


def test_the_check_page_refuses_a_day_before_the_equipment_was_added(client, station, county_admin):
    equipment = add(station, county_admin, days_ago=10)
    client.force_login(county_admin)
    url = reverse("network:equipment_check_add", args=[equipment.pk])
    response = client.post(url, {"checked_on": "1970-01-01", "result": "ok", "fault": ""})
    assert response.status_code == 200
    assert "检查日期不能早于设备登记日期（2026-05-22）" in text(response)
    assert not equipment.checks.exists()


def test_responsible_must_serve_at_the_point_or_above(yiyuan, station, county_admin, make_account):
    helper_here = make_account(Role.HELPER, station)
    town_admin_above = make_account(Role.TOWN_ADMIN, yiyuan.town("南麻街道"))
    helper_elsewhere = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    assert add(station, county_admin, responsible=helper_here).responsible == helper_here
    assert add(station, county_admin, responsible=town_admin_above).responsible_id
    with pytest.raises(actions.NetworkError) as error:
        add(station, county_admin, responsible=helper_elsewhere)
    assert "responsible" in error.value.errors


# --- Signage ---------------------------------------------------------------------------------------


def test_signage_photo_that_is_not_an_image_is_refused(station, county_admin):
    fake = SimpleUploadedFile("sign.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(actions.NetworkError) as error:
        actions.set_signage(station, in_place=True, photo=fake, by=county_admin)
    assert "photo" in error.value.errors
    station.refresh_from_db()
    assert not station.signage_photo


def test_signage_photo_over_5_mb_is_refused(station, county_admin):
    big = SimpleUploadedFile("sign.png", png() + b"\0" * (5 * 1024 * 1024), "image/png")
    with pytest.raises(actions.NetworkError, match="5 MB"):
        actions.set_signage(station, in_place=True, photo=big, by=county_admin)


def test_signage_photo_is_stored_and_served_through_the_gate(
    client, yiyuan, station, county_admin, make_account
):
    photo = SimpleUploadedFile("牌子.png", png(), "image/png")
    actions.set_signage(station, in_place=True, photo=photo, by=county_admin)
    station.refresh_from_db()
    assert station.signage_in_place
    assert station.signage_photo.name.startswith("signage/2026/point-")
    url = reverse("network:signage_photo", args=[station.pk])
    client.force_login(county_admin)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.force_login(make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇")))
    assert client.get(url).status_code == 404


# --- Pages -----------------------------------------------------------------------------------------


def test_point_page_shows_equipment_and_overdue_in_words(client, station, county_admin):
    add(station, county_admin, code="document_camera", days_ago=200, quantity=2)
    client.force_login(county_admin)
    body = text(client.get(reverse("network:point", args=[station.pk])))
    assert "设施设备" in body and "高拍仪" in body
    assert "已逾期" in body and "从未检查" in body
    assert "统一标识" in body and "未设置" in body


def test_county_admin_adds_equipment_through_the_page(client, station, county_admin):
    client.force_login(county_admin)
    url = reverse("network:equipment_add", args=[station.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": kind("printer").pk, "quantity": 2, "state": "working", "note": ""}
    )
    assert response.status_code == 302
    assert Equipment.objects.get(point=station).quantity == 2


def test_failed_equipment_submit_changes_nothing_and_speaks_chinese(client, station, county_admin):
    client.force_login(county_admin)
    url = reverse("network:equipment_add", args=[station.pk])
    response = client.post(url, {"kind": kind().pk, "quantity": 0, "state": "working"})
    assert response.status_code == 200
    assert "没有保存" in text(response)
    assert "确保该值大于或等于1" in text(response)
    assert not Equipment.objects.filter(point=station).exists()


def test_faulty_check_page_without_fault_changes_nothing(client, station, county_admin):
    equipment = add(station, county_admin, days_ago=10)
    client.force_login(county_admin)
    url = reverse("network:equipment_check_add", args=[equipment.pk])
    response = client.post(url, {"checked_on": "2026-05-30", "result": "faulty", "fault": ""})
    assert response.status_code == 200
    assert "请填写故障情况" in text(response)
    assert not equipment.checks.exists()
    response = client.post(url, {"checked_on": "2026-05-30", "result": "faulty", "fault": "卡纸"})
    assert response.status_code == 302
    equipment.refresh_from_db()
    assert equipment.state == State.FAULTY


def test_signage_page_refuses_a_file_that_is_not_an_image(client, station, county_admin):
    client.force_login(county_admin)
    url = reverse("network:point_signage", args=[station.pk])
    fake = SimpleUploadedFile("sign.png", b"GIF89a-but-not-really", content_type="image/png")
    response = client.post(url, {"in_place": "on", "photo": fake})
    assert response.status_code == 200
    assert "不是有效的图片" in text(response)
    station.refresh_from_db()
    assert not station.signage_in_place and not station.signage_photo


def test_signage_page_saves_photo_and_in_place(client, station, county_admin):
    client.force_login(county_admin)
    url = reverse("network:point_signage", args=[station.pk])
    photo = SimpleUploadedFile("sign.png", png(), content_type="image/png")
    assert client.post(url, {"in_place": "on", "photo": photo}).status_code == 302
    station.refresh_from_db()
    assert station.signage_in_place and station.signage_photo
    body = text(client.get(reverse("network:point", args=[station.pk])))
    assert reverse("network:signage_photo", args=[station.pk]) in body


def test_town_admin_cannot_see_or_add_equipment_at_another_towns_station(
    client, yiyuan, station, county_admin, make_account
):
    equipment = add(station, county_admin)
    client.force_login(make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇")))
    for url in (
        reverse("network:equipment_add", args=[station.pk]),
        reverse("network:equipment_edit", args=[equipment.pk]),
        reverse("network:equipment_check_add", args=[equipment.pk]),
        reverse("network:point_signage", args=[station.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"kind": kind().pk, "quantity": 1}).status_code == 404, url
    assert Equipment.objects.filter(point=station).count() == 1


def test_helper_sees_equipment_but_cannot_change_it(client, station, county_admin, make_account):
    equipment = add(station, county_admin)
    client.force_login(make_account(Role.HELPER, station))
    body = text(client.get(reverse("network:point", args=[station.pk])))
    assert "电脑" in body
    assert reverse("network:equipment_add", args=[station.pk]) not in body
    assert client.get(reverse("network:equipment_edit", args=[equipment.pk])).status_code == 404


def test_partner_admin_of_one_bank_sees_nothing_of_anothers(
    client, yiyuan, county_admin, make_account
):
    theirs = yiyuan.partner_station("中国农业银行沂源县支行")
    equipment = add(theirs, county_admin)
    client.force_login(make_account(Role.PARTNER_ADMIN, yiyuan.organisation("沂源农村商业银行")))
    assert client.get(reverse("network:point", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("network:equipment_edit", args=[equipment.pk])).status_code == 404
    assert client.get(reverse("network:signage_photo", args=[theirs.pk])).status_code == 404


@pytest.mark.parametrize("lines", [0, 8])
def test_point_page_query_count_does_not_grow_with_its_equipment(
    client, station, county_admin, make_account, django_assert_num_queries, lines
):
    helper = make_account(Role.HELPER, station)
    for number in range(lines):
        equipment = add(station, county_admin, days_ago=100, responsible=helper)
        check(equipment, county_admin, days_ago=number)
    lead = make_account(Role.POINT_LEAD, station)
    client.force_login(lead)
    url = reverse("network:point", args=[station.pk])
    client.get(url)  # warm the session
    with django_assert_num_queries(13):
        response = client.get(url)
    assert text(response).count("记录检查") == lines


# --- API -------------------------------------------------------------------------------------------


@pytest.fixture
def county_api(client, county_admin):
    return Api(client, token_for(client, county_admin))


def test_api_adds_lists_and_checks_equipment(county_api, station):
    response = county_api.post(
        f"/points/{station.pk}/equipment", {"kind": "document_camera", "quantity": 1}
    )
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["kind_name"] == "高拍仪" and item["overdue"] is False
    assert item["next_check_on"] == "2026-08-31"
    listed = county_api.get(f"/points/{station.pk}/equipment").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == item["id"]
    response = county_api.post(
        f"/equipment/{item['id']}/checks",
        {"checked_on": "2026-05-31", "result": "faulty", "fault": "无法连接电脑"},
    )
    assert_error(response, 409, "checked_on")  # the day before it was added: it was not there
    response = county_api.post(
        f"/equipment/{item['id']}/checks",
        {"checked_on": "2026-06-01", "result": "faulty", "fault": "无法连接电脑"},
    )
    assert response.status_code == 201, response.content
    assert county_api.get(f"/equipment/{item['id']}").json()["state"] == "faulty"
    checks = county_api.get(f"/equipment/{item['id']}/checks").json()
    assert checks["count"] == 1 and checks["items"][0]["fault"] == "无法连接电脑"
    response = county_api.patch(f"/equipment/{item['id']}", {"quantity": 3, "note": "备用一台"})
    assert response.status_code == 200 and response.json()["quantity"] == 3


def test_api_faulty_check_without_fault_is_a_rule_error(county_api, station, county_admin):
    equipment = add(station, county_admin)
    response = county_api.post(
        f"/equipment/{equipment.pk}/checks", {"checked_on": "2026-05-31", "result": "faulty"}
    )
    assert_error(response, 409, "fault")
    assert not equipment.checks.exists()


def test_api_unknown_responsible_and_outsider_look_the_same(
    county_api, yiyuan, station, make_account
):
    outsider = make_account(Role.HELPER, yiyuan.station("鲁村镇"))
    answers = [
        county_api.post(
            f"/points/{station.pk}/equipment", {"kind": "computer", "responsible": pk}
        ).json()
        for pk in (outsider.pk, 2**40)
    ]
    assert answers[0] == answers[1]
    assert answers[0]["detail"][0]["loc"] == ["body", "responsible"]


def test_api_refuses_unknown_query_parameters(county_api, station):
    assert_error(county_api.get(f"/points/{station.pk}/equipment", staet="faulty"), 422, "staet")


def test_api_town_admin_gets_404_for_another_towns_equipment(
    client, yiyuan, station, county_admin, make_account
):
    equipment = add(station, county_admin)
    api = Api(client, token_for(client, make_account(Role.TOWN_ADMIN, yiyuan.town("鲁村镇"))))
    assert_error(api.get(f"/points/{station.pk}/equipment"), 404)
    assert_error(api.post(f"/points/{station.pk}/equipment", {"kind": "computer"}), 404)
    assert_error(api.get(f"/equipment/{equipment.pk}"), 404)
    assert_error(api.patch(f"/equipment/{equipment.pk}", {"quantity": 2}), 404)
    assert_error(api.get(f"/equipment/{equipment.pk}/checks"), 404)
    body = {"checked_on": "2026-05-31", "result": "ok"}
    assert_error(api.post(f"/equipment/{equipment.pk}/checks", body), 404)
    assert Equipment.objects.filter(point=station).count() == 1


def test_api_partner_admin_of_one_bank_sees_nothing_of_anothers(
    client, yiyuan, county_admin, make_account
):
    theirs = yiyuan.partner_station("中国农业银行沂源县支行")
    equipment = add(theirs, county_admin)
    user = make_account(Role.PARTNER_ADMIN, yiyuan.organisation("沂源农村商业银行"))
    api = Api(client, token_for(client, user))
    assert_error(api.get(f"/points/{theirs.pk}/equipment"), 404)
    assert_error(api.get(f"/equipment/{equipment.pk}"), 404)


def test_api_helper_may_read_but_not_change(client, station, county_admin, make_account):
    equipment = add(station, county_admin)
    api = Api(client, token_for(client, make_account(Role.HELPER, station)))
    assert api.get(f"/equipment/{equipment.pk}").status_code == 200
    assert_error(api.patch(f"/equipment/{equipment.pk}", {"quantity": 2}), 403)


@pytest.mark.parametrize("lines", [1, 8])
def test_api_equipment_list_query_count_is_fixed(
    county_api, station, county_admin, django_assert_num_queries, lines
):
    for number in range(lines):
        equipment = add(station, county_admin, days_ago=100)
        check(equipment, county_admin, days_ago=number)
    county_api.get(f"/points/{station.pk}/equipment")
    with django_assert_num_queries(4):  # the token reads the memberships with it
        response = county_api.get(f"/points/{station.pk}/equipment")
    assert response.json()["count"] == lines
