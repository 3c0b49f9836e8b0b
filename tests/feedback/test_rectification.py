# ruff: noqa: F811 - the fixtures imported from tests.feedback.rectifying
"""A bad review put right through the actions: who handles it (never the person rated), the
call-back and its three failed calls, the deadlines, the reply's text and the one follow-up."""

from __future__ import annotations

import datetime as dt

import pytest

from bangban.feedback import actions, rules, workflow
from bangban.feedback.actions import FeedbackError
from bangban.feedback.events import NOT_TRANSITIONS, Kind
from bangban.feedback.models import FeedbackPolicy, Rating, Rectification
from bangban.feedback.workflow import Step
from bangban.messaging.models import Message as OutboundMessage
from bangban.network.models import Role
from bangban.workdays import calendar
from tests.feedback.rectifying import (  # noqa: F401 - fixtures
    at,
    bad_review,
    bureau,
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    person,
    register,
    station,
    town_admin,
    work_phone,
)

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 11, 20)


def test_every_action_of_the_table_is_a_kind_of_event():
    assert {t.action for t in workflow.TRANSITIONS} == set(Kind.values) - NOT_TRANSITIONS


def fresh(rect) -> Rectification:
    return Rectification.objects.select_related("county", "rating").get(pk=rect.pk)


def called(rect, by):
    return actions.record_call(rect, reached=True, record="已联系，群众说明了情况", by=by)


def verified(rect, by):
    return actions.verify(
        rect, is_true=True, is_reasonable=True, is_malicious=False, note="情况属实", by=by
    )


# --- Who handles ----------------------------------------------------------------------------------


def test_the_town_admin_handles_a_village_station_review(bad_review, town_admin, helper, yiyuan):
    rect = bad_review()
    assert (rect.level, rect.town) == ("town", yiyuan.town("鲁村镇"))
    assert [t.action for t in workflow.permitted(rect, town_admin)] == ["call_attempt", "call_back"]
    assert workflow.permitted(rect, helper) == []
    called(rect, town_admin)
    assert fresh(rect).status == Step.CALLED_BACK


def test_the_rated_helper_never_handles_their_own_review_even_as_town_admin(
    bad_review, helper, yiyuan
):
    from bangban.network import actions as network

    network.grant_membership(helper, role=Role.TOWN_ADMIN, binding=yiyuan.town("鲁村镇"), by=None)
    rect = bad_review()
    helper = type(helper).objects.get(pk=helper.pk)  # memberships read afresh
    assert any(m.role == Role.TOWN_ADMIN for m in workflow.access.memberships(helper))
    assert workflow.permitted(rect, helper) == []
    with pytest.raises(FeedbackError) as refused:
        called(rect, helper)
    assert set(refused.value.errors) == {"by"}
    assert fresh(rect).status == Step.OPENED


def test_the_admin_of_another_town_is_refused(bad_review, make_account, yiyuan):
    other = make_account(Role.TOWN_ADMIN, yiyuan.town("南麻街道"))
    rect = bad_review()
    with pytest.raises(FeedbackError) as refused:
        called(rect, other)
    assert set(refused.value.errors) == {"by"}


def test_the_bureau_handles_the_county_centre_and_partner_stations(bad_review, bureau, yiyuan):
    from bangban.network.models import ServicePoint

    partner = ServicePoint.objects.filter(kind="partner_station", county=yiyuan.county).first()
    for point in (yiyuan.centre, partner):
        rect = bad_review(point=point)
        assert (rect.level, rect.town_id) == ("bureau", None)
        called(rect, bureau)
        assert fresh(rect).status == Step.CALLED_BACK


def test_a_town_admin_does_not_handle_the_county_centre(bad_review, town_admin, yiyuan):
    rect = bad_review(point=yiyuan.centre)
    assert workflow.permitted(rect, town_admin) == []


# --- The call-back ---------------------------------------------------------------------------------


def test_call_back_is_due_the_next_working_day_on_the_calendar(bad_review):
    with at(FRIDAY):
        rect = bad_review()
    assert rect.opened_on == FRIDAY
    assert rect.call_back_due == dt.date(2026, 11, 23)  # Monday, not Saturday
    assert rect.call_back_due == calendar.deadline(FRIDAY, rules.CALL_BACK_DAYS).date


def test_three_failed_calls_count_as_the_call_back(bad_review, town_admin):
    rect = bad_review()
    for attempt in (1, 2):
        rect = actions.record_call(rect, reached=False, record="无人接听", by=town_admin)
        assert (rect.status, rect.failed_calls) == (Step.OPENED, attempt)
        with pytest.raises(FeedbackError) as refused:
            verified(rect, town_admin)
        assert "call_record" in refused.value.errors
    rect = actions.record_call(rect, reached=False, record="第三次仍无人接听", by=town_admin)
    assert (rect.status, rect.failed_calls) == (Step.CALLED_BACK, 3)
    assert rect.called_back_at is not None
    kinds = list(rect.events.values_list("action", flat=True))
    assert kinds == ["open", "call_attempt", "call_attempt", "call_back"]
    verified(rect, town_admin)


def test_an_anonymous_review_has_no_call_back(bad_review, town_admin):
    rect = bad_review(anonymous=True)
    with pytest.raises(FeedbackError) as refused:
        called(rect, town_admin)
    assert "reached" in refused.value.errors
    assert verified(rect, town_admin).status == Step.VERIFIED


def test_a_call_needs_its_record_and_is_not_in_the_future(bad_review, town_admin):
    rect = bad_review()
    with pytest.raises(FeedbackError) as refused:
        actions.record_call(rect, reached=True, record="  ", by=town_admin)
    assert set(refused.value.errors) == {"record"}
    from django.utils import timezone

    later = timezone.now() + dt.timedelta(hours=2)
    with pytest.raises(FeedbackError) as refused:
        actions.record_call(rect, reached=True, record="已联系", at=later, by=town_admin)
    assert set(refused.value.errors) == {"at"}
    assert fresh(rect).events.count() == 1


# --- The outcome and its deadline ------------------------------------------------------------------


def test_the_rectification_deadline_defaults_to_five_working_days(bad_review, town_admin):
    with at(FRIDAY):
        rect = bad_review()
        assert rect.due == dt.date(2026, 11, 27)  # 5 working days after Friday
        verified(called(rect, town_admin), town_admin)
        rect = actions.rectify(rect, measures="加强培训，当面致歉", by=town_admin)
    assert (rect.status, rect.outcome, rect.due) == (
        Step.RECTIFYING,
        "rectify",
        dt.date(2026, 11, 27),
    )


def test_the_countys_setting_sets_the_deadline(bad_review, town_admin, yiyuan):
    FeedbackPolicy.objects.create(county=yiyuan.county, rectification_days=10)
    with at(FRIDAY):
        rect = bad_review()
    assert rect.due == calendar.deadline(FRIDAY, 10).date == dt.date(2026, 12, 4)


def test_a_deadline_before_today_is_refused(bad_review, town_admin):
    with at(FRIDAY):
        rect = verified(called(bad_review(), town_admin), town_admin)
        with pytest.raises(FeedbackError) as refused:
            actions.rectify(rect, measures="整改", due=dt.date(2026, 11, 19), by=town_admin)
        assert set(refused.value.errors) == {"due"}
        rect = actions.rectify(rect, measures="整改", due=dt.date(2026, 12, 10), by=town_admin)
    assert rect.due == dt.date(2026, 12, 10)


def test_fix_and_explain_resolve_at_once(bad_review, town_admin):
    rect = verified(called(bad_review(), town_admin), town_admin)
    assert actions.fix(rect, measures="当场补办", by=town_admin).status == Step.RESOLVED
    other = verified(called(bad_review(), town_admin), town_admin)
    explained = actions.explain(other, explanation="该事项依法须本人到场", by=town_admin)
    assert (explained.status, explained.outcome) == (Step.RESOLVED, "explained")


# --- The reply and the follow-up --------------------------------------------------------------------


def replied(rect, by, text="已整改，向您致歉"):
    rect = verified(called(rect, by), by)
    rect = actions.fix(rect, measures="当场补办", by=by)
    return actions.reply(rect, text=text, by=by)


def follow_up(rect, level):
    return actions.rate_occasion(rect.rating.occasion, level=level, channel="qr", follow_up=True)


def test_the_reply_texts_the_principal_with_the_follow_up_link(bad_review, town_admin):
    with at(FRIDAY):
        rect = replied(bad_review(), town_admin, text="已对工作人员批评教育")
    assert rect.status == Step.REPLIED
    assert rect.replied_on == FRIDAY
    assert rect.follow_up_due == rules.follow_up_closes_on(FRIDAY) == dt.date(2026, 11, 27)
    sms = OutboundMessage.objects.filter(body__contains="已对工作人员批评教育").get()
    assert sms.recipient_masked == "138****1234"
    assert "2026-11-27" in sms.body and f"/pj/{rect.rating.case.public_token}/" in sms.body
    assert sms.body.startswith("【帮办代办】")


def test_an_anonymous_review_is_replied_without_a_text(bad_review, town_admin):
    rect = bad_review(anonymous=True)
    rect = verified(rect, town_admin)
    rect = actions.fix(rect, measures="当场补办", by=town_admin)
    before = OutboundMessage.objects.count()
    assert actions.reply(rect, text="已整改", by=town_admin).status == Step.REPLIED
    assert OutboundMessage.objects.count() == before


def test_a_satisfied_follow_up_closes_it(bad_review, town_admin):
    rect = replied(bad_review(), town_admin)
    follow_up(rect, 4)
    rect = fresh(rect)
    assert rect.status == Step.CLOSED and rect.follow_up.assess == Rating.Assess.FOLLOW_UP


def test_a_dissatisfied_follow_up_reopens_once_and_the_next_reply_closes(bad_review, town_admin):
    rect = replied(bad_review(), town_admin)
    follow_up(rect, 1)
    rect = fresh(rect)
    assert (rect.status, rect.reopened, rect.outcome) == (Step.VERIFIED, True, "")
    assert [t.action for t in workflow.permitted(rect, town_admin)] == ["fix", "rectify", "explain"]
    rect = actions.fix(rect, measures="再次上门办理", by=town_admin)
    assert [t.action for t in workflow.permitted(rect, town_admin)] == ["reply_final"]
    rect = actions.reply(rect, text="已再次上门办理", by=town_admin)
    assert rect.status == Step.CLOSED and rect.closed_on is not None
    # There is no second follow-up.
    with pytest.raises(FeedbackError) as refused:
        follow_up(rect, 1)
    assert "follow_up" in refused.value.errors


def test_a_follow_up_window_ends_and_the_system_closes_it(bad_review, town_admin):
    with at(FRIDAY):
        rect = replied(bad_review(), town_admin)
    assert actions.close_expired(rect.follow_up_due) == 0
    assert actions.close_expired(rect.follow_up_due + dt.timedelta(days=1)) == 1
    rect = fresh(rect)
    assert rect.status == Step.CLOSED and rect.events.last().action == "close"
    assert actions.close_expired(rect.follow_up_due + dt.timedelta(days=2)) == 0


# --- The phone to call ------------------------------------------------------------------------------


def test_the_handler_may_see_the_number_to_call_and_it_is_logged(bad_review, town_admin, helper):
    rect = bad_review()
    assert actions.reveal_phone(rect, by=town_admin, address="10.0.0.1") == "13805331234"
    event = fresh(rect).events.get(action="reveal_phone")
    assert (event.by, event.data["address"]) == (town_admin, "10.0.0.1")
    with pytest.raises(FeedbackError):
        actions.reveal_phone(rect, by=helper)
    called(rect, town_admin)
    with pytest.raises(FeedbackError):  # called back: nobody needs the number any more
        actions.reveal_phone(rect, by=town_admin)
    assert fresh(rect).events.filter(action="reveal_phone").count() == 1
