"""The one-time notice (一次性告知) and deemed acceptance (行政许可法 §32), on docs/domain.md's examples:
received 2026-11-02, 10 working days promised."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bangban.cases import actions
from bangban.cases.actions import CaseError, NoticeItem
from bangban.cases.models import CaseMaterial, Notice
from bangban.cases.workflow import State
from bangban.messaging.models import Message

D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 10, tzinfo=CST), tick=False
    )


@pytest.fixture
def case(register, make_item):
    item = make_item(promised_limit=10, legal_limit=20)
    with at(D(2026, 11, 2)):
        return register(item=item, received_on=D(2026, 11, 2))


def _first_line(case):
    return case.materials.order_by("position").first()


def _notice(case, helper, day, **kwargs):
    with at(day):
        return actions.issue_notice(
            case,
            items=[NoticeItem(_first_line(case).pk, "missing", "原件未带")],
            supply_by=day + dt.timedelta(days=7),
            by=helper,
            **kwargs,
        )


def _complete_and_accept(case, helper, day):
    with at(day):
        statuses = {line.material_id: "received" for line in case.materials.all()}
        actions.set_material_status(case, statuses=statuses, by=helper)
        return actions.accept_case(case, by=helper)


def test_a_notice_on_the_spot_then_materials_on_12_november_is_26_november(case, helper):
    notice = _notice(case, helper, D(2026, 11, 2))
    case.refresh_from_db()
    assert case.status == State.AWAITING_MATERIALS and case.accepted_on is None
    assert notice.number == "370323-20261102-N0001" and notice.within_window
    assert _first_line(case).status == CaseMaterial.Status.MISSING
    case = _complete_and_accept(case, helper, D(2026, 11, 12))
    assert case.accepted_on == D(2026, 11, 12)
    assert case.promised_deadline == D(2026, 11, 26)


def test_a_notice_only_on_10_november_leaves_it_accepted_on_2_november(case, helper):
    notice = _notice(case, helper, D(2026, 11, 10))
    case.refresh_from_db()
    assert not notice.within_window
    assert case.status == State.AWAITING_MATERIALS
    assert case.accepted_on == D(2026, 11, 2) and case.acceptance_deemed
    assert case.promised_deadline == D(2026, 11, 16)
    case = _complete_and_accept(case, helper, D(2026, 11, 12))
    assert case.accepted_on == D(2026, 11, 2) and case.promised_deadline == D(2026, 11, 16)


def test_a_notice_on_the_fifth_working_day_is_still_in_time(case, helper):
    notice = _notice(case, helper, D(2026, 11, 9))
    case.refresh_from_db()
    assert notice.within_window and case.accepted_on is None


def test_no_notice_for_five_working_days_means_accepted_on_the_day_of_receipt(case):
    actions.apply_deemed_acceptance(case, today=D(2026, 11, 9))
    case.refresh_from_db()
    assert case.accepted_on is None
    case = actions.apply_deemed_acceptance(case, today=D(2026, 11, 10))
    assert case.accepted_on == D(2026, 11, 2) and case.acceptance_deemed
    assert case.status == State.REGISTERED
    assert case.promised_deadline == D(2026, 11, 16)
    assert case.events.filter(action="deem_accepted", by=None).count() == 1


def test_deemed_acceptance_happens_once(case):
    actions.apply_deemed_acceptance(case, today=D(2026, 11, 10))
    actions.apply_deemed_acceptance(case, today=D(2026, 11, 11))
    assert case.events.filter(action="deem_accepted").count() == 1


def test_a_notice_in_time_keeps_the_case_from_deemed_acceptance(case, helper):
    _notice(case, helper, D(2026, 11, 3))
    case = actions.apply_deemed_acceptance(case, today=D(2026, 11, 20))
    assert case.accepted_on is None


def test_a_second_notice_needs_a_reason_and_is_recorded_as_repeated(case, helper):
    _notice(case, helper, D(2026, 11, 2))
    with pytest.raises(CaseError) as error:
        _notice(case, helper, D(2026, 11, 3))
    assert "repeat_reason" in error.value.errors
    second = _notice(case, helper, D(2026, 11, 3), repeat_reason="申请人提交的新材料有误")
    assert second.repeated and second.number == "370323-20261103-N0001"
    assert Notice.objects.filter(case=case).count() == 2


def test_the_notice_tells_the_applicant_what_to_bring(case, helper):
    _notice(case, helper, D(2026, 11, 2))
    bodies = list(
        Message.objects.filter(reference=f"case:{case.number}").values_list("body", flat=True)
    )
    assert any(_first_line(case).material.name in body and "补正" in body for body in bodies)


def test_a_notice_needs_at_least_one_material_and_a_future_day(case, helper):
    with at(D(2026, 11, 2)), pytest.raises(CaseError) as error:
        actions.issue_notice(case, items=[], supply_by=D(2026, 11, 1), by=helper)
    assert set(error.value.errors) == {"items", "supply_by"}


def test_the_hourly_job_deems_only_the_cases_that_are_due(case, register, make_item):
    from bangban.cases.tasks import deem_due

    with at(D(2026, 11, 9)):
        recent = register(item=case.item, received_on=D(2026, 11, 9))
    assert deem_due(today=D(2026, 11, 10)) == 1
    case.refresh_from_db()
    recent.refresh_from_db()
    assert case.accepted_on == D(2026, 11, 2) and recent.accepted_on is None


def test_a_late_notice_comes_after_the_deemed_acceptance_on_the_timeline(case, helper):
    _notice(case, helper, D(2026, 11, 10))
    events = list(case.events.values_list("action", "by"))
    assert events == [("register", helper.pk), ("deem_accepted", None), ("notice", helper.pk)]
    assert not case.notices.get().within_window


def test_a_notice_in_time_clears_the_deemed_deadline_for_good(case, helper):
    assert case.deemed_deadline == D(2026, 11, 16)
    _notice(case, helper, D(2026, 11, 9))
    case.refresh_from_db()
    assert case.deemed_deadline is None and case.accepted_on is None


def test_the_cutoff_of_a_day_is_the_notice_window_read_backwards(db):
    """`deemed_cutoff(on)` is the last day of receipt whose window has passed by `on`, through
    weekends, the National Day holiday and its make-up Saturdays."""
    from bangban.cases.models import deemed_cutoff, notice_in_time

    for n in range(60):
        on = D(2026, 9, 15) + dt.timedelta(days=n)
        cutoff = deemed_cutoff(on)
        for back in range(25):
            received = on - dt.timedelta(days=back)
            assert notice_in_time(received, on) == (received > cutoff), (on, received)


# --- Deemed acceptance at registration ------------------------------------------------------------


def test_a_case_registered_after_its_window_is_registered_deemed_accepted(register, make_item):
    item = make_item(promised_limit=10, legal_limit=20)
    with at(D(2026, 11, 20)):
        case = register(item=item, received_on=D(2026, 11, 2))
    case.refresh_from_db()
    assert case.status == State.REGISTERED
    assert case.accepted_on == D(2026, 11, 2) and case.acceptance_deemed
    assert case.promised_deadline == D(2026, 11, 16) and case.legal_deadline == D(2026, 11, 30)
    assert case.deemed_deadline is None
    assert list(case.events.values_list("action", "by")) == [
        ("register", case.entered_by_id),
        ("deem_accepted", None),
    ]


def test_a_case_registered_within_its_window_waits_with_its_deemed_deadline(register, make_item):
    item = make_item(promised_limit=10, legal_limit=20)
    with at(D(2026, 11, 9)):
        case = register(item=item, received_on=D(2026, 11, 2))
    case.refresh_from_db()
    assert case.accepted_on is None and not case.acceptance_deemed
    assert case.promised_deadline is None and case.deemed_deadline == D(2026, 11, 16)
    assert list(case.events.values_list("action", flat=True)) == ["register"]
