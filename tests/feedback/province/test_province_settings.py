"""The adapter's settings from the environment: off unless the URL is set, refused when half set."""

from __future__ import annotations

from tests.test_settings import _bangban


def _check(tmp_path, **env):
    return _bangban("check", tmp_path=tmp_path, DEBUG="1", **env)


def test_on_without_its_id_and_secret_the_site_refuses_to_start(tmp_path):
    result = _check(tmp_path, BANGBAN_PROVINCE_URL="https://hcp.example.cn/api")
    assert result.returncode != 0
    assert "BANGBAN_PROVINCE_APP_ID and BANGBAN_PROVINCE_SECRET" in result.stderr


def test_a_url_that_is_not_http_and_an_unknown_coding_are_refused(tmp_path):
    result = _check(
        tmp_path,
        BANGBAN_PROVINCE_URL="ftp://hcp.example.cn",
        BANGBAN_PROVINCE_APP_ID="a",
        BANGBAN_PROVINCE_SECRET="s",
    )
    assert result.returncode != 0 and "http://" in result.stderr
    result = _check(tmp_path, BANGBAN_PROVINCE_LEVELS="reversed")
    assert result.returncode != 0 and "BANGBAN_PROVINCE_LEVELS" in result.stderr


def test_fully_configured_it_starts(tmp_path):
    result = _check(
        tmp_path,
        BANGBAN_PROVINCE_URL="https://hcp.example.cn/api/",
        BANGBAN_PROVINCE_APP_ID="bangban-370323",
        BANGBAN_PROVINCE_SECRET="s",
    )
    assert result.returncode == 0, result.stderr


def test_off_by_default(settings):
    from bangban.feedback import province

    assert settings.BANGBAN_PROVINCE_URL == ""
    assert province.enabled() is False
    assert province.gateway_for().on is False
