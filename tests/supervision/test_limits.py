"""The 12345 hotline's time limits on the working-day calendar table (
`supervision.rules`), across a weekend and a holiday the calendar is given: the answer due the 5th
working day after dispatch (the platform's own due time wins), an extension of at most 10 working
days once, approved by the hotline centre; a ticket returned within 2 working days; yellow the working
day before the due day and on it, red from the first day after; a 求助 turned into a case answered
on the case's registration day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bangban.supervision import actions, rules
from bangban.supervision.errors import SupervisionError
from bangban.supervision.models import Complaint
from bangban.supervision.workflow import Step
from bangban.workdays import calendar
from bangban.workdays.actions import set_day

from .conftest import working_days

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
D = dt.date
THURSDAY = D(2026, 11, 19)  # the dispatch day
HOLIDAY = D(2026, 11, 23)  # a Monday the calendar makes a holiday
DUE = D(2026, 11, 27)  # Fri 20 (1), [Sat, Sun, holiday], Tue 24 (2), … Fri 27 (5)


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=CST), tick=False)


@pytest.fixture(autouse=True)
def holiday():
    set_day(HOLIDAY, kind="holiday", name="测试假日", by=None)
    calendar.invalidate()
    yield HOLIDAY
    calendar.invalidate()  # the change is rolled back: the cached calendar must not keep it


def fresh(complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


@pytest.fixture
def ticket(complain):
    """ticket(**changes) → a 12345 ticket dispatched on THURSDAY."""

    def make(**changes):
        with at(THURSDAY):
            return complain(received_on=THURSDAY, **changes)

    return make


@pytest.fixture
def signed(ticket, people):
    """signed(**changes) → a 咨询 ticket dispatched on THURSDAY, signed for by the town."""

    def make(**changes):
        complaint = ticket(kind="consult", **changes)
        with at(THURSDAY):
            return actions.sign(complaint, by=people.town_admin)

    return make


# --- The answer's due day ---------------------------------------------------------------------------


def test_the_answer_is_due_the_5th_working_day_after_dispatch_across_weekend_and_holiday(ticket):
    assert rules.answer_due(THURSDAY) == DUE == working_days(THURSDAY, 5)
    complaint = ticket()
    assert complaint.due == DUE


def test_without_the_holiday_it_would_be_a_day_earlier(ticket):
    set_day(HOLIDAY, kind="workday", name="", by=None)
    calendar.invalidate()
    assert rules.answer_due(THURSDAY) == D(2026, 11, 26)


def test_the_platforms_due_time_wins(ticket):
    platform = dt.datetime(2026, 11, 25, 18, 0, tzinfo=CST)
    complaint = ticket(platform_due_at=platform)
    assert complaint.due == D(2026, 11, 25)
    late = ticket(platform_due_at=dt.datetime(2026, 12, 2, 0, 30, tzinfo=CST))
    assert late.due == D(2026, 12, 2)  # the platform's day in Beijing time, not UTC's


# --- Extension --------------------------------------------------------------------------------------


def test_an_approved_extension_of_10_adds_10_working_days(signed, people):
    complaint = signed()
    with at(D(2026, 11, 24)):
        complaint = actions.request_extension(
            complaint, days=10, reason="需会同县医保局核实", by=people.town_admin
        )
        assert complaint.due == DUE  # asked, not yet approved
        complaint = actions.decide_extension(complaint, approve=True, by=None)  # the centre
    assert complaint.due == working_days(DUE, 10) == D(2026, 12, 11)
    assert fresh(complaint).extension == "approved"


def test_an_extension_of_11_is_refused_and_nothing_written(signed, people):
    complaint = signed()
    with at(D(2026, 11, 24)), pytest.raises(SupervisionError) as refused:
        actions.request_extension(complaint, days=11, reason="太忙", by=people.town_admin)
    assert "10" in " ".join(refused.value.errors["days"])
    assert fresh(complaint).extension == "" and fresh(complaint).due == DUE


def test_a_second_extension_request_is_refused(signed, people):
    complaint = signed()
    with at(D(2026, 11, 24)):
        complaint = actions.request_extension(
            complaint, days=3, reason="核实", by=people.town_admin
        )
        complaint = actions.decide_extension(complaint, approve=False, by=None)
        assert complaint.due == DUE  # refused: the due day stays
        with pytest.raises(SupervisionError) as refused:
            actions.request_extension(complaint, days=3, reason="再核实", by=people.town_admin)
    assert "只能申请一次" in " ".join(refused.value.errors["days"])


def test_only_the_hotline_centre_approves_a_tickets_extension(signed, people):
    complaint = signed()
    with at(D(2026, 11, 24)):
        complaint = actions.request_extension(
            complaint, days=2, reason="核实", by=people.town_admin
        )
        with pytest.raises(SupervisionError):
            actions.decide_extension(complaint, approve=True, by=people.bureau)
    assert fresh(complaint).extension == "requested"


# --- Return -----------------------------------------------------------------------------------------


def test_a_ticket_may_be_returned_on_the_2nd_working_day(ticket, people):
    complaint = ticket()
    assert complaint.return_due == D(2026, 11, 24)  # Fri 20 (1), Tue 24 (2): the holiday skipped
    with at(D(2026, 11, 24)):
        complaint = actions.return_ticket(complaint, reason="属县人社局职责", by=people.town_admin)
    assert complaint.status == Step.RETURNED and complaint.returned_on == D(2026, 11, 24)
    assert rules.on_time(complaint) is True


def test_a_ticket_may_not_be_returned_on_the_3rd_working_day(ticket, people):
    complaint = ticket()
    with at(D(2026, 11, 25)), pytest.raises(SupervisionError) as refused:
        actions.return_ticket(complaint, reason="属县人社局职责", by=people.town_admin)
    assert "2 个工作日" in " ".join(refused.value.errors["reason"])
    assert fresh(complaint).status == Step.RECEIVED


# --- Yellow and red ---------------------------------------------------------------------------------


def card(complaint, on: dt.date) -> str:
    from bangban.cases.models import next_working_day

    return rules.card_of(fresh(complaint), on, next_working_day(on))


def warned(level: str, on: dt.date) -> set:
    return set(Complaint.objects.filter(rules.warning_q(level, on)).values_list("pk", flat=True))


def test_yellow_the_working_day_before_and_on_the_due_day_red_the_first_day_after(ticket):
    complaint = ticket()
    for day, expected in [
        (D(2026, 11, 25), ""),  # Wednesday: due the day after next
        (D(2026, 11, 26), "yellow"),  # the working day before
        (DUE, "yellow"),  # the due day
        (D(2026, 11, 28), "red"),  # the first day after (a Saturday)
        (D(2026, 11, 30), "red"),
    ]:
        assert card(complaint, day) == expected, day
        for level in ("yellow", "red"):
            assert (complaint.pk in warned(level, day)) == (expected == level), (day, level)


def test_yellow_spans_the_weekend_and_the_holiday_before_the_due_day(ticket):
    complaint = ticket(platform_due_at=dt.datetime(2026, 11, 24, 17, tzinfo=CST))  # a Tuesday
    assert card(complaint, D(2026, 11, 19)) == ""  # Thursday: Friday is the next working day
    assert card(complaint, D(2026, 11, 20)) == "yellow"  # Friday: Tuesday is the next working day
    assert card(complaint, D(2026, 11, 23)) == "yellow"  # the holiday


def test_no_card_once_answered(signed, people):
    complaint = signed()
    with at(D(2026, 11, 26)):
        complaint = actions.answer(complaint, text="已电话解答。", by=people.town_admin)
    assert card(complaint, D(2026, 11, 30)) == ""
    assert complaint.pk not in warned("red", D(2026, 11, 30))


# --- A 求助 turned into a case; on time -------------------------------------------------------------


def test_a_help_turned_into_a_case_is_answered_on_the_registration_day(ticket, people, register):
    complaint = ticket(kind="help")
    with at(THURSDAY):
        complaint = actions.sign(complaint, by=people.town_admin)
    with at(D(2026, 11, 26)):
        case = register()
    with at(D(2026, 11, 30)):  # recorded later: the registration day counts
        complaint = actions.to_case(complaint, case=case, by=people.town_admin)
    assert complaint.status == Step.ANSWERED
    assert complaint.answered_on == D(2026, 11, 26) == case.registered_on
    assert rules.on_time(complaint) is True


def test_a_case_registered_before_the_request_is_not_its_answer(ticket, people, register):
    with at(D(2026, 11, 18)):
        case = register()
    complaint = ticket(kind="help")
    with at(THURSDAY):
        complaint = actions.sign(complaint, by=people.town_admin)
        with pytest.raises(SupervisionError) as refused:
            actions.to_case(complaint, case=case, by=people.town_admin)
    assert "case" in refused.value.errors
    assert fresh(complaint).status == Step.HANDLING


def test_on_time_is_the_answer_by_the_due_day(signed, people):
    on_due, late, still_open = signed(), signed(), signed()
    with at(DUE):
        on_due = actions.answer(on_due, text="已解答。", by=people.town_admin)
    with at(D(2026, 11, 30)):
        late = actions.answer(late, text="已解答。", by=people.town_admin)
    assert rules.on_time(on_due) is True
    assert rules.on_time(late) is False
    assert rules.on_time(fresh(still_open)) is None
