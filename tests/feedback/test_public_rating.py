"""The villager's rating page /pj/<token>/ (no login): the province's page first when it has one; the
last four digits of the applicant's own phone, kept 30 minutes; the occasions without who served;
a face and a reason in two taps, the rest under 更多; the thank-you page; the follow-up rating of a
replied rectification; the limits and the 404."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from bangban.cases.models import Occasion
from bangban.feedback import province
from bangban.feedback.models import Channel, Rating, Rectification
from bangban.feedback.workflow import Step
from tests.pages import page_text as text

from .conftest import LAST4, PHONE, add_occasion, rate


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def url(case, sms: bool = False) -> str:
    return reverse("rate:case", args=[case.public_token]) + ("?from=sms" if sms else "")


def same(response, token: str) -> str:
    """The page with its own address and the CSRF token (which differ between responses) left out."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    path = reverse("rate:case", args=[token])
    return page.replace(path, "<url>").replace(
        path.replace("<", "&lt;").replace(">", "&gt;"), "<url>"
    )


def verify(client, case, code=LAST4, sms=False):
    return client.post(url(case, sms), {"step": "code", "code": code})


def rate_on_page(client, case, occasion, sms=False, **data):
    return client.post(url(case, sms), {"step": "rate", "occasion": occasion.pk, **data})


def test_the_page_asks_the_last_four_digits_first_and_shows_nothing_of_the_case(client, rated_case):
    response = client.get(url(rated_case))
    assert response.status_code == 200
    page = text(response)
    assert "申请人手机号后 4 位" in page
    assert rated_case.number not in page
    assert rated_case.occasion.point.name not in page


def test_the_right_digits_open_the_occasions_without_who_served_or_any_phone(
    client, rated_case, helper
):
    helper.first_name = "王晓帮"
    helper.save(update_fields=["first_name"])
    response = verify(client, rated_case)
    assert response.status_code == 302 and response["Location"] == url(rated_case)
    page = client.get(url(rated_case))
    body = page.content.decode()
    assert "登记受理" in text(page) and rated_case.occasion.point.name in text(page)
    assert "王晓帮" not in body and helper.username not in body
    assert PHONE not in body and PHONE[:3] + "****" not in body
    # five faces, each a labelled radio input; the reasons are submit buttons
    radios = re.findall(
        r'<input class="rate-face-input" type="radio" name="level" value="(\d)" id="([^"]+)"', body
    )
    assert [value for value, _ in radios] == ["1", "2", "3", "4", "5"]
    for _, ident in radios:
        assert f'for="{ident}"' in body
    assert "非常不满意" in body and "非常满意" in body
    assert re.search(r'<button type="submit" name="reasons" value="slow"', body)
    assert re.search(r'<button type="submit" name="reasons" value="fast"', body)
    assert "匿名（不接受回访）" in body and "<details" in body


def test_the_verification_holds_for_30_minutes_in_the_session(client, rated_case):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        verify(client, rated_case)
        traveller.shift(dt.timedelta(minutes=29))
        assert "第一步" in text(client.get(url(rated_case)))
        traveller.shift(dt.timedelta(minutes=2))
        assert "申请人手机号后 4 位" in text(client.get(url(rated_case)))


def test_a_face_and_a_reason_are_two_taps_and_a_bad_review_promises_a_call_back(client, rated_case):
    verify(client, rated_case)
    # tap 1 chooses the face (no request); tap 2 is the reason's submit button
    response = rate_on_page(client, rated_case, rated_case.occasion, level="2", reasons="slow")
    assert response.status_code == 302
    assert response["Location"] == reverse("rate:thanks", args=[rated_case.public_token])
    rating = Rating.objects.get(occasion=rated_case.occasion)
    assert (rating.level, rating.reasons, rating.channel) == (2, ["slow"], Channel.QR)
    assert rating.rater_phone_digest == rated_case.applicant.phone_digest
    assert not rating.anonymous and rating.rectification.status == Step.OPENED
    thanks = text(client.get(response["Location"]))
    assert "1 个工作日内给您回电" in thanks


def test_more_gives_a_comment_several_reasons_and_anonymity(client, rated_case):
    verify(client, rated_case)
    response = rate_on_page(
        client,
        rated_case,
        rated_case.occasion,
        level="1",
        reasons=["slow", "attitude_bad", "guidance"],
        comment="排队一上午",
        anonymous="on",
    )
    assert response.status_code == 302
    rating = Rating.objects.get(occasion=rated_case.occasion)
    assert rating.reasons == ["slow", "attitude_bad", "guidance"]
    assert (rating.comment, rating.anonymous) == ("排队一上午", True)
    thanks = text(client.get(response["Location"]))
    assert "匿名" in thanks and "回电" not in thanks


def test_a_good_rating_with_no_reason_is_one_submit(client, rated_case):
    verify(client, rated_case)
    assert rate_on_page(client, rated_case, rated_case.occasion, level="5").status_code == 302
    rating = Rating.objects.get(occasion=rated_case.occasion)
    assert (rating.level, rating.reasons) == (5, [])
    assert not Rectification.objects.exists()


def test_a_reason_without_a_face_is_asked_for_the_face_and_nothing_is_written(client, rated_case):
    verify(client, rated_case)
    response = rate_on_page(client, rated_case, rated_case.occasion, reasons="slow")
    assert response.status_code == 200
    assert "请先选择一个表情" in text(response)
    assert not Rating.objects.exists()


def test_the_sms_link_rates_through_the_sms_channel_and_keeps_its_mark(client, rated_case):
    response = verify(client, rated_case, sms=True)
    assert response["Location"] == url(rated_case, sms=True)
    response = rate_on_page(client, rated_case, rated_case.occasion, sms=True, level="4")
    assert response["Location"].endswith("/thanks/?from=sms")
    assert Rating.objects.get().channel == Channel.SMS


def test_an_occasion_rated_shows_as_rated_and_another_stays_open(client, rated_case):
    second = add_occasion(rated_case, kind=Occasion.Kind.HANDOVER)
    rate(rated_case.occasion, level=4)
    verify(client, rated_case)
    page = client.get(url(rated_case)).content.decode()
    assert "您已评价：满意" in page
    assert f'name="occasion" value="{second.pk}"' in page
    assert f'name="occasion" value="{rated_case.occasion.pk}"' not in page
    again = rate_on_page(client, rated_case, rated_case.occasion, level="1")
    assert again.status_code == 200
    assert Rating.objects.count() == 1


def test_the_follow_up_shows_the_reply_and_asks_satisfied_or_not(
    client, rated_case, replied_rectification
):
    verify(client, rated_case)
    page = text(client.get(url(rated_case)))
    assert "已加强窗口力量，缩短等候时间。" in page
    assert "您对整改结果满意吗？" in page
    response = client.post(
        url(rated_case),
        {"step": "follow_up", "occasion": rated_case.occasion.pk, "answer": "satisfied"},
    )
    assert response.status_code == 302, text(response)[-3000:]
    follow_up = Rating.objects.get(assess=Rating.Assess.FOLLOW_UP)
    assert follow_up.level == 4
    replied_rectification.refresh_from_db()
    assert replied_rectification.status == Step.CLOSED
    assert replied_rectification.follow_up == follow_up
    assert "已办结" in text(client.get(response["Location"]))
    assert "您对整改结果满意吗？" not in text(client.get(url(rated_case)))


def test_an_unknown_token_and_a_malformed_one_get_the_same_chinese_404(client, rated_case):
    unknown = client.get(reverse("rate:case", args=["A" * 43]))
    malformed = client.get(reverse("rate:case", args=["<x>"]))
    assert unknown.status_code == malformed.status_code == 404
    assert "评价链接无效" in text(unknown, 404)
    assert same(unknown, "A" * 43) == same(malformed, "<x>")
    posted = client.post(reverse("rate:case", args=["A" * 43]), {"step": "code", "code": LAST4})
    assert posted.status_code == 404


def test_the_provinces_page_comes_first_when_the_adapter_gives_one(client, rated_case, monkeypatch):
    monkeypatch.setattr(
        province, "rating_url", lambda case: f"https://hcp.example.gov.cn/r/{case.number}"
    )
    response = client.get(url(rated_case))
    assert response.status_code == 302
    assert response["Location"] == f"https://hcp.example.gov.cn/r/{rated_case.number}"
    monkeypatch.setattr(province, "rating_url", lambda case: None)
    assert client.get(url(rated_case)).status_code == 200


def test_wrong_digits_are_limited_per_token_with_a_chinese_429(client, rated_case, settings):
    settings.BANGBAN_CASE_CODE_FAILURE_RATE = "3/h"
    for _ in range(3):
        response = verify(client, rated_case, code="0000")
        assert response.status_code == 200
        assert "不符" in text(response)
    limited = verify(client, rated_case)  # the right digits, after the limit
    assert limited.status_code == 429
    assert "尝试次数过多" in text(limited, 429) and int(limited["Retry-After"]) > 0


def test_code_checks_are_limited_per_client(client, make_rated_case, settings):
    settings.BANGBAN_CASE_LOOKUP_RATE = "2/10m"
    cases = [make_rated_case() for _ in range(3)]
    assert verify(client, cases[0]).status_code == 302
    assert verify(client, cases[1]).status_code == 302
    assert verify(client, cases[2]).status_code == 429


def test_a_case_without_the_applicants_phone_points_to_the_card(client, make_rated_case):
    case = make_rated_case(phone="")
    page = text(client.get(url(case)))
    assert "纸质评价卡" in page
