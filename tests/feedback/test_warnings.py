# ruff: noqa: F811 - the fixtures imported from tests.feedback.rectifying
"""Yellow and red on a rectification, on the working-day calendar: the real-time card, the morning
texts to the handlers (and, when red, the level above), and escalation once a deadline has passed,
after which the level above may act."""

from __future__ import annotations

import datetime as dt

import pytest

from bangban.feedback import actions, warnings, workflow
from bangban.feedback.models import Rectification
from bangban.feedback.workflow import Step
from bangban.messaging.models import Message
from bangban.workdays import calendar
from bangban.workdays.actions import set_day
from tests.feedback.rectifying import (  # noqa: F401 - fixtures
    at,
    bad_review,
    bureau,
    helper,
    item,
    make_helper,
    make_item,
    organiser,
    register,
    station,
    town_admin,
    work_phone,
)

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 11, 20)
MONDAY, TUESDAY = dt.date(2026, 11, 23), dt.date(2026, 11, 24)


def fresh(rect) -> Rectification:
    return Rectification.objects.select_related("county").get(pk=rect.pk)


def card(rect, on) -> str:
    return warnings.card_of(fresh(rect), on, warnings.next_working_day(on))


def filtered(level, on) -> set:
    return set(
        Rectification.objects.filter(warnings.warning_q(level, on)).values_list("pk", flat=True)
    )


def rectifying(bad_review, by, due=None):
    """A review called back, verified and being rectified (by its deadline), on FRIDAY."""
    with at(FRIDAY):
        rect = bad_review()
        rect = actions.record_call(rect, reached=True, record="已联系", by=by)
        rect = actions.verify(
            rect, is_true=True, is_reasonable=True, is_malicious=False, note="属实", by=by
        )
        return actions.rectify(rect, measures="限期整改", due=due, by=by)


def test_the_card_follows_the_ledgers_rule(bad_review, town_admin):
    rect = rectifying(bad_review, town_admin)
    assert rect.due == dt.date(2026, 11, 27)  # Friday next week
    for day, expected in [
        (dt.date(2026, 11, 25), ""),  # Wednesday: due the day after next
        (dt.date(2026, 11, 26), "yellow"),  # Thursday: due the next working day
        (dt.date(2026, 11, 27), "yellow"),  # due today
        (dt.date(2026, 11, 28), "red"),  # the deadline day has ended
    ]:
        assert card(rect, day) == expected, day
        for level in ("yellow", "red"):
            assert (rect.pk in filtered(level, day)) == (expected == level), (day, level)


def test_the_yellow_card_spans_a_weekend(bad_review, town_admin):
    rect = rectifying(bad_review, town_admin, due=dt.date(2026, 11, 30))  # a Monday
    assert card(rect, dt.date(2026, 11, 27)) == "yellow"  # Friday: Monday is the next working day


def test_a_call_back_not_made_in_time_is_red(bad_review):
    with at(FRIDAY):
        rect = bad_review()
    assert rect.call_back_due == MONDAY
    assert card(rect, MONDAY) == ""
    assert card(rect, TUESDAY) == "red"
    assert rect.pk in filtered("red", TUESDAY)
    anonymous = bad_review(anonymous=True)
    Rectification.objects.filter(pk=anonymous.pk).update(opened_on=FRIDAY, call_back_due=MONDAY)
    assert card(anonymous, TUESDAY) == ""


def test_no_card_while_the_rater_may_rate_the_fix(bad_review, town_admin):
    rect = rectifying(bad_review, town_admin)
    with at(FRIDAY):
        rect = actions.finish(rect, note="已整改", by=town_admin)
        rect = actions.reply(rect, text="已整改完毕", by=town_admin)
    assert rect.status == Step.REPLIED
    assert card(rect, dt.date(2026, 12, 30)) == ""


# --- Escalation ----------------------------------------------------------------------------------


def test_escalation_waits_for_the_working_day_after_the_call_back_day(
    bad_review, town_admin, bureau
):
    with at(FRIDAY):
        rect = bad_review()
    assert workflow.permitted(fresh(rect), bureau) == []
    for day in (dt.date(2026, 11, 21), dt.date(2026, 11, 22), MONDAY):
        assert actions.escalate_overdue(day) == 0, day
    assert actions.escalate_overdue(TUESDAY) == 1
    rect = fresh(rect)
    assert rect.escalated_on == TUESDAY and rect.status == Step.OPENED
    event = rect.events.last()
    assert (event.action, event.data) == (
        "escalate",
        {"reason": "call_back", "deadline": "2026-11-23"},
    )
    # The level above (the bureau, for a town's review) may act now; the town still may.
    assert [t.action for t in workflow.permitted(rect, bureau)] == ["call_attempt", "call_back"]
    assert workflow.permitted(rect, town_admin)
    assert actions.escalate_overdue(dt.date(2026, 11, 25)) == 0  # once


def test_escalation_moves_with_a_holiday(bad_review, town_admin):
    """A day the calendar makes a holiday moves the deadline, and so the escalation."""
    set_day(MONDAY, kind="holiday", name="测试假日", by=None)
    try:
        with at(FRIDAY):
            rect = bad_review()
        assert rect.call_back_due == TUESDAY
        assert actions.escalate_overdue(TUESDAY) == 0
        assert actions.escalate_overdue(dt.date(2026, 11, 25)) == 1
    finally:
        calendar.invalidate()  # the test's change is rolled back: the cache must not keep it


def test_a_bureau_review_escalates_to_the_city(bad_review, bureau, make_account, yiyuan):
    from bangban.network.models import Role

    city = make_account(Role.REGION_ADMIN, yiyuan.county.parent)
    with at(FRIDAY):
        rect = bad_review(point=yiyuan.centre)
    assert workflow.permitted(fresh(rect), city) == []
    actions.escalate_overdue(TUESDAY)
    assert [t.action for t in workflow.permitted(fresh(rect), city)] == [
        "call_attempt",
        "call_back",
    ]


# --- The morning texts ---------------------------------------------------------------------------


def texts() -> list[tuple[str, str]]:
    return sorted(Message.objects.values_list("recipient_masked", "body"))


def test_the_morning_texts_warn_the_handlers_once(
    bad_review, town_admin, bureau, helper, work_phone
):
    work_phone(town_admin, "13905330001")
    work_phone(bureau, "13905330002")
    work_phone(helper, "13905330003")  # the person rated: never warned about their own review
    rect = rectifying(bad_review, town_admin)
    before = Message.objects.count()
    assert actions.send_warnings(dt.date(2026, 11, 25)) == 0
    assert actions.send_warnings(dt.date(2026, 11, 26)) == 1
    sent = list(Message.objects.order_by("pk")[before:].values_list("recipient_masked", "body"))
    assert sent == [
        (
            "139****0001",
            "【帮办代办】黄牌：" + rect.point.name + "的差评整改期限为 2026-11-27，请抓紧处理。",
        )
    ]
    assert actions.send_warnings(dt.date(2026, 11, 27)) == 0  # the same yellow card: once
    assert actions.send_warnings(dt.date(2026, 11, 30)) == 1
    red = list(Message.objects.order_by("pk")[before + 1 :].values_list("recipient_masked", "body"))
    assert sorted(phone for phone, _ in red) == ["139****0001", "139****0002"]  # and the bureau
    assert all(body.startswith("【帮办代办】红牌：") and "2026-11-27" in body for _, body in red)
    assert actions.send_warnings(dt.date(2026, 12, 1)) == 0
    events = fresh(rect).events.filter(action="warning")
    assert [e.data["level"] for e in events] == ["yellow", "red"]


def test_a_call_back_not_made_is_texted_red(bad_review, town_admin, work_phone):
    work_phone(town_admin, "13905330001")
    with at(FRIDAY):
        bad_review()
    before = Message.objects.count()
    assert actions.send_warnings(TUESDAY) == 1
    body = Message.objects.order_by("pk")[before:].get().body
    assert "未在 2026-11-23 前回访评价人" in body
