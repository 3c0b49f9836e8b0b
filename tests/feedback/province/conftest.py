"""What the provincial adapter's tests share: a case served once (its occasion), the fake province switched on."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import timezone

from bangban.cases.models import Occasion
from tests.cases.conftest import helper, item, register, station  # noqa: F401 - fixtures
from tests.catalog.conftest import make_item  # noqa: F401 - a fixture
from tests.feedback.fake_province import APP_ID, SECRET, FakeProvince
from tests.staff.conftest import make_helper, organiser  # noqa: F401 - fixtures


def served(case, point=None, served_by=None, day=None) -> Occasion:
    """The case's latest occasion; one is recorded (the registration) when the ledger wrote none."""
    found = case.occasions.order_by("-sequence").first()
    if found is not None and day is None:
        return found
    sequence = (found.sequence + 1) if found else 1
    return Occasion.objects.create(
        case=case,
        sequence=sequence,
        kind=Occasion.Kind.REGISTER,
        on=day or timezone.localdate(),
        point=point or case.registering_point,
        helper=served_by or case.responsible,
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fake():
    with FakeProvince() as province:
        yield province


@pytest.fixture
def on(settings, fake):
    """The adapter on, speaking to the fake."""
    settings.BANGBAN_PROVINCE_URL = fake.url
    settings.BANGBAN_PROVINCE_APP_ID = APP_ID
    settings.BANGBAN_PROVINCE_SECRET = SECRET
    settings.BANGBAN_PROVINCE_TIMEOUT = 1.0
    settings.BANGBAN_PROVINCE_PAGE_URL = ""
    return fake
