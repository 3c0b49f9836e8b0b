"""The rules of who may rate and when (鲁政办发〔2020〕10号, docs/decisions/0049), each asked of
`rate_occasion` (or `rules.why_phone_may_not_rate`, which the page and the API ask before it) and
through the page or the API: the applicant rates — the principal of a 代办 case, never the proxy,
never a staff phone or a staff session; once per occasion, also when two submit at once; within 5
working days of the occasion (补充评价) and of the reply (追评), on the working-day calendar; many
ratings from one phone flagged, not many from one address; reasons of the face's kind; levels 1–5."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from bangban.feedback import actions
from bangban.feedback.errors import FeedbackError
from bangban.feedback.models import Channel, Rating, Rectification
from bangban.feedback.rules import rating_closes_on, why_phone_may_not_rate
from bangban.feedback.workflow import Step
from bangban.network.actions import update_point
from bangban.staff.actions import save_helper
from bangban.staff.models import Helper
from bangban.workdays import calendar
from bangban.workdays.actions import publish_year
from bangban.workdays.models import CalendarDay
from tests.cases.test_concurrency import TIMEOUT, bearer, file_database, run_together  # noqa: F401
from tests.pages import page_text as text

from .conftest import LAST4, PROXY_PHONE, add_occasion, authorisation, rate, replied

API = "/api/v1/public/ratings"
D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def page(case) -> str:
    return reverse("rate:case", args=[case.public_token])


def verify(client, case, code=LAST4):
    return client.post(page(case), {"step": "code", "code": code})


def on_page(client, case, occasion, **data):
    return client.post(page(case), {"step": "rate", "occasion": occasion.pk, **data})


def api(client, case, occasion, headers=None, **changes):
    body = {"token": case.public_token, "phone_last4": LAST4, "occasion": occasion.pk, "level": 4}
    body.update(changes)
    return client.post(API, body, content_type="application/json", headers=headers or {})


def refused(call, field: str) -> str:
    with pytest.raises(FeedbackError) as caught:
        call()
    assert field in caught.value.errors, caught.value.errors
    return " ".join(caught.value.errors[field])


# --- Who may rate ----------------------------------------------------------------------------------


def test_the_proxys_phone_never_rates_a_daiban_case(client, proxy_case):
    """The receipt's holder may be the proxy: their last four digits are not the principal's."""
    assert why_phone_may_not_rate(proxy_case, PROXY_PHONE[-4:])
    assert why_phone_may_not_rate(proxy_case, LAST4) == ""
    response = verify(client, proxy_case, code=PROXY_PHONE[-4:])
    assert "不符" in text(response)
    response = api(client, proxy_case, proxy_case.occasion, phone_last4=PROXY_PHONE[-4:])
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "phone_last4"]
    assert verify(client, proxy_case).status_code == 302  # the principal's own
    assert not Rating.objects.exists()


def test_a_daiban_case_whose_applicant_phone_is_the_proxys_is_refused(client, make_rated_case):
    """A helper who typed the proxy's phone as the principal's: that phone may not rate."""
    case = make_rated_case(
        phone=PROXY_PHONE,
        kind="proxy",
        authorisation=authorisation(),
        contact_phone=PROXY_PHONE,
    )
    message = why_phone_may_not_rate(case, PROXY_PHONE[-4:])
    assert "代办人的电话" in message
    assert message in text(verify(client, case, code=PROXY_PHONE[-4:]))
    response = api(client, case, case.occasion, phone_last4=PROXY_PHONE[-4:])
    assert response.status_code == 409 and response.json()["detail"][0]["msg"] == message


def test_a_helpers_work_phone_never_rates(client, make_rated_case, make_helper, station):
    other = make_helper(station)
    save_helper(
        other.user,
        by=None,
        origin=Helper.Origin.WINDOW,
        started_on=other.started_on,
        work_phone="13805337777",
    )
    case = make_rated_case(phone="13805337777")
    assert "工作人员的电话" in why_phone_may_not_rate(case, "7777")
    assert "工作人员的电话" in text(verify(client, case, code="7777"))
    response = api(client, case, case.occasion, phone_last4="7777")
    assert response.status_code == 409
    assert "工作人员的电话" in response.json()["detail"][0]["msg"]


def test_a_points_phone_never_rates(client, make_rated_case, station):
    update_point(station, by=None, phone="05333128888")
    case = make_rated_case(phone="05333128888")
    assert "工作人员的电话" in why_phone_may_not_rate(case, "8888")
    assert "工作人员的电话" in text(verify(client, case, code="8888"))
    assert api(client, case, case.occasion, phone_last4="8888").status_code == 409


def test_wrong_last_four_digits_are_refused(client, rated_case):
    assert "不符" in why_phone_may_not_rate(rated_case, "0000")
    assert "不符" in text(verify(client, rated_case, code="0000"))
    response = api(client, rated_case, rated_case.occasion, phone_last4="0000")
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "phone_last4"]
    assert not Rating.objects.exists()


def test_a_staff_session_never_rates(client, rated_case, helper, make_account, yiyuan):
    occasion = rated_case.occasion
    # the action: any logged-in account, the rated helper or another
    assert "工作人员" in refused(lambda: rate(occasion, by=helper), "by")
    admin = make_account("town_admin", yiyuan.town("鲁村镇"))
    refused(lambda: rate(occasion, by=admin), "by")
    # the page: refused on sight, and a rating posted in a verified session is refused too
    client.force_login(admin)
    response = client.get(page(rated_case))
    assert "不能代替办事群众评价" in text(response, 403)
    client.logout()
    verify(client, rated_case)
    client.force_login(admin)
    response = on_page(client, rated_case, occasion, level="5")
    assert "不能代替办事群众评价" in text(response, 403)
    # the API: a bearer token or a session
    response = api(Client(), rated_case, occasion, headers=bearer(admin))
    assert response.status_code == 403
    assert response.json()["detail"][0]["type"] == "permission_denied"
    assert api(client, rated_case, occasion).status_code == 403
    assert not Rating.objects.exists()


# --- Once per occasion -----------------------------------------------------------------------------


def test_an_occasion_is_rated_once(client, rated_case):
    occasion = rated_case.occasion
    rate(occasion, level=5)
    assert "已经评价过" in refused(lambda: rate(occasion, level=1), "occasion")
    verify(client, rated_case)
    response = on_page(client, rated_case, occasion, level="1")
    assert "已经评价过" in text(response) or "您已评价" in text(response)
    response = api(client, rated_case, occasion, level=1)
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "occasion"]
    assert Rating.objects.filter(occasion=occasion).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_ratings_of_one_occasion_give_one_rating(
    file_database,  # noqa: F811 - the imported fixture
    make_rated_case,
    monkeypatch,
):
    """Two phones' pages submitted at once (the same villager twice): one 201, one 409; on SQLite
    and on PostgreSQL (the occasion's row is locked before the rule is asked)."""
    case = make_rated_case()
    occasion = case.occasion
    barrier = threading.Barrier(2, timeout=TIMEOUT)
    original = actions.rate_occasion

    def waiting(*args, **kwargs):
        barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(actions, "rate_occasion", waiting)

    def post(level):
        response = api(Client(), case, occasion, level=level)
        return response.status_code, response.json()

    results = run_together(post, [(5,), (1,)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(status for status, _ in results) == [201, 409], results
    (refusal,) = [body for status, body in results if status == 409]
    assert refusal["detail"][0]["loc"] == ["body", "occasion"]
    assert Rating.objects.filter(occasion=occasion).count() == 1
    # a 1 that lost the race opened no rectification; a 1 that won opened one
    assert Rectification.objects.count() == Rating.objects.filter(level=1).count()


# --- The windows on the working-day calendar -------------------------------------------------------

#: 2027 as this test enters it: 10–12 February (Wednesday to Friday) off.
HOLIDAY_2027 = [(D(2027, 2, day), CalendarDay.Kind.HOLIDAY, "测试假期") for day in (10, 11, 12)]


@pytest.fixture
def holiday(db):
    calendar.invalidate()
    publish_year(2027, HOLIDAY_2027, by=None)
    calendar.invalidate()
    yield
    calendar.invalidate()


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=CST))


def test_the_5th_working_day_after_the_occasion_is_the_last_across_a_holiday(
    client, holiday, make_rated_case
):
    """Served Monday 8 February; 9 (1), 10–14 off, 15 (2), 16 (3), 17 (4), 18 (5)."""
    with at(D(2027, 2, 8)):
        case = make_rated_case()
        occasion = case.occasion
    assert occasion.on == D(2027, 2, 8)
    assert rating_closes_on(occasion) == D(2027, 2, 18)
    with at(D(2027, 2, 19)):  # the 6th working day: refused, on the page and through the API
        assert "已截止" in refused(lambda: rate(occasion), "occasion")
        verify(client, case)
        page_ = text(client.get(page(case)))
        assert "评价已截止" in page_ and f'name="occasion" value="{occasion.pk}"' not in page_
        response = api(client, case, occasion)
        assert response.status_code == 409 and "已截止" in response.json()["detail"][0]["msg"]
    with at(D(2027, 2, 18)):  # the 5th: allowed (补充评价)
        rating = rate(occasion, level=4)
    assert rating.rated_on == D(2027, 2, 18)


def test_the_5th_working_day_is_allowed_on_the_page(client, holiday, make_rated_case):
    with at(D(2027, 2, 8)):
        case = make_rated_case()
    with at(D(2027, 2, 18)):
        verify(client, case)
        assert on_page(client, case, case.occasion, level="3").status_code == 302
    assert Rating.objects.get().rated_on == D(2027, 2, 18)


def test_the_follow_up_window_is_5_working_days_from_the_reply(client, holiday, make_rated_case):
    with at(D(2027, 2, 5)):
        case = make_rated_case()
        bad = rate(case.occasion, level=1)
    rect = replied(bad.rectification, on=D(2027, 2, 8))
    assert rect.follow_up_due == D(2027, 2, 18)
    with at(D(2027, 2, 19)):
        assert "追评已截止" in refused(
            lambda: rate(case.occasion, level=4, follow_up=True), "follow_up"
        )
        response = api(client, case, case.occasion, follow_up=True)
        assert response.status_code == 409
        assert response.json()["detail"][0]["loc"] == ["body", "follow_up"]
        verify(client, case)
        assert "您对整改结果满意吗" not in text(client.get(page(case)))
    with at(D(2027, 2, 18)):
        follow_up = rate(case.occasion, level=4, follow_up=True)
    assert follow_up.assess == Rating.Assess.FOLLOW_UP
    rect.refresh_from_db()
    assert rect.status == Step.CLOSED


def test_the_follow_up_on_the_page_within_its_window(client, holiday, make_rated_case):
    with at(D(2027, 2, 5)):
        case = make_rated_case()
        bad = rate(case.occasion, level=2)
    replied(bad.rectification, on=D(2027, 2, 8))
    with at(D(2027, 2, 18)):
        verify(client, case)
        response = client.post(
            page(case),
            {"step": "follow_up", "occasion": case.occasion.pk, "answer": "dissatisfied"},
        )
        assert response.status_code == 302
    rect = Rectification.objects.get()
    assert (rect.status, rect.reopened) == (Step.VERIFIED, True)  # 不满意 reopens it, once


def test_no_follow_up_without_a_replied_rectification(client, rated_case):
    rate(rated_case.occasion, level=5)
    assert "没有等待追评" in refused(
        lambda: rate(rated_case.occasion, level=4, follow_up=True), "follow_up"
    )
    response = api(client, rated_case, rated_case.occasion, follow_up=True)
    assert response.status_code == 409


# --- Flooding --------------------------------------------------------------------------------------


def test_three_ratings_from_one_phone_in_30_minutes_are_flagged(client, make_rated_case):
    cases = [make_rated_case() for _ in range(3)]  # one applicant's phone, three cases
    first = rate(cases[0].occasion, level=5)
    assert not first.flagged
    verify(client, cases[1])
    assert on_page(client, cases[1], cases[1].occasion, level="5").status_code == 302
    assert not Rating.objects.filter(flagged=True).exists()
    response = api(client, cases[2], cases[2].occasion, level=5)
    assert response.status_code == 201
    assert Rating.objects.filter(flagged=True).count() == 3


def test_three_ratings_30_minutes_apart_are_not_flagged(make_rated_case):
    cases = [make_rated_case() for _ in range(3)]
    start = dt.datetime.now(CST)
    for index, case in enumerate(cases):
        with time_machine.travel(start + dt.timedelta(minutes=31 * index), tick=False):
            rate(case.occasion, level=5)
    assert not Rating.objects.filter(flagged=True).exists()


def test_the_occasions_of_one_case_rated_at_once_are_not_flagged(make_rated_case):
    """The registration, a home visit and the handover of one matter, rated in one sitting."""
    case = make_rated_case()
    visit = add_occasion(case, kind="home_visit")
    handover = add_occasion(case, kind="handover")
    for occasion in (case.occasion, visit, handover):
        rate(occasion, level=5)
    assert Rating.objects.filter(case=case).count() == 3
    assert not Rating.objects.filter(flagged=True).exists()


def test_three_phones_from_one_address_are_not_flagged(client, make_rated_case):
    """A village station's visitors share its address: three phones are three people."""
    phones = ["13805330001", "13805330002", "13805330003"]
    for phone in phones:
        case = make_rated_case(phone=phone)
        response = api(client, case, case.occasion, phone_last4=phone[-4:], level=5)
        assert response.status_code == 201
    assert Rating.objects.count() == 3
    assert not Rating.objects.filter(flagged=True).exists()


# --- What may be said ------------------------------------------------------------------------------


def test_reasons_of_the_wrong_kind_are_refused(client, rated_case):
    occasion = rated_case.occasion
    assert "不符" in refused(lambda: rate(occasion, level=1, reasons=["fast"]), "reasons")
    refused(lambda: rate(occasion, level=5, reasons=["slow"]), "reasons")
    refused(lambda: rate(occasion, level=4, reasons=["nonexistent"]), "reasons")
    verify(client, rated_case)
    response = on_page(client, rated_case, occasion, level="2", reasons="fast")
    assert "所选原因与评价等级不符" in text(response)
    response = api(client, rated_case, occasion, level=5, reasons=["slow"])
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"] == ["body", "reasons"]
    assert not Rating.objects.exists()
    # a 3 takes either kind, and an "any" reason fits every face
    rating = rate(occasion, level=3, reasons=["slow", "fast", "guidance"])
    assert rating.reasons == ["slow", "fast", "guidance"]


@pytest.mark.parametrize("level", [0, 6, True, -1, 2.5, "3"])
def test_a_level_outside_1_to_5_is_refused(client, rated_case, level):
    occasion = rated_case.occasion
    if not isinstance(level, str | float):
        assert "1 到 5" in refused(lambda: rate(occasion, level=level), "level")
    response = api(client, rated_case, occasion, level=level)
    assert response.status_code == 422, response.json()
    assert response.json()["detail"][0]["loc"][-1] == "level"
    if level != "3":  # a form's "3" is the face 3 (a JSON "3" is no integer)
        verify(client, rated_case)
        response = on_page(client, rated_case, occasion, level=str(level))
        assert "请选择 1 到 5 级中的一个评价" in text(response)
    assert not Rating.objects.exists()


def test_every_rating_channel_of_the_page_and_api_is_self_service(client, rated_case):
    """The page and the API write QR or SMS only; the card and the device are other doors."""
    response = api(client, rated_case, rated_case.occasion, channel="card")
    assert response.status_code == 422
    response = api(client, rated_case, rated_case.occasion, channel="sms")
    assert response.status_code == 201 and response.json()["channel"] == Channel.SMS
