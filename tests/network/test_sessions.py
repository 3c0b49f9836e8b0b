"""Sessions on shared station PCs (decision 0035): the cookie ends with the browser; a login ends after
BANGBAN_IDLE_MINUTES without activity and at the latest BANGBAN_SESSION_HOURS after it began; the
page's own question "how long is left" is no activity, its "继续使用" is."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from bangban.network import sessions
from bangban.network.models import Role
from tests.test_settings import _bangban

PASSWORD = "Secure-pass-123"
START = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def limits(settings):
    settings.BANGBAN_IDLE_MINUTES = 30
    settings.SESSION_COOKIE_AGE = 12 * 3600


@pytest.fixture
def traveller(limits):
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def helper(yiyuan, make_account):
    return make_account(Role.HELPER, yiyuan.station("鲁村镇"), username="idle-helper")


@pytest.fixture
def logged_in(client, helper, traveller):
    response = client.post(reverse("login"), {"username": helper.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def ledger(client):
    return client.get(reverse("cases:ledger"))


def state(client):
    return client.get(reverse("network:session"))


def test_the_session_cookie_ends_with_the_browser(logged_in):
    cookie = logged_in.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]


def test_thirty_minutes_without_activity_log_out_with_a_message(logged_in, traveller):
    traveller.shift(dt.timedelta(minutes=29))
    assert ledger(logged_in).status_code == 200
    traveller.shift(dt.timedelta(minutes=30, seconds=1))
    response = ledger(logged_in)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "您已因长时间未操作而退出登录，请重新登录。"
    ]
    assert ledger(logged_in).status_code == 302  # the session is gone, not just this request


def test_activity_is_written_once_a_minute_not_on_every_request(logged_in, traveller):
    """Each write of the session is a write to the database (on SQLite, the write lock)."""
    traveller.shift(dt.timedelta(minutes=2))
    assert "sessionid" in ledger(logged_in).cookies  # written: the first request in a while
    traveller.shift(dt.timedelta(seconds=20))
    assert "sessionid" not in ledger(logged_in).cookies


def test_working_on_keeps_the_login_until_the_end_of_the_day(logged_in, traveller):
    for _ in range(12 * 3 - 1):  # a request every 20 minutes, for 12 hours less 20 minutes
        traveller.shift(dt.timedelta(minutes=20))
        assert ledger(logged_in).status_code == 200
    answer = state(logged_in).json()
    assert answer["renewable"] is False and 0 < answer["left"] <= 20 * 60
    traveller.shift(dt.timedelta(minutes=20, seconds=1))
    response = ledger(logged_in)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "本次登录已到最长时间，请重新登录。"
    ]


def test_asking_how_long_is_left_is_no_activity(logged_in, traveller, helper):
    for minutes in (10, 20, 29):
        traveller.shift(dt.timedelta(minutes=10 if minutes != 29 else 9))
        answer = state(logged_in).json()
        assert answer["authenticated"] is True and answer["user"] == helper.username
        assert answer["left"] == (30 - minutes) * 60 and answer["renewable"] is True
        assert answer["csrf"]
    traveller.shift(dt.timedelta(minutes=1, seconds=1))
    gone = state(logged_in)
    assert gone.status_code == 401 and gone.json() == {"authenticated": False}


def test_going_on_is_activity(logged_in, traveller):
    traveller.shift(dt.timedelta(minutes=28))
    going_on = logged_in.post(reverse("network:session"))
    assert going_on.status_code == 200 and going_on.json()["left"] == 30 * 60
    traveller.shift(dt.timedelta(minutes=29))
    assert ledger(logged_in).status_code == 200


def test_going_on_needs_the_csrf_token(client, helper, traveller):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(helper)
    assert browser.post(reverse("network:session")).status_code == 403


def test_a_session_from_before_these_limits_gets_them_from_now(client, helper, traveller):
    client.force_login(helper)
    session = client.session
    del session[sessions.SINCE], session[sessions.SEEN]
    session.save()
    assert ledger(client).status_code == 200
    traveller.shift(dt.timedelta(minutes=29))
    assert ledger(client).status_code == 200


def test_logged_out_pages_carry_no_warning_and_logged_in_ones_do(client, logged_in):
    page = ledger(logged_in).content.decode()
    assert 'id="idle-dialog"' in page and 'data-idle-seconds="1800"' in page
    assert 'data-warning-seconds="120"' in page and "idle.js" in page
    logged_in.post(reverse("logout"))
    assert 'id="idle-dialog"' not in logged_in.get(reverse("login")).content.decode()


def test_the_limits_come_from_the_environment(tmp_path):
    probe = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_AGE, s.BANGBAN_IDLE_MINUTES)"
    )
    result = _bangban(
        "shell",
        "-c",
        probe,
        tmp_path=tmp_path,
        DEBUG="1",
        BANGBAN_SESSION_HOURS="8",
        BANGBAN_IDLE_MINUTES="15",
    )
    assert result.stdout.split()[-2:] == ["28800", "15.0"], result.stdout + result.stderr
    refused = _bangban("shell", "-c", probe, tmp_path=tmp_path, DEBUG="1", BANGBAN_IDLE_MINUTES="0")
    assert refused.returncode != 0 and "BANGBAN_IDLE_MINUTES" in refused.stderr
