"""What the 12345 adapter's tests share: the fake platform (tests/supervision/hotline/fake_hotline.py)
and the adapter switched on against it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.supervision.hotline.fake_hotline import APP_ID, SECRET, FakeHotline


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fake():
    with FakeHotline() as platform:
        yield platform


@pytest.fixture
def on(settings, fake):
    """The adapter on, speaking to the fake."""
    settings.BANGBAN_HOTLINE_URL = fake.url
    settings.BANGBAN_HOTLINE_APP_ID = APP_ID
    settings.BANGBAN_HOTLINE_SECRET = SECRET
    settings.BANGBAN_HOTLINE_TIMEOUT = 1.0
    settings.BANGBAN_HOTLINE_GIVE_UP_HOURS = 24
    return fake
