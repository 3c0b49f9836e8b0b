"""Yellow and red cards and the on-time rate (docs/domain.md "Warnings and on-time"), at their boundaries.
The reads are tested on deadlines written straight into the rows; how deadlines arise is
test_clock.py's business."""

from __future__ import annotations

import datetime as dt

import pytest

from bangban.cases.actions import send_warnings
from bangban.cases.models import Case, next_working_day
from bangban.cases.workflow import State
from bangban.messaging.models import Message
from bangban.network.models import Membership, Role
from bangban.staff.models import Helper

D = dt.date


@pytest.fixture
def case(register):
    case = register()
    Case.objects.filter(pk=case.pk).update(
        status=State.IN_PROGRESS,
        deemed_deadline=None,
        accepted_on=case.received_on,
        promised_deadline=D(2026, 10, 8),
    )
    return case


@pytest.mark.parametrize(
    ("today", "yellow", "red"),
    [
        (D(2026, 9, 29), False, False),
        (D(2026, 9, 30), True, False),  # the last working day before the National Day holiday
        (D(2026, 10, 3), True, False),  # through the holiday
        (D(2026, 10, 8), True, False),  # the deadline day itself
        (D(2026, 10, 9), False, True),  # the deadline day has ended
    ],
)
def test_a_deadline_on_8_october_is_yellow_from_30_september_and_red_after(
    case, today, yellow, red
):
    assert Case.objects.near_deadline(today).filter(pk=case.pk).exists() is yellow
    assert Case.objects.overdue(today).filter(pk=case.pk).exists() is red


def test_a_closed_case_is_never_yellow_or_red(case):
    Case.objects.filter(pk=case.pk).update(status=State.WITHDRAWN)
    assert not Case.objects.near_deadline(D(2026, 10, 8)).exists()
    assert not Case.objects.overdue(D(2026, 12, 1)).exists()


def test_the_next_working_day_skips_weekends_and_holidays(db):
    assert next_working_day(D(2026, 9, 30)) == D(2026, 10, 8)  # over the National Day holiday
    assert next_working_day(D(2026, 11, 6)) == D(2026, 11, 9)  # Friday → Monday
    assert next_working_day(D(2026, 11, 7)) == D(2026, 11, 9)  # Saturday → Monday


def test_the_on_time_rate_counts_completed_cases_only(register):
    def closed(status, completed_on, deadline):
        c = register()
        Case.objects.filter(pk=c.pk).update(
            status=status,
            deemed_deadline=None,
            accepted_on=c.received_on,
            promised_deadline=deadline,
            completed_on=completed_on,
        )

    closed(State.COMPLETED, D(2026, 11, 16), D(2026, 11, 16))  # on the deadline day: on time
    closed(State.COMPLETED, D(2026, 11, 17), D(2026, 11, 16))  # a day late
    closed(State.COMPLETED, D(2026, 10, 30), D(2026, 11, 16))  # outside the period
    closed(State.WITHDRAWN, None, D(2026, 11, 16))  # not completed: not counted
    assert Case.objects.on_time_rate(D(2026, 11, 1), D(2026, 11, 30)) == (1, 2)


# --- The warnings sent each morning ----------------------------------------------------------------


@pytest.fixture
def phones(yiyuan, make_helper, helper):
    """Work phones for the helper, a lead at the sub-zone, the town admin of 鲁村镇 and a county admin."""
    Helper.objects.filter(user=helper).update(work_phone="13800000001")
    subzone = yiyuan.subzone("medical_insurance")
    lead = make_helper(subzone, role=Role.POINT_LEAD)
    town_admin = make_helper(yiyuan.town("鲁村镇"), role=Role.TOWN_ADMIN)
    county_admin = make_helper(yiyuan.town("鲁村镇"))
    Membership.objects.create(user=county_admin.user, role=Role.REGION_ADMIN, region=yiyuan.county)
    for person, phone in ((lead, "13800000002"), (town_admin, "13800000003")):
        Helper.objects.filter(pk=person.pk).update(work_phone=phone)
    Helper.objects.filter(pk=county_admin.pk).update(work_phone="13800000004")
    return subzone


def texts(case):
    return sorted(
        m.decrypted_recipient()
        for m in Message.objects.filter(reference=f"case:{case.number}", body__contains="牌")
    )


def test_a_yellow_card_warns_the_helpers_once(case, phones):
    assert send_warnings(today=D(2026, 9, 30)) == 1
    assert texts(case) == ["13800000001"]
    assert send_warnings(today=D(2026, 10, 8)) == 0  # the same deadline: warned already
    event = case.events.get(action="warning")
    assert event.data == {"level": "yellow", "deadline": "2026-10-08", "recipients": 1}


def test_a_red_card_also_warns_the_lead_the_town_and_the_county(case, phones, yiyuan):
    # handled at the 医保 sub-zone (under the county centre): the town admin of 鲁村镇 is not above
    # it; handled at the village station of 鲁村镇, the town admin is, the sub-zone's lead is not.
    Case.objects.filter(pk=case.pk).update(handling_point=phones)
    assert send_warnings(today=D(2026, 10, 9)) == 1
    assert texts(case) == ["13800000001", "13800000002", "13800000004"]


def test_a_red_card_at_a_village_station_reaches_its_town_admin(case, phones):
    send_warnings(today=D(2026, 10, 9))
    assert texts(case) == ["13800000001", "13800000003", "13800000004"]


def test_a_moved_deadline_warns_again_and_a_closed_case_never(case, phones, register):
    send_warnings(today=D(2026, 10, 9))
    Case.objects.filter(pk=case.pk).update(promised_deadline=D(2026, 10, 12))  # an extension
    assert send_warnings(today=D(2026, 10, 12)) == 1
    Case.objects.filter(pk=case.pk).update(status=State.COMPLETED, completed_on=D(2026, 10, 13))
    assert send_warnings(today=D(2026, 10, 20)) == 0


def test_the_ledgers_cards_are_the_same_cases_said_for_the_open_cases_index(register):
    """`open_warning_q` (the ledger's filter, said as the open cases' partial index says its
    condition: decision 0072) holds exactly the cases `warning_q` does, over every state, stored
    and deemed deadlines on both sides of the cards' boundaries, and days of receipt before and
    after the deemed cutoff."""
    import random

    from bangban.cases.models import DEEMABLE, OPEN_STATES, open_warning_q, warning_q

    assert set(DEEMABLE) <= set(OPEN_STATES)  # what makes the two the same
    rng = random.Random(15)
    days = [D(2026, 9, 20) + dt.timedelta(days=n) for n in range(25)]
    states = [
        s for s in State.values if s != State.REFUSED
    ]  # closed as the others, with a decision
    for _n in range(60):
        case = register()
        deemed = rng.choice([None, *days])
        Case.objects.filter(pk=case.pk).update(
            status=rng.choice(states),
            received_on=rng.choice(days),
            accepted_on=None,
            promised_deadline=rng.choice([None, *days]),
            deemed_deadline=deemed,
            completed_on=D(2026, 10, 1),
        )
    checked = 0
    for today in (D(2026, 9, 30), D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 14)):
        for level in ("overdue", "near_deadline"):
            said = set(Case.objects.filter(warning_q(level, today)).values_list("pk", flat=True))
            written = set(
                Case.objects.filter(open_warning_q(level, today)).values_list("pk", flat=True)
            )
            assert written == said, (level, today)
            checked += len(said)
    assert checked > 20  # the sample holds cards of both kinds
