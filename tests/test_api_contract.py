"""The API's contract (decision 0032): request bodies are strict — a day is a "YYYY-MM-DD" string
within its range, a boolean `true`/`false`, an integer a JSON integer — while query strings keep
being parsed; days outside sense are refused on every path; what the schema allows is accepted and
what it forbids (a null where it says no null) is refused by the schema itself."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from bangban.api import api
from bangban.cases import actions as case_actions
from bangban.kernel.schemas import DATE_1900_2100, DATE_2000_2100
from bangban.network import actions as network_actions
from bangban.network.models import EquipmentKind, Role
from bangban.staff import actions as staff_actions
from bangban.staff.actions import StaffError
from tests.cases.conftest import (  # noqa: F401 - fixtures
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    person,
    register,
    station,
)
from tests.network.test_api import Api, assert_error, token_for


@pytest.fixture
def county_admin(yiyuan, make_account):
    return make_account(Role.REGION_ADMIN, yiyuan.county)


@pytest.fixture
def county_api(client, county_admin):
    return Api(client, token_for(client, county_admin))


@pytest.fixture
def equipment(station, county_admin):  # noqa: F811
    added = network_actions.add_equipment(
        station, kind=EquipmentKind.objects.get(code="computer"), quantity=1, by=county_admin
    )
    type(added).objects.filter(pk=added.pk).update(
        added_on=timezone.localdate() - dt.timedelta(days=30)
    )
    added.refresh_from_db()
    return added


def _located(response, status: int, loc: list, kind: str | None = None) -> str:
    detail = assert_error(response, status)
    assert detail[0]["loc"] == loc, detail
    if kind:
        assert detail[0]["type"] == kind, detail
    return detail[0]["msg"]


# --- Strict bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"signage_in_place": 0}, "bool_type"),
        ({"signage_in_place": 1}, "bool_type"),
        ({"signage_in_place": "yes"}, "bool_type"),
        ({"signage_in_place": "true"}, "bool_type"),
        ({"active": "false"}, "bool_type"),
        ({"parent": "12"}, "int_type"),
        ({"parent": 12.5}, "int_type"),
        ({"parent": True}, "int_type"),
    ],
)
def test_a_body_takes_json_booleans_and_integers_only(county_api, station, body, kind):  # noqa: F811
    field = next(iter(body))
    before = (station.signage_in_place, station.active, station.parent_id)
    msg = _located(county_api.patch(f"/points/{station.pk}", body), 422, ["body", field], kind)
    assert field in msg
    station.refresh_from_db()
    assert (station.signage_in_place, station.active, station.parent_id) == before


def test_a_whole_number_written_with_a_point_is_an_integer(county_api, station):  # noqa: F811
    """JSON has one kind of number; JSON Schema's `integer` takes 2.0, and so does the API."""
    response = county_api.post(
        f"/points/{station.pk}/equipment", {"kind": "computer", "quantity": 2.0}
    )
    assert response.status_code == 201, response.content
    assert response.json()["quantity"] == 2


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (0, "date_type"),
        (1717200000, "date_type"),
        (None, "date_type"),
        ("2026-06-01T00:00", "date_parsing"),
        ("2026-06-01T00:00:00Z", "date_parsing"),
        ("20260601", "date_parsing"),
        ("2026-02-30", "date_parsing"),
        ("1999-12-31", "date_range"),
        ("2101-01-01", "date_range"),
    ],
)
def test_a_day_in_a_body_is_a_date_string_within_its_range(county_api, equipment, value, kind):
    response = county_api.post(
        f"/equipment/{equipment.pk}/checks", {"checked_on": value, "result": "ok"}
    )
    msg = _located(response, 422, ["body", "checked_on"], kind)
    assert "checked_on" in msg
    if kind == "date_range":
        assert msg == "checked_on 应在 2000-01-01 至 2100-12-31 之间。"
    assert not equipment.checks.exists()


def test_query_strings_are_still_parsed(county_api, yiyuan, make_helper):  # noqa: F811
    profile = make_helper(yiyuan.zone, started_on=dt.date(2020, 1, 1))
    response = county_api.get("/points", parent=str(yiyuan.centre.pk), active="true", limit="5")
    assert response.status_code == 200, response.content
    assert response.json()["items"]
    response = county_api.get(f"/helpers/{profile.pk}/qualification", on="2025-02-28")
    assert response.status_code == 200, response.content
    assert response.json()["on"] == "2025-02-28"
    # but a number is no day in a query string either
    _located(
        county_api.get(f"/helpers/{profile.pk}/qualification", on="0"),
        422,
        ["query", "on"],
        "date_parsing",
    )


# --- Days outside sense ----------------------------------------------------------------------------


def test_an_equipment_check_before_the_equipment_was_added_or_after_today(county_api, equipment):
    added = equipment.added_on
    url = f"/equipment/{equipment.pk}/checks"
    before = (added - dt.timedelta(days=1)).isoformat()
    msg = _located(
        county_api.post(url, {"checked_on": before, "result": "ok"}), 409, ["body", "checked_on"]
    )
    assert msg == f"检查日期不能早于设备登记日期（{added:%Y-%m-%d}）。"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    msg = _located(
        county_api.post(url, {"checked_on": tomorrow, "result": "ok"}), 409, ["body", "checked_on"]
    )
    assert msg == "检查日期不能晚于今天。"
    assert not equipment.checks.exists()
    response = county_api.post(url, {"checked_on": added.isoformat(), "result": "ok"})
    assert response.status_code == 201, response.content


def test_the_check_page_holds_the_same_rule(client, county_admin, equipment):
    client.force_login(county_admin)
    url = reverse("network:equipment_check_add", args=[equipment.pk])
    response = client.post(url, {"checked_on": "2001-01-01", "result": "ok", "fault": ""})
    assert response.status_code == 200
    assert (
        f"检查日期不能早于设备登记日期（{equipment.added_on:%Y-%m-%d}）"
        in response.content.decode()
    )
    assert not equipment.checks.exists()


def _registration(station, item, **applicant):  # noqa: F811
    return {
        "point": station.pk,
        "applicant": {"kind": "person", "name": "约翰", **applicant},
        "item": item.pk,
        "kind": "assisted",
        "mode": "on_site",
    }


@pytest.mark.parametrize(
    ("birth_on", "status", "words"),
    [
        ("1899-12-31", 422, "应在 1900-01-01 至 2100-12-31 之间"),
        (0, 422, "不是有效的日期"),
        ("2099-01-01", 409, "出生日期不能晚于今天"),
    ],
)
def test_a_birth_date_before_1900_or_in_the_future_is_refused(
    client,
    helper,  # noqa: F811
    station,  # noqa: F811
    item,  # noqa: F811
    birth_on,
    status,
    words,
):
    api = Api(client, token_for(client, helper))
    body = _registration(
        station, item, document_type="passport", number="E12345678", birth_on=birth_on
    )
    response = api.post("/cases", body)
    assert words in _located(response, status, ["body", "applicant", "birth_on"])
    body["applicant"]["birth_on"] = "1900-01-01"
    assert api.post("/cases", body).status_code == 201


def test_the_registration_action_refuses_a_birth_date_before_1900(register):  # noqa: F811
    applicant = person(document_type="passport", number="E12345678", birth_on=dt.date(1899, 12, 31))
    with pytest.raises(case_actions.CaseError) as error:
        register(applicant=applicant)
    assert "birth_on" in str(error.value.errors) or "applicant.birth_on" in error.value.errors


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"held_on": "1999-12-31"}, 422, "held_on"),
        ({"held_on": 0}, 422, "held_on"),
        ({"held_on": "2099-01-01"}, 409, "held_on"),
    ],
)
def test_a_training_day_is_bounded(county_api, organiser, body, status, field):  # noqa: F811
    full = {"organiser": organiser.pk, "topic": "业务培训", **body}
    _located(county_api.post("/trainings", full), status, ["body", field])


def test_the_staff_actions_hold_the_floors(yiyuan, make_account, organiser):  # noqa: F811
    user = make_account(Role.HELPER, yiyuan.zone)
    with pytest.raises(StaffError) as error:
        staff_actions.save_helper(user, by=None, origin="window", started_on=dt.date(1899, 12, 31))
    assert "started_on" in error.value.errors
    with pytest.raises(StaffError) as error:
        staff_actions.record_training(
            organiser, held_on=dt.date(1999, 12, 31), topic="业务培训", by=None
        )
    assert "held_on" in error.value.errors


def test_a_helper_start_day_is_a_personal_day_from_1900(county_api, yiyuan, make_helper):  # noqa: F811
    profile = make_helper(yiyuan.zone)
    url = f"/helpers/{profile.pk}"
    _located(
        county_api.patch(url, {"started_on": "1899-12-31"}),
        422,
        ["body", "started_on"],
        "date_range",
    )
    _located(county_api.patch(url, {"started_on": 0}), 422, ["body", "started_on"], "date_type")
    response = county_api.patch(url, {"started_on": "1990-05-01"})
    assert response.status_code == 200, response.content
    assert response.json()["started_on"] == "1990-05-01"


# --- What the schema allows --------------------------------------------------------------------


def _schema(name: str) -> dict:
    return api.get_openapi_schema()["components"]["schemas"][name]


def _nullable(prop: dict) -> bool:
    return prop.get("type") == "null" or any(p.get("type") == "null" for p in prop.get("anyOf", []))


def test_a_helper_patch_takes_null_only_where_the_schema_says(county_api, yiyuan, make_helper):  # noqa: F811
    properties = _schema("HelperUpdateIn")["properties"]
    assert {name for name, prop in properties.items() if _nullable(prop)} == {"left_on"}
    profile = make_helper(yiyuan.zone, left_on=dt.date(2025, 1, 1))
    url = f"/helpers/{profile.pk}"
    for field in ("full_time", "origin", "started_on", "work_phone", "domains"):
        _located(county_api.patch(url, {field: None}), 422, ["body", field])
    response = county_api.patch(url, {"left_on": None})
    assert response.status_code == 200, response.content
    assert response.json()["left_on"] is None


@pytest.mark.parametrize(("pattern", "earliest"), [(DATE_1900_2100, 1900), (DATE_2000_2100, 2000)])
def test_the_day_patterns_admit_exactly_the_real_days_of_their_range(pattern, earliest):
    """The OpenAPI document says each range as a pattern: months' lengths and leap years (2000 is
    one, 1900 and 2100 are not) included."""
    regex = re.compile(pattern)
    wrong = []
    for year in (earliest - 1, earliest, 1900, 1904, 1999, 2000, 2024, 2099, 2100, 2101):
        for month in range(1, 13):
            for day in range(1, 32):
                text = f"{year:04d}-{month:02d}-{day:02d}"
                try:
                    real = dt.date(year, month, day) is not None
                except ValueError:
                    real = False
                if bool(regex.match(text)) != (real and earliest <= year <= 2100):
                    wrong.append(text)
    assert wrong == []
