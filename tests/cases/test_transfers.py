"""Transfers (联动): offered, accepted or declined by the receiving point, escalated when unanswered;
the first responsible helper keeps the case in sight throughout."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bangban.cases import actions
from bangban.cases.actions import CaseError
from bangban.cases.models import CaseEvent, Transfer
from bangban.cases.scope import cases_for
from bangban.cases.workflow import State
from bangban.network.models import Role

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def subzone(yiyuan):
    return yiyuan.subzone("medical_insurance")


@pytest.fixture
def receiver(make_helper, subzone):
    return make_helper(subzone).user


def test_a_village_case_sent_to_a_county_subzone_is_vertical(register, helper, subzone):
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    assert transfer.direction == Transfer.Direction.VERTICAL
    assert transfer.status == Transfer.Status.PENDING
    case.refresh_from_db()
    assert case.handling_point == case.registering_point  # still here until accepted
    assert case.status == State.REGISTERED


def test_between_two_stations_is_horizontal(register, helper, yiyuan):
    case = register()
    other = yiyuan.station("鲁村镇", 1)
    assert (
        actions.transfer_case(case, to_point=other, reason="属地办理", by=helper).direction
        == Transfer.Direction.HORIZONTAL
    )


def test_the_receiving_point_sees_a_pending_transfer(register, helper, subzone, receiver):
    case = register()
    assert not cases_for(receiver).filter(pk=case.pk).exists()
    actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    assert cases_for(receiver).filter(pk=case.pk).exists()


def test_accepting_makes_the_receiver_the_handler_and_keeps_the_responsible(
    register, helper, subzone, receiver
):
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    case = actions.accept_transfer(transfer, by=receiver)
    assert case.handling_point == subzone and case.handling_helper == receiver
    assert case.responsible == helper
    assert cases_for(helper).filter(pk=case.pk).exists()
    # The village helper no longer handles it, but may still feed back and see it.
    with pytest.raises(CaseError):
        actions.transfer_case(
            case, to_point=helper.memberships.first().point, reason="x", by=helper
        )


def test_declining_needs_a_reason_and_leaves_the_case_where_it_was(
    register, helper, subzone, receiver, yiyuan
):
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    with pytest.raises(CaseError):
        actions.decline_transfer(transfer, by=receiver, reason=" ")
    better = yiyuan.subzone("human_resources_social_security")
    transfer = actions.decline_transfer(
        transfer, by=receiver, reason="属于社保业务", suggested_point=better
    )
    assert transfer.status == Transfer.Status.DECLINED and transfer.suggested_point == better
    case.refresh_from_db()
    assert case.handling_point == case.registering_point


def test_only_the_receiving_point_answers_and_only_once(register, helper, subzone, receiver):
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    with pytest.raises(CaseError) as error:
        actions.accept_transfer(transfer, by=helper)
    assert "by" in error.value.errors
    actions.accept_transfer(transfer, by=receiver)
    with pytest.raises(CaseError) as error:
        actions.decline_transfer(transfer, by=receiver, reason="晚了")
    assert "transfer" in error.value.errors


def test_one_pending_transfer_at_a_time(register, helper, subzone, yiyuan):
    case = register()
    actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    with pytest.raises(CaseError) as error:
        actions.transfer_case(case, to_point=yiyuan.zone, reason="再转", by=helper)
    assert "to_point" in error.value.errors


def test_an_unanswered_transfer_escalates_after_the_next_working_day(
    register, helper, subzone, make_helper
):
    from bangban.staff import actions as staff_actions

    lead = make_helper(subzone, role=Role.POINT_LEAD)
    staff_actions.save_helper(
        lead.user,
        by=None,
        origin=lead.origin,
        started_on=lead.started_on,
        work_phone="13905330001",
    )
    with time_machine.travel(dt.datetime(2026, 11, 6, 10, tzinfo=CST), tick=False):  # a Friday
        case = register()
        actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    assert actions.escalate_transfers(today=dt.date(2026, 11, 9)) == 0  # Monday: still in time
    assert actions.escalate_transfers(today=dt.date(2026, 11, 10)) == 1
    assert actions.escalate_transfers(today=dt.date(2026, 11, 11)) == 0  # once
    assert CaseEvent.objects.filter(case=case, action="escalate_transfer").count() == 1
    from bangban.messaging.models import Message

    sent = Message.objects.filter(reference=f"case:{case.number}")
    assert "13905330001" in [m.decrypted_recipient() for m in sent]


def test_the_working_days_each_point_held_the_case_are_known(register, helper, subzone, receiver):
    def at(day):
        return time_machine.travel(dt.datetime(2026, 11, day, 10, tzinfo=CST), tick=False)

    with at(2):
        case = register(received_on=dt.date(2026, 11, 2))
        transfer = actions.transfer_case(
            case, to_point=subzone, reason="需县医保分区办理", by=helper
        )
    with at(5):
        actions.accept_transfer(transfer, by=receiver)
    case.refresh_from_db()
    station = case.registering_point_id
    assert case.holding(until=dt.date(2026, 11, 16)) == [(station, 3), (subzone.pk, 7)]


# --- Who may receive and handle a transfer (上岗资格) ---------------------------------------------


def _pending(case):
    return case.transfers.get(status=Transfer.Status.PENDING)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"trained_on": None}, "尚未参加培训，须先培训后上岗。"),
        ({"left_on": "today"}, "离岗"),
        ({"started_on": "this year"}, "从事受理工作不满一年"),
    ],
    ids=["untrained", "left-today", "new"],
)
def test_a_named_receiver_must_be_qualified_today(
    register, helper, subzone, make_helper, changes, reason
):
    from django.utils import timezone

    today = timezone.localdate()
    values = {
        "left_on": today if changes.get("left_on") else None,
        "started_on": today.replace(month=1, day=1)
        if changes.get("started_on")
        else dt.date(2020, 1, 1),
    }
    if "trained_on" in changes:
        values["trained_on"] = None
    unqualified = make_helper(subzone, **values).user
    case = register()
    with pytest.raises(CaseError) as error:
        actions.transfer_case(
            case, to_point=subzone, to_helper=unqualified, reason="需县医保分区办理", by=helper
        )
    assert list(error.value.errors) == ["to_helper"]
    (message,) = error.value.errors["to_helper"]
    assert message.startswith("指定的接收人不具备上岗资格：") and reason in message
    assert not case.transfers.exists()
    assert list(case.events.values_list("action", flat=True)) == ["register"]


def test_an_untrained_helper_cannot_accept_and_become_the_handler(
    register, helper, subzone, make_helper
):
    untrained = make_helper(subzone, trained_on=None).user
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    with pytest.raises(CaseError) as error:
        actions.accept_transfer(transfer, by=untrained)
    (message,) = error.value.errors["handling_helper"]
    assert message == "承办人不具备上岗资格：尚未参加培训，须先培训后上岗。"
    transfer.refresh_from_db()
    case.refresh_from_db()
    assert transfer.status == Transfer.Status.PENDING and transfer.answered_by is None
    assert case.handling_point == case.registering_point and case.handling_helper == helper


def test_an_untrained_helper_may_accept_for_a_qualified_colleague(
    register, helper, subzone, receiver, make_helper
):
    untrained = make_helper(subzone, trained_on=None).user
    transfer = actions.transfer_case(
        register(), to_point=subzone, reason="需县医保分区办理", by=helper
    )
    case = actions.accept_transfer(transfer, by=untrained, handling_helper=receiver)
    assert case.handling_helper == receiver and case.handling_point == subzone


def test_a_named_receiver_who_left_since_cannot_become_the_handler(
    register, helper, subzone, receiver, make_helper
):
    from django.utils import timezone

    from bangban.staff import actions as staff_actions

    named = make_helper(subzone)
    transfer = actions.transfer_case(
        register(), to_point=subzone, to_helper=named.user, reason="需县医保分区办理", by=helper
    )
    staff_actions.save_helper(
        named.user,
        by=None,
        origin=named.origin,
        started_on=named.started_on,
        left_on=timezone.localdate(),
    )
    with pytest.raises(CaseError) as error:
        actions.accept_transfer(transfer, by=receiver)
    assert "离岗" in error.value.errors["handling_helper"][0]
    # whoever accepts names another helper of the point instead
    assert actions.accept_transfer(transfer, by=receiver, handling_helper=receiver).pk


def test_an_administrator_accepting_for_the_point_names_a_qualified_helper_of_it(
    register, helper, subzone, receiver, make_account, make_helper, yiyuan
):
    admin = make_account(Role.REGION_ADMIN, yiyuan.county)
    elsewhere = make_helper(yiyuan.zone).user
    case = register()
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    with pytest.raises(CaseError) as error:
        actions.accept_transfer(transfer, by=admin)
    assert error.value.errors == {"handling_helper": ["请指定承办本办件的帮办代办员。"]}
    with pytest.raises(CaseError) as error:
        actions.accept_transfer(transfer, by=admin, handling_helper=elsewhere)
    assert error.value.errors["handling_helper"][0].startswith("承办人须是")
    assert _pending(case) == transfer
    case = actions.accept_transfer(transfer, by=admin, handling_helper=receiver)
    assert case.handling_helper == receiver and case.handling_point == subzone
    transfer.refresh_from_db()
    assert transfer.answered_by == admin


def test_a_qualified_lead_accepting_handles_it_by_default(register, helper, subzone, make_helper):
    lead = make_helper(subzone, role=Role.POINT_LEAD).user
    transfer = actions.transfer_case(
        register(), to_point=subzone, reason="需县医保分区办理", by=helper
    )
    assert actions.accept_transfer(transfer, by=lead).handling_helper == lead
