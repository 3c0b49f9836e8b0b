"""期限更正: when an admin enters next year's holidays, the open deadlines that were provisional (or
that the change touches) are counted afresh, each change recorded as one event by the system — the
only way a deadline may move earlier — and the applicant is told."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bangban.cases import actions
from bangban.cases.models import Case, CaseMaterial
from bangban.cases.workflow import State
from bangban.messaging.models import Message
from bangban.workdays import calendar
from bangban.workdays.actions import publish_year, set_day
from bangban.workdays.models import CalendarDay

D = dt.date
DEC_24 = dt.datetime(2026, 12, 24, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
HOLIDAY, MAKEUP = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.MAKEUP_WORKDAY


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The calendar is cached per process; the years these tests enter are rolled back after each."""
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def accepted(register, make_item, helper):
    """accepted() → a case received and accepted on 24 December 2026, 10 working days: its
    deadline lies in 2027, whose holidays nobody has entered yet."""
    item = make_item(promised_limit=10, legal_limit=20)

    def make():
        with time_machine.travel(DEC_24, tick=False):
            case = register(item=item, received_on=D(2026, 12, 24))
            statuses = {
                line.material_id: CaseMaterial.Status.RECEIVED for line in case.materials.all()
            }
            actions.set_material_status(case, statuses=statuses, by=helper)
            return actions.accept_case(case, by=helper)

    return make


def enter_2027(capture, days):
    with capture(execute=True):
        publish_year(2027, days, by=None)


def test_a_deadline_in_an_unknown_year_is_provisional_until_the_year_is_entered(
    accepted, django_capture_on_commit_callbacks
):
    case = accepted()
    # 25, 28–31 December, then 2027 by the fixed rule: 1 January off, 4–8 January → 8 January.
    assert (case.promised_deadline, case.promised_provisional) == (D(2027, 1, 8), True)
    assert case.legal_provisional
    enter_2027(
        django_capture_on_commit_callbacks,
        [(D(2027, 1, d), HOLIDAY, "元旦") for d in (1, 2, 3, 4)],  # a longer New Year holiday
    )
    case.refresh_from_db()
    assert (case.promised_deadline, case.promised_provisional) == (D(2027, 1, 11), False)
    assert not case.legal_provisional
    event = case.events.get(action="correct_deadline")
    assert event.by is None and event.from_status == event.to_status == State.IN_PROGRESS
    assert event.data["before"]["promised_deadline"] == "2027-01-08"
    assert event.data["after"]["promised_deadline"] == "2027-01-11"
    assert Message.objects.filter(reference=f"case:{case.number}", body__contains="2027-01-11")


def test_a_correction_may_move_a_deadline_earlier_and_says_so(
    accepted, django_capture_on_commit_callbacks
):
    case = accepted()
    enter_2027(
        django_capture_on_commit_callbacks,
        [(D(2027, 1, 1), HOLIDAY, "元旦"), (D(2027, 1, 2), MAKEUP, "元旦")],  # a Saturday worked
    )
    case.refresh_from_db()
    assert case.promised_deadline == D(2027, 1, 7)
    assert case.events.filter(action="correct_deadline").count() == 1


def test_nothing_changes_where_the_year_matches_the_assumption(
    accepted, django_capture_on_commit_callbacks
):
    case = accepted()
    enter_2027(django_capture_on_commit_callbacks, [(D(2027, 1, 1), HOLIDAY, "元旦")])
    case.refresh_from_db()
    # the date stays; only the provisional marks go, and that is recorded too
    assert (case.promised_deadline, case.promised_provisional) == (D(2027, 1, 8), False)
    event = case.events.get(action="correct_deadline")
    assert "promised_deadline" not in event.data["after"]
    assert not Message.objects.filter(body__contains="更正")


def test_suspensions_and_extensions_are_counted_again_in_order(
    accepted, helper, django_capture_on_commit_callbacks
):
    case = accepted()
    with time_machine.travel(dt.datetime(2027, 1, 6, 10, tzinfo=DEC_24.tzinfo), tick=False):
        actions.suspend_case(case, by=helper, reason="专家评审", on=D(2026, 12, 28))
        actions.resume_case(case, by=helper, on=D(2026, 12, 30))  # 29, 30: two working days
        actions.extend_case(case, by=helper, working_days=3, reason="材料核查", approver="王主任")
    case.refresh_from_db()
    assert case.promised_deadline == D(2027, 1, 15)  # 8 January + 2 + 3 working days
    enter_2027(
        django_capture_on_commit_callbacks,
        [(D(2027, 1, 1), HOLIDAY, "元旦"), (D(2027, 1, 11), HOLIDAY, "假日")],
    )
    case.refresh_from_db()
    # 8 January, then the two suspended days and the three of the extension skip 11 January
    assert (case.promised_deadline, case.promised_provisional) == (D(2027, 1, 18), False)
    assert actions.recomputed_deadlines(case)["promised_deadline"] == case.promised_deadline


def test_closed_and_unaccepted_cases_are_left_alone(
    accepted, register, helper, django_capture_on_commit_callbacks
):
    done = accepted()
    Case.objects.filter(pk=done.pk).update(status=State.WITHDRAWN)
    with time_machine.travel(DEC_24, tick=False):
        waiting = register(received_on=D(2026, 12, 24))
    enter_2027(
        django_capture_on_commit_callbacks,
        [(D(2027, 1, 1), HOLIDAY, "元旦"), (D(2027, 1, 4), HOLIDAY, "假日")],
    )
    done.refresh_from_db()
    assert done.promised_deadline == D(2027, 1, 8) and done.promised_provisional
    assert not done.events.filter(action="correct_deadline").exists()
    assert not waiting.events.filter(action="correct_deadline").exists()


def test_correcting_one_day_of_a_published_year_corrects_the_cases_it_touches(
    register, make_item, helper, django_capture_on_commit_callbacks
):
    item = make_item(promised_limit=10, legal_limit=20)
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=DEC_24.tzinfo), tick=False):
        case = register(item=item, received_on=D(2026, 11, 2))
        statuses = {line.material_id: CaseMaterial.Status.RECEIVED for line in case.materials.all()}
        actions.set_material_status(case, statuses=statuses, by=helper)
        case = actions.accept_case(case, by=helper, on=D(2026, 11, 2))
        assert case.promised_deadline == D(2026, 11, 16)
        with django_capture_on_commit_callbacks(execute=True):
            set_day(D(2026, 11, 10), kind=HOLIDAY, name="临时调整", by=None)
    case.refresh_from_db()
    assert case.promised_deadline == D(2026, 11, 17)
    assert case.events.filter(action="correct_deadline").count() == 1
