"""The supervision fixtures: the people around one village station of Yiyuan's 鲁村镇 (its helper and
lead, the town's administrator, the bureau, a supervisor, a special supervisor, a partner station
and its organisation's administrator) and `complain`, a complaint received through the one action.

Every write goes through the actions; nothing here sets a field directly."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from bangban.network.models import Role
from bangban.supervision import actions
from bangban.supervision.models import Category, Kind, Source
from tests.cases.conftest import (  # noqa: F401 - fixtures
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    register,
    station,
)

PHONE = "13805331234"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(yiyuan, make_account, make_helper):  # noqa: F811
    """Who is who around 鲁村镇's first village station."""
    station = yiyuan.station("鲁村镇")  # noqa: F811 - the fixture of the same name is not used here
    town = yiyuan.town("鲁村镇")
    partner = yiyuan.partner_station(_first_organisation())
    return SimpleNamespace(
        county=yiyuan.county,
        town=town,
        station=station,
        other_station=yiyuan.station("鲁村镇", 1),
        partner=partner,
        centre=yiyuan.centre,
        helper=make_helper(station).user,
        lead=make_helper(station, role=Role.POINT_LEAD).user,
        town_admin=make_account(Role.TOWN_ADMIN, town),
        other_town_admin=make_account(Role.TOWN_ADMIN, yiyuan.town("南麻街道")),
        bureau=make_account(Role.REGION_ADMIN, yiyuan.county),
        supervisor=make_account(Role.SUPERVISOR, yiyuan.county),
        special=make_account(Role.SPECIAL_SUPERVISOR, yiyuan.county),
        partner_admin=make_account(Role.PARTNER_ADMIN, partner.organisation),
    )


def _first_organisation() -> str:
    from bangban.network.models import PartnerOrganisation

    return PartnerOrganisation.objects.filter(county__code="370323").order_by("pk")[0].name


@pytest.fixture
def complain(people):
    """complain(**changes) → a complaint received by `actions.receive`: by default a 12345 ticket
    of kind 投诉 (推诿扯皮) about the station's helper, dispatched today."""
    numbers = iter(range(1, 10_000))

    def make(**changes):
        fields = {
            "county": people.county,
            "source": Source.HOTLINE,
            "ticket_no": f"ZB{timezone.localdate():%Y%m%d}{next(numbers):04d}",
            "kind": Kind.COMPLAINT,
            "category": Category.BUCK,
            "title": "村代办点不给帮办",
            "content": "到村便民服务站办理社保卡挂失，工作人员说不归他们管。",
            "name": "王女士",
            "phone": PHONE,
            "point": people.station,
            "helper": people.helper,
            "received_on": timezone.localdate(),
        }
        fields.update(changes)
        return actions.receive(**fields)

    return make


def working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` on the calendar table."""
    from bangban.workdays import calendar

    return calendar.deadline(start, n).date
