"""The public case page (the QR code of the acceptance receipt): the token, then the last four digits of
the case's phone; progress without personal data; an unknown token and a wrong code look alike;
lookups are rate-limited and recover; a case without a phone shows its state and dates only."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from bangban.cases import actions
from bangban.cases.identifiers import mask_phone
from bangban.cases.models import CaseMaterial
from bangban.portal import views
from bangban.portal.throttle import LockedFileBasedCache
from tests.cases.conftest import (  # noqa: F401 - fixtures
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    person,
    register,
    station,
)

PHONE = "13805331234"
NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def named_helper(helper):  # noqa: F811
    helper.first_name = "王晓帮"
    helper.save(update_fields=["first_name"])
    return helper


@pytest.fixture
def case(register, named_helper, yiyuan):  # noqa: F811
    """A case whose materials came in, accepted, with progress the applicant was told and an internal
    note."""
    applicant = person(name="张秀英", phone=PHONE)
    case = register(applicant=applicant)
    case.id_number = applicant.number  # kept by the test, to look for it
    statuses = {line.material_id: CaseMaterial.Status.RECEIVED for line in case.materials.all()}
    actions.set_material_status(case, statuses=statuses, by=named_helper)
    actions.accept_case(case, by=named_helper)
    actions.record_progress(case, by=named_helper, text="材料已报送县医保局", tell_applicant=True)
    actions.record_progress(case, by=named_helper, text="内部：申请人脾气急", tell_applicant=False)
    return case


def url(token: str) -> str:
    return reverse("portal:case", args=[token])


def body(response) -> str:
    return response.content.decode()


def unlock(client, case, code=PHONE[-4:]):
    return client.post(url(case.public_token), {"code": code})


def same_page(response, token: str) -> str:
    """The page with its own address and the CSRF token (which differ between responses) left out."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body(response))
    return re.sub(r"\s+", " ", text.replace(url(token), "<url>"))


def test_the_right_code_shows_the_progress(client, case):
    response = unlock(client, case)
    assert response.status_code == 302 and response["Location"] == url(case.public_token)
    page = client.get(url(case.public_token))
    text = body(page)
    assert page.status_code == 200
    assert "已受理办理中" in text
    assert case.revision.name in text
    assert case.number in text
    assert f"{case.received_on.year}年{case.received_on.month}月{case.received_on.day}日" in text
    case.refresh_from_db()
    deadline = case.promised_deadline
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in text
    assert "帮办代办员登记了您的事项" in text
    assert "事项已受理，开始计算办理期限" in text
    assert "材料已报送县医保局" in text
    assert "好差评" in text
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]


def test_the_progress_shows_no_personal_data(client, case, named_helper):
    unlock(client, case)
    text = body(client.get(url(case.public_token)))
    assert "张秀英" not in text
    assert PHONE not in text and mask_phone(PHONE) not in text
    assert case.id_number not in text and case.id_number[-4:] not in text
    assert "370323" not in text.replace(case.number, "")  # no ID number, whole or masked
    assert "王晓帮" not in text and named_helper.username not in text
    assert "内部：申请人脾气急" not in text  # an internal note
    assert "退出登录" not in text


def test_a_transfer_shows_the_points_by_name(client, case, named_helper, yiyuan, make_helper):  # noqa: F811
    subzone = yiyuan.subzone("medical_insurance")
    receiver = make_helper(subzone).user
    receiver.first_name = "李接收"
    receiver.save(update_fields=["first_name"])
    transfer = actions.transfer_case(
        case, to_point=subzone, reason="需县医保分区办理", by=named_helper
    )
    actions.accept_transfer(transfer, by=receiver)
    unlock(client, case)
    text = body(client.get(url(case.public_token)))
    assert f"转交{subzone.name}办理" in text
    assert f"{subzone.name}接手办理" in text
    assert "李接收" not in text and "需县医保分区办理" not in text


def test_a_wrong_code_and_an_unknown_token_look_alike(client, case):
    wrong = client.post(url(case.public_token), {"code": "0000"})
    unknown = client.post(url("x" * 43), {"code": PHONE[-4:]})
    assert wrong.status_code == unknown.status_code == 200
    assert same_page(wrong, case.public_token) == same_page(unknown, "x" * 43)
    assert "查询码不正确" in body(wrong)
    assert "已受理办理中" not in body(wrong)
    # Before any code, too: a case with a phone and an unknown token show the same form.
    assert same_page(client.get(url(case.public_token)), case.public_token) == same_page(
        client.get(url("y" * 43)), "y" * 43
    )


def test_a_wrong_code_does_not_unlock(client, case):
    client.post(url(case.public_token), {"code": "0000"})
    assert "已受理办理中" not in body(client.get(url(case.public_token)))


def test_a_malformed_code_names_the_field(client, case):
    response = client.post(url(case.public_token), {"code": "12a"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in body(response)
    assert "请输入电话号码的最后 4 位数字" in body(response)


def test_full_width_digits_are_accepted(client, case):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in PHONE[-4:])
    assert unlock(client, case, full_width).status_code == 302


def test_the_unlock_is_kept_in_the_session_and_expires(client, case):
    with time_machine.travel(NOON, tick=False) as traveller:
        unlock(client, case)
        assert "已受理办理中" in body(client.get(url(case.public_token)))
        traveller.shift(dt.timedelta(seconds=views.UNLOCK_SECONDS + 1))
        assert "已受理办理中" not in body(client.get(url(case.public_token)))


def test_another_visitor_must_enter_the_code(client, case, django_user_model):
    from django.test import Client

    unlock(client, case)
    assert "已受理办理中" not in body(Client().get(url(case.public_token)))


def test_leaving_locks_the_case_again(client, case):
    unlock(client, case)
    client.post(url(case.public_token), {"lock": "1"})
    assert "已受理办理中" not in body(client.get(url(case.public_token)))


def test_a_landline_uses_the_last_four_digits_of_the_number(client, register):  # noqa: F811
    case = register(applicant=person(phone=""), contact_phone="0533-3241201转8001")
    assert client.post(url(case.public_token), {"code": "8001"}).status_code == 200
    assert unlock(client, case, "1201").status_code == 302


def test_a_case_without_a_phone_shows_its_state_and_dates_only(client, register):  # noqa: F811
    case = register(applicant=person(name="李桂兰", phone=""))
    assert case.contact_phone_encrypted == case.contact_phone_masked == ""
    response = client.get(url(case.public_token))
    text = body(response)
    assert response.status_code == 200
    assert "已登记" in text and "尚未受理" in text
    assert f"{case.received_on.month}月{case.received_on.day}日" in text
    assert case.revision.name not in text and case.number not in text
    assert "李桂兰" not in text and "帮办代办员登记了您的事项" not in text


def test_too_many_wrong_codes_lock_the_token_and_it_recovers(client, case, settings):
    settings.BANGBAN_CASE_CODE_FAILURE_RATE = "5/h"
    with time_machine.travel(NOON, tick=False) as traveller:
        for _ in range(5):
            assert client.post(url(case.public_token), {"code": "0000"}).status_code == 200
        limited = unlock(client, case)  # even the right code, or the limit would tell it
        assert limited.status_code == 429
        assert "查询次数过多" in body(limited)
        assert int(limited["Retry-After"]) > 0
        # Another address is refused too: the limit is the token's.
        other = client.post(url(case.public_token), {"code": "0000"}, REMOTE_ADDR="10.0.0.9")
        assert other.status_code == 429
        traveller.shift(dt.timedelta(hours=1, minutes=1))
        assert unlock(client, case).status_code == 302


def test_an_unknown_token_is_limited_alike(client, db, settings):
    settings.BANGBAN_CASE_CODE_FAILURE_RATE = "5/h"
    with time_machine.travel(NOON, tick=False):
        for _ in range(5):
            client.post(url("z" * 43), {"code": "1234"})
        assert client.post(url("z" * 43), {"code": "1234"}).status_code == 429


def test_too_many_lookups_from_one_address_are_refused_and_recover(client, register, settings):  # noqa: F811
    settings.BANGBAN_CASE_LOOKUP_RATE = "10/10m"
    cases = [register(applicant=person(phone=PHONE)) for _ in range(11)]
    with time_machine.travel(NOON, tick=False) as traveller:
        for case in cases[:10]:
            assert unlock(client, case).status_code == 302
        limited = unlock(client, cases[10])
        assert limited.status_code == 429
        assert "请 " in body(limited) and "分钟后再试" in body(limited)
        assert (
            client.post(
                url(cases[10].public_token), {"code": PHONE[-4:]}, REMOTE_ADDR="10.0.0.9"
            ).status_code
            == 302
        )  # another address is not affected
        traveller.shift(dt.timedelta(minutes=11))
        assert unlock(client, cases[10]).status_code == 302


def test_page_views_are_limited_per_address(client, case, monkeypatch):
    monkeypatch.setattr(views, "CASE_VIEW_RATE", "3/10m")
    with time_machine.travel(NOON, tick=False):
        for _ in range(3):
            assert client.get(url(case.public_token)).status_code == 200
        assert client.get(url(case.public_token)).status_code == 429


def test_the_file_cache_counts(tmp_path):
    files = LockedFileBasedCache(str(tmp_path), {})
    assert files.add("k", 0, 60) is True
    assert files.add("k", 0, 60) is False
    assert files.incr("k") == 1 and files.incr("k") == 2
    assert files.get("k") == 2


def test_the_page_refuses_other_methods(client, case):
    assert client.put(url(case.public_token)).status_code == 405


def test_the_file_cache_counts_every_increment_at_once(tmp_path):
    files = LockedFileBasedCache(str(tmp_path), {})
    files.add("k", 0, 60)

    def count():
        for _ in range(40):
            LockedFileBasedCache(str(tmp_path), {}).incr("k")

    threads = [threading.Thread(target=count) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert files.get("k") == 240
