"""Cases built through the real actions: a qualified helper at a village station, an item of Yiyuan,
applicants with real-shaped ID numbers."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

from bangban.cases import actions
from bangban.cases.actions import ApplicantData, Registration
from bangban.cases.identifiers import resident_id_check_character
from tests.catalog.conftest import make_item  # noqa: F401 - a fixture
from tests.staff.conftest import make_helper, organiser  # noqa: F401 - fixtures

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
