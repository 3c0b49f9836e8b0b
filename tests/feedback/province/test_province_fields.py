"""The national field set's conversions and the signature, without a database."""

from __future__ import annotations

import pytest

from bangban.feedback.models import Channel, Level
from bangban.feedback.province import fields
from bangban.feedback.province.fields import (
    PF,
    area_code,
    from_national_level,
    from_wire,
    mask_name,
    national_level,
    split_project_no,
    to_wire,
)
from bangban.feedback.province.gateway import (
    sign,
    signature_problem,
    signed_headers,
    string_to_sign,
)

# Ours (the provincial interfaces' order) → GB/T 39046-2020 A.8 (the other way round).
GBT = {
    Level.VERY_DISSATISFIED: 5,
    Level.DISSATISFIED: 4,
    Level.BASIC: 3,
    Level.SATISFIED: 2,
    Level.VERY_SATISFIED: 1,
}


@pytest.mark.parametrize(("ours", "code"), GBT.items())
def test_our_levels_become_the_standards_codes_and_back(ours, code):
    assert national_level(ours) == code
    assert from_national_level(code) == ours


def test_a_code_outside_the_five_is_refused_not_guessed():
    for bad in (0, 6, -1):
        with pytest.raises(ValueError):
            from_national_level(bad)
        with pytest.raises(ValueError):
            national_level(bad)


def test_the_wire_speaks_the_provinces_order_unless_told_the_standards(settings):
    settings.BANGBAN_PROVINCE_LEVELS = "province"
    assert [to_wire(level) for level in Level.values] == [1, 2, 3, 4, 5]
    assert from_wire(1) == Level.VERY_DISSATISFIED
    settings.BANGBAN_PROVINCE_LEVELS = "gbt39046"
    assert [to_wire(level) for level in Level.values] == [5, 4, 3, 2, 1]
    assert from_wire(1) == Level.VERY_SATISFIED
    assert from_wire(5) == Level.VERY_DISSATISFIED


def test_every_channel_we_push_has_its_national_pf():
    assert PF == {Channel.QR: 3, Channel.SMS: 7, Channel.DEVICE: 4, Channel.CARD: 5}
    assert set(PF) | {Channel.PROVINCE} == set(Channel)
    assert set(PF.values()) <= set(fields.PF_NAMES)


def test_identifiers():
    assert area_code("370323") == "370323000000"
    assert split_project_no("370323-20261125-0042-2") == ("370323-20261125-0042", 2)
    for bad in ("", "2", "abc", "370323-20261125-0042-x", "-1"):
        assert split_project_no(bad) is None
    assert mask_name("张秀英") == "张*英"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"


def test_the_signature_covers_the_sorted_parameters_the_timestamp_and_the_nonce():
    params = {"b": 2, "a": "甲", "c": [1, 2], "skip": None}
    assert string_to_sign("app", params, "100", "n1") == (
        "appId=app&a=甲&b=2&c=[1,2]&timestamp=100&nonce=n1"
    )
    one = sign("s", "app", params, "100", "n1")
    assert one == sign("s", "app", dict(reversed(params.items())), "100", "n1")
    assert one != sign("s", "app", {**params, "b": 3}, "100", "n1")
    assert one != sign("s", "app", params, "101", "n1")
    assert one != sign("s", "app", params, "100", "n2")
    assert one != sign("t", "app", params, "100", "n1")


def test_a_signature_is_checked_for_app_time_and_content():
    params = {"projectNo": "x-1"}
    headers = signed_headers(params, app_id="app", secret="s", now=1_000_000)
    ok = dict(app_id="app", secret="s")
    assert signature_problem(headers, params, now=1_000_100, **ok) == ""
    assert signature_problem(headers, params, now=1_000_301, **ok) == "expired"
    assert signature_problem(headers, params, now=999_699, **ok) == "expired"
    assert signature_problem(headers, {"projectNo": "x-2"}, now=1_000_000, **ok) == "signature"
    assert signature_problem(headers, params, app_id="other", secret="s", now=1_000_000) == "app_id"
    assert (
        signature_problem(headers, params, app_id="app", secret="t", now=1_000_000) == "signature"
    )
    assert signature_problem({}, params, now=1_000_000, **ok) == "missing"


def test_a_malformed_timestamp_or_nonce_is_refused_not_an_error():
    params = {"projectNo": "x-1"}
    headers = signed_headers(params, app_id="app", secret="s", now=1_000_000)
    ok = dict(app_id="app", secret="s", now=1_000_000)
    for bad in ("9" * 5000, "１２３", "-5", "1e9"):
        assert signature_problem({**headers, "X-Timestamp": bad}, params, **ok) == "malformed"
    assert signature_problem({**headers, "X-Nonce": "n" * 65}, params, **ok) == "malformed"
