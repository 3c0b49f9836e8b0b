"""Cases built through the real actions: a qualified helper at a village station, an item of Yiyuan,
applicants with real-shaped ID numbers."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from bangban.cases import actions
from bangban.cases.actions import ApplicantData, Registration
from bangban.cases.identifiers import resident_id_check_character
from bangban.catalog import actions as catalog_actions
from bangban.network import actions as network_actions
from bangban.network import units
from bangban.network.models import ServicePoint
from tests.catalog.conftest import MATERIALS, item_data, make_item  # noqa: F401 - a fixture
from tests.divisions import import_dong_e
from tests.staff.conftest import make_helper, organiser  # noqa: F401 - fixtures

Kind = ServicePoint.Kind

_sequences = itertools.count()


def resident_id(area: str = "370323", born: str = "19450312", sequence: int | None = None) -> str:
    """A valid 18-digit number (a 370323 number of 1945, which python-stdnum would refuse)."""
    # the sequence is three digits: cycle through 101–999 however many numbers a session needs
    number = sequence if sequence is not None else 101 + next(_sequences) % 899
    body = f"{area}{born}{number:03d}"
    return body + resident_id_check_character(body)


def person(**changes) -> ApplicantData:
    values = {
        "kind": "person",
        "name": "张秀英",
        "document_type": "resident_id",
        "number": resident_id(),
        "phone": "13805331234",
    }
    values.update(changes)
    return ApplicantData(**values)


@pytest.fixture
def station(yiyuan):
    return yiyuan.station("鲁村镇")


@pytest.fixture
def helper(make_helper, station):  # noqa: F811 - the imported fixture
    """A qualified helper serving at a village station of 鲁村镇 (a user)."""
    return make_helper(station).user


@pytest.fixture
def item(make_item):  # noqa: F811 - the imported fixture
    return make_item()


@pytest.fixture
def register(station, helper, item):
    """register(**changes) → a Case registered at the station by the helper."""

    def make(point=None, by=None, applicant=None, **changes):
        values = {
            "applicant": applicant or person(),
            "item": item,
            "kind": "assisted",
            "mode": "on_site",
            "channel": "walk_in",
            "received_on": timezone.localdate(),
            "responsible": helper,
        }
        values.update(changes)
        return actions.register_case(
            point or station, registration=Registration(**values), by=by or helper
        )

    return make


class DongE:
    """东阿县 as its division files make it (`tests.divisions`: a county centre, town centres,
    village stations), with what the county then adds through the actions: a department and one
    item of it, a partner organisation with a station in each of two towns, and a qualified helper
    at a village station; `register(point=None, **changes)` registers a case there."""

    def __init__(self, yiyuan, helper_at):
        self.county = import_dong_e()
        points = ServicePoint.objects.filter(county=self.county)
        self.towns = list(points.filter(kind=Kind.TOWN_CENTRE).order_by("region__code"))
        self.department = units.create_department(self.county, name="东阿县医疗保障局", by=None)
        self.item = catalog_actions.create_item(
            self.county,
            implementation_code="11371524MB000000000001",
            data=item_data(yiyuan, department=self.department),
            materials=MATERIALS,
            by=None,
        )
        self.organisation = units.create_partner_organisation(
            self.county, name="东阿农村商业银行", partner_type="bank", by=None
        )
        self.partner_stations = [
            network_actions.create_point(
                town,
                kind=Kind.PARTNER_STATION,
                name=f"东阿农商银行{town.region.name}助农服务点",
                organisation=self.organisation,
                by=None,
            )
            for town in self.towns[:2]
        ]
        self.station = self.stations(self.towns[0])[0]
        self.helper = helper_at(self.station).user

    def stations(self, town: ServicePoint) -> list[ServicePoint]:
        return list(
            ServicePoint.objects.filter(parent=town, kind=Kind.VILLAGE_STATION).order_by("pk")
        )

    def register(self, point=None, **changes):
        values = {
            "applicant": person(),
            "item": self.item,
            "kind": "assisted",
            "mode": "on_site",
            "channel": "walk_in",
            "received_on": timezone.localdate(),
            "responsible": self.helper,
        }
        values.update(changes)
        return actions.register_case(
            point or self.station, registration=Registration(**values), by=self.helper
        )


@pytest.fixture
def dong_e(yiyuan, make_helper) -> DongE:  # noqa: F811 - the imported fixture
    return DongE(yiyuan, make_helper)
