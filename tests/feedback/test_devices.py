"""Hall rating devices (评价器): registered with a token shown once, they rate only the occasion a
helper has just pushed to them, once, within the window; a deactivated device and another point's
device are refused."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.utils import timezone

from bangban.feedback.actions import register_device
from bangban.feedback.models import Channel, Rating, RatingDevice
from bangban.network.models import Role
from tests.cases.conftest import (  # noqa: F401 - fixtures
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    register,
    station,
)
from tests.feedback.occasions import Api, occasion_of
from tests.pages import page_text as text

pytestmark = pytest.mark.django_db


@pytest.fixture
def occasion(register):  # noqa: F811
    return occasion_of(register())


@pytest.fixture
def lead(make_account, station):  # noqa: F811
    return make_account(Role.POINT_LEAD, station)


@pytest.fixture
def device(station, lead):  # noqa: F811
    """(the device at the station, its token)."""
    return register_device(station, name="一号评价器", by=lead)


def device_api(client, token) -> Api:
    return Api(client, headers={"authorization": f"Device {token}"})


def test_a_lead_registers_a_device_whose_token_is_shown_once(client, lead, station):  # noqa: F811
    api = Api(client, lead)
    response = api.post("/devices", {"point": station.pk, "name": "一号评价器"})
    assert response.status_code == 201, response.content
    answer = response.json()
    token = answer["token"]
    stored = RatingDevice.objects.get(pk=answer["id"])
    assert stored.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(RatingDevice.objects.filter(pk=stored.pk).values().get())
    listed = api.get("/devices").json()
    assert listed["count"] == 1 and "token" not in listed["items"][0]


def test_a_helper_may_not_register_a_device(client, helper, station):  # noqa: F811
    response = Api(client, helper).post("/devices", {"point": station.pk, "name": "评价器"})
    assert response.status_code == 403
    assert not RatingDevice.objects.exists()


def test_the_device_rates_only_the_pushed_occasion_once(client, device, helper, occasion):  # noqa: F811
    stored, token = device
    on_device = device_api(client, token)
    assert on_device.get("/device/current").status_code == 404  # nothing pushed
    refused = on_device.post("/device/ratings", {"level": 5})
    assert refused.status_code == 409 and not Rating.objects.exists()

    pushed = Api(client, helper).post(f"/devices/{stored.pk}/push", {"occasion": occasion.pk})
    assert pushed.status_code == 200, pushed.content
    current = on_device.get("/device/current")
    assert current.status_code == 200
    shown = current.json()
    assert shown["point_name"] == occasion.point.name
    assert shown["occasion_kind"] == occasion.kind and shown["occasion_on"] == str(occasion.on)
    assert "张秀英" not in current.content.decode()  # no personal data
    assert {"warm", "attitude"} <= {r["code"] for r in shown["reasons"]}

    rated = on_device.post("/device/ratings", {"level": 4, "reasons": ["warm"]})
    assert rated.status_code == 201, rated.content
    rating = Rating.objects.get()
    assert rating.occasion == occasion and rating.channel == Channel.DEVICE
    assert rating.device_id == stored.pk and rating.entered_by is None

    again = on_device.post("/device/ratings", {"level": 1})
    assert again.status_code == 409
    assert on_device.get("/device/current").status_code == 404
    assert Rating.objects.count() == 1


def test_a_push_expires_after_the_window(client, device, helper, occasion):  # noqa: F811
    stored, token = device
    assert (
        Api(client, helper)
        .post(f"/devices/{stored.pk}/push", {"occasion": occasion.pk})
        .status_code
        == 200
    )
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
        on_device = device_api(client, token)
        assert on_device.get("/device/current").status_code == 404
        refused = on_device.post("/device/ratings", {"level": 5})
        assert refused.status_code == 409
        assert "推送已超时" in refused.json()["detail"][0]["msg"]
    assert not Rating.objects.exists()


def test_another_points_device_does_not_rate_the_occasion(
    client,
    device,
    helper,  # noqa: F811
    occasion,
    make_account,
    yiyuan,  # noqa: F811
):
    stored, _token = device
    other_point = yiyuan.station("南麻街道")
    _other, other_token = register_device(
        other_point, name="别处评价器", by=make_account(Role.POINT_LEAD, other_point)
    )
    Api(client, helper).post(f"/devices/{stored.pk}/push", {"occasion": occasion.pk})
    elsewhere = device_api(client, other_token)
    assert elsewhere.get("/device/current").status_code == 404
    assert elsewhere.post("/device/ratings", {"level": 1}).status_code == 409
    assert not Rating.objects.exists()


def test_a_deactivated_device_and_a_made_up_token_are_refused(
    client,
    device,
    lead,
    helper,  # noqa: F811
    occasion,
):
    stored, token = device
    Api(client, helper).post(f"/devices/{stored.pk}/push", {"occasion": occasion.pk})
    assert Api(client, lead).post(f"/devices/{stored.pk}/deactivate").status_code == 200
    on_device = device_api(client, token)
    assert on_device.get("/device/current").status_code == 401
    assert on_device.post("/device/ratings", {"level": 5}).status_code == 401
    assert device_api(client, "made-up").get("/device/current").status_code == 401
    assert (
        Api(client, headers={"authorization": f"Bearer {token}"}).get("/device/current").status_code
        == 401
    )
    assert not Rating.objects.exists()


def test_who_may_push_what(client, device, helper, occasion, make_helper, yiyuan, register):  # noqa: F811
    stored, _token = device
    stranger = make_helper(yiyuan.station("南麻街道")).user
    assert (
        Api(client, stranger)
        .post(f"/devices/{stored.pk}/push", {"occasion": occasion.pk})
        .status_code
        == 404
    )
    # An occasion of another point, served by someone else: not this device's.
    other = occasion_of(
        register(point=yiyuan.station("南麻街道"), by=stranger, responsible=stranger)
    )
    response = Api(client, helper).post(f"/devices/{stored.pk}/push", {"occasion": other.pk})
    assert response.status_code == 404  # the helper does not see that case
    stored.refresh_from_db()
    assert stored.pushed_occasion is None


# --- The pages ------------------------------------------------------------------------------------


def test_the_pages_register_push_and_deactivate(client, lead, helper, station, occasion):  # noqa: F811
    client.force_login(lead)
    page = text(client.post("/feedback/devices/", {"point": station.pk, "name": "二号评价器"}))
    stored = RatingDevice.objects.get(name="二号评价器")
    assert "令牌只显示这一次" in page
    assert "令牌只显示这一次" not in text(client.get("/feedback/devices/"))

    client.force_login(helper)
    page = text(client.get(f"/feedback/devices/{stored.pk}/push/"))
    assert occasion.case.number in page
    response = client.post(f"/feedback/devices/{stored.pk}/push/", {"occasion": occasion.pk})
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.pushed_occasion == occasion
    assert client.post(f"/feedback/devices/{stored.pk}/deactivate/").status_code == 404

    client.force_login(lead)
    assert client.post(f"/feedback/devices/{stored.pk}/deactivate/").status_code == 302
    stored.refresh_from_db()
    assert not stored.active and stored.pushed_occasion is None
