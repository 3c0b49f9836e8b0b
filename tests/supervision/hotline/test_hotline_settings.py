"""The adapter's settings from the environment: off unless the URL is set, refused when half set."""

from __future__ import annotations

from tests.test_settings import _bangban


def test_half_a_configuration_refuses_to_start_and_a_whole_one_starts(tmp_path):
    result = _bangban(
        "check", tmp_path=tmp_path, DEBUG="1", BANGBAN_HOTLINE_URL="https://12345.example.cn/api"
    )
    assert result.returncode != 0
    assert "BANGBAN_HOTLINE_APP_ID and BANGBAN_HOTLINE_SECRET" in result.stderr
    result = _bangban("check", tmp_path=tmp_path, DEBUG="1", BANGBAN_HOTLINE_SECRET="s")
    assert result.returncode != 0 and "need BANGBAN_HOTLINE_URL" in result.stderr
    result = _bangban(
        "check",
        tmp_path=tmp_path,
        DEBUG="1",
        BANGBAN_HOTLINE_URL="https://12345.example.cn/api/",
        BANGBAN_HOTLINE_APP_ID="bangban-370323",
        BANGBAN_HOTLINE_SECRET="s",
    )
    assert result.returncode == 0, result.stderr


def test_off_by_default(settings):
    from bangban.supervision.hotline import gateway, outbox

    assert settings.BANGBAN_HOTLINE_URL == ""
    assert outbox.enabled() is False
    assert gateway.gateway_for().on is False
