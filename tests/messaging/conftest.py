"""A recording SMS gateway in place of the configured one, and a fixed "now"."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bangban.messaging.gateways import RecordingGateway

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def gateway(settings) -> RecordingGateway:
    recording = RecordingGateway()
    settings.BANGBAN_SMS_BACKEND = recording
    return recording


@pytest.fixture
def clock():
    """Time stands at T0 (2026-11-25 09:00 in Shanghai) until the test moves it with
    `clock.move_to(…)`."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller
