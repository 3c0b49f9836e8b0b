"""The clock of a case (docs/domain.md "The clock of a case"): the worked examples, and the rules around
acceptance, suspension, extension and completion."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bangban.cases import actions
from bangban.cases.actions import CaseError
from bangban.cases.models import CaseEvent, CaseMaterial
from bangban.cases.workflow import State

CST = dt.timezone(dt.timedelta(hours=8))
NOV_25 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CST)
D = dt.date


def at(day: dt.date):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 10, tzinfo=CST), tick=False
    )


@pytest.fixture
def ten_day_item(make_item):
    return make_item(promised_limit=10, legal_limit=20)


@pytest.fixture
def case(register, ten_day_item):
    """Registered on 2 November, the day its materials were received."""
    with at(D(2026, 11, 2)):
        return register(item=ten_day_item, received_on=D(2026, 11, 2))


NOV_2 = D(2026, 11, 2)


def _all_received(case, helper, on=NOV_2):
    statuses = {line.material_id: CaseMaterial.Status.RECEIVED for line in case.materials.all()}
    return actions.set_material_status(case, statuses=statuses, by=helper, received_on=on)


@time_machine.travel(NOV_25, tick=False)
def test_accepted_on_2_november_ten_working_days_is_16_november(case, helper):
    _all_received(case, helper)
    case = actions.accept_case(case, by=helper, on=D(2026, 11, 2))
    assert case.status == State.IN_PROGRESS
    assert case.promised_deadline == D(2026, 11, 16)
    assert case.legal_deadline == D(2026, 11, 30)
    assert not case.promised_provisional


@time_machine.travel(NOV_25, tick=False)
def test_suspended_5_and_resumed_12_november_moves_it_to_23_november(case, helper):
    _all_received(case, helper)
    actions.accept_case(case, by=helper, on=D(2026, 11, 2))
    actions.suspend_case(case, by=helper, reason="需要现场核查", on=D(2026, 11, 5))
    case = actions.resume_case(case, by=helper, on=D(2026, 11, 12))
    assert case.promised_deadline == D(2026, 11, 23)
    assert case.suspended_on is None


def _notice_on_the_spot(case, helper):
    with at(D(2026, 11, 2)):
        line = case.materials.order_by("position").first()
        actions.issue_notice(
            case,
            items=[actions.NoticeItem(line.pk, "missing")],
            supply_by=D(2026, 11, 20),
            by=helper,
        )


@time_machine.travel(NOV_25, tick=False)
def test_materials_complete_on_12_november_accepted_then_is_26_november(case, helper):
    _notice_on_the_spot(case, helper)
    _all_received(case, helper, on=D(2026, 11, 12))
    case = actions.accept_case(case, by=helper, on=D(2026, 11, 12))
    assert case.promised_deadline == D(2026, 11, 26)


@time_machine.travel(NOV_25, tick=False)
def test_acceptance_cannot_be_dated_before_the_last_required_material_arrived(case, helper):
    _notice_on_the_spot(case, helper)
    _all_received(case, helper, on=D(2026, 11, 12))
    with pytest.raises(CaseError) as error:
        actions.accept_case(case, by=helper, on=D(2026, 11, 10))
    assert error.value.errors == {"on": ["受理日期不能早于材料收齐的日期（2026-11-12）。"]}
    case.refresh_from_db()
    assert case.status == State.AWAITING_MATERIALS and case.accepted_on is None
    assert not case.events.filter(action="accept").exists()


@time_machine.travel(NOV_25, tick=False)
def test_an_optional_material_received_later_does_not_hold_acceptance_back(case, helper):
    _notice_on_the_spot(case, helper)
    lines = {line.material.name: line for line in case.materials.select_related("material")}
    required = {m: "received" for m, line in lines.items() if line.material.necessity == "required"}
    actions.set_material_status(
        case,
        statuses={lines[m].material_id: s for m, s in required.items()},
        by=helper,
        received_on=D(2026, 11, 12),
    )
    actions.set_material_status(
        case,
        statuses={lines["特殊人群身份证明"].material_id: "received"},
        by=helper,
        received_on=D(2026, 11, 20),
    )
    assert actions.accept_case(case, by=helper, on=D(2026, 11, 12)).accepted_on == D(2026, 11, 12)


@time_machine.travel(NOV_25, tick=False)
def test_the_day_a_material_was_received_is_kept_and_checked(case, helper):
    _notice_on_the_spot(case, helper)
    line = case.materials.order_by("position").first()
    for day, message in (
        (D(2026, 11, 1), "收取日期不能早于收到材料的日期（2026-11-02）。"),
        (D(2026, 11, 26), "收取日期不能晚于今天。"),
    ):
        with pytest.raises(CaseError) as error:
            actions.set_material_status(
                case, statuses={line.material_id: "received"}, by=helper, received_on=day
            )
        assert error.value.errors == {"received_on": [message]}
    line.refresh_from_db()
    assert line.status == CaseMaterial.Status.MISSING and line.received_on is None
    actions.set_material_status(case, statuses={line.material_id: "received"}, by=helper)
    line.refresh_from_db()
    assert line.received_on == D(2026, 11, 25)  # today by default
    event = case.events.filter(action="materials_received").last()
    assert event.data["received_on"] == "2026-11-25"
    # no longer received: the day goes with it
    actions.set_material_status(case, statuses={line.material_id: "wrong"}, by=helper)
    line.refresh_from_db()
    assert line.received_on is None


@time_machine.travel(NOV_25, tick=False)
def test_suspending_and_resuming_the_same_day_costs_nothing(case, helper):
    _all_received(case, helper)
    actions.accept_case(case, by=helper, on=D(2026, 11, 2))
    actions.suspend_case(case, by=helper, reason="补正", on=D(2026, 11, 5))
    assert actions.resume_case(case, by=helper, on=D(2026, 11, 5)).promised_deadline == D(
        2026, 11, 16
    )


@time_machine.travel(NOV_25, tick=False)
def test_an_extension_adds_working_days_with_reason_and_approver(case, helper):
    _all_received(case, helper)
    actions.accept_case(case, by=helper, on=D(2026, 11, 2))
    case = actions.extend_case(
        case, by=helper, working_days=3, reason="需专家评审", approver="县行政审批服务局 李局长"
    )
    assert case.promised_deadline == D(2026, 11, 19)
    event = CaseEvent.objects.filter(case=case, action="extend").get()
    assert event.data["approver"] == "县行政审批服务局 李局长"
    assert event.data["before"]["promised_deadline"] == "2026-11-16"


@time_machine.travel(NOV_25, tick=False)
def test_a_case_cannot_be_accepted_while_a_required_material_is_missing(case, helper):
    with pytest.raises(CaseError) as error:
        actions.accept_case(case, by=helper, on=D(2026, 11, 2))
    assert "materials" in error.value.errors
    case.refresh_from_db()
    assert case.status == State.REGISTERED and case.accepted_on is None


@time_machine.travel(NOV_25, tick=False)
def test_completing_on_or_before_the_deadline_is_on_time(case, helper):
    _all_received(case, helper)
    actions.accept_case(case, by=helper, on=D(2026, 11, 2))
    case = actions.complete_case(case, by=helper, on=D(2026, 11, 16))
    assert case.status == State.COMPLETED and case.completed_on == D(2026, 11, 16)
    assert case.closed_at is not None


@time_machine.travel(NOV_25, tick=False)
def test_a_closed_case_refuses_every_action(case, helper):
    _all_received(case, helper)
    actions.accept_case(case, by=helper, on=D(2026, 11, 2))
    actions.withdraw_case(case, by=helper, reason="申请人撤回申请")
    for act in (
        lambda: actions.accept_case(case, by=helper),
        lambda: actions.suspend_case(case, by=helper, reason="x"),
        lambda: actions.complete_case(case, by=helper),
        lambda: actions.withdraw_case(case, by=helper, reason="x"),
    ):
        with pytest.raises(CaseError) as error:
            act()
        assert "status" in error.value.errors


@time_machine.travel(NOV_25, tick=False)
def test_someone_at_another_point_may_not_act(case, make_helper, yiyuan):
    stranger = make_helper(yiyuan.station("南麻街道")).user
    with pytest.raises(CaseError) as error:
        actions.withdraw_case(case, by=stranger, reason="不是我的")
    assert "by" in error.value.errors


def test_every_action_leaves_exactly_one_event(case, helper):
    with at(D(2026, 11, 2)):
        _all_received(case, helper)
        actions.accept_case(case, by=helper)
    with at(D(2026, 11, 5)):
        actions.suspend_case(case, by=helper, reason="补正")
    with at(D(2026, 11, 12)):
        actions.resume_case(case, by=helper)
    with at(D(2026, 11, 20)):
        actions.complete_case(case, by=helper)
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == [
        "register",
        "materials_received",
        "accept",
        "suspend",
        "resume",
        "complete",
    ]


@time_machine.travel(NOV_25, tick=False)
def test_an_action_after_the_window_finds_the_case_deemed_accepted_first(case, helper):
    """No notice within 5 working days of 2 November: the first action on 25 November records the
    deemed acceptance (by the system) before its own event."""
    _all_received(case, helper)
    case = actions.accept_case(case, by=helper, on=D(2026, 11, 25))
    assert case.accepted_on == D(2026, 11, 2) and case.acceptance_deemed
    assert case.promised_deadline == D(2026, 11, 16)
    events = list(case.events.values_list("action", "by", flat=False))
    assert events == [
        ("register", helper.pk),
        ("deem_accepted", None),
        ("materials_received", helper.pk),
        ("accept", helper.pk),
    ]


@pytest.fixture
def deferrable_case(register, make_item):
    from bangban.catalog.actions import MaterialData

    materials = [
        MaterialData(name="居民身份证", kind="certificate", originals=1),
        MaterialData(name="村委会证明", necessity="deferrable", originals=1),
    ]
    item = make_item(promised_limit=10, legal_limit=20, materials=materials)
    with time_machine.travel(NOV_25, tick=False):
        return register(item=item, received_on=D(2026, 11, 2))


def _statuses(case, **by_name):
    return {
        line.material_id: by_name[line.material.name]
        for line in case.materials.select_related("material")
    }


@time_machine.travel(NOV_25, tick=False)
def test_a_deferrable_material_may_be_outstanding_at_acceptance_but_not_at_completion(
    deferrable_case, helper
):
    case = deferrable_case
    statuses = _statuses(case, 居民身份证="received", 村委会证明="deferred")
    actions.set_material_status(
        case, statuses=statuses, by=helper, deferred_until=D(2026, 12, 1), commitment=True
    )
    assert case.materials.get(status="deferred").deferred_until == D(2026, 12, 1)
    actions.accept_case(case, by=helper, on=D(2026, 11, 2))
    with pytest.raises(CaseError) as error:
        actions.complete_case(case, by=helper)
    assert "村委会证明" in error.value.errors["materials"][0]
    # it arrives after acceptance: the only change the checklist still takes
    with pytest.raises(CaseError) as error:
        actions.set_material_status(
            case, statuses=_statuses(case, 居民身份证="missing", 村委会证明="deferred"), by=helper
        )
    assert list(error.value.errors) == [f"materials.{case.materials.first().material_id}"]
    arrived = _statuses(case, 居民身份证="received", 村委会证明="received")
    actions.set_material_status(case, statuses=arrived, by=helper)
    assert actions.complete_case(case, by=helper).status == State.COMPLETED


@time_machine.travel(NOV_25, tick=False)
def test_deferring_needs_a_deferrable_material_a_written_commitment_and_a_day(
    deferrable_case, helper
):
    case = deferrable_case
    with pytest.raises(CaseError) as error:
        actions.set_material_status(
            case, statuses=_statuses(case, 居民身份证="deferred", 村委会证明="deferred"), by=helper
        )
    errors = error.value.errors
    assert set(errors) == {
        f"materials.{case.materials.first().material_id}",  # 居民身份证 is required, not deferrable
        "commitment",
        "deferred_until",
    }
    with pytest.raises(CaseError) as error:
        actions.set_material_status(
            case,
            statuses=_statuses(case, 居民身份证="received", 村委会证明="deferred"),
            by=helper,
            deferred_until=D(2026, 11, 24),
            commitment=True,
        )
    assert list(error.value.errors) == ["deferred_until"]
    assert not case.materials.filter(status__in=["deferred", "received"]).exists()


@time_machine.travel(NOV_25, tick=False)
def test_an_applicant_with_a_dishonesty_record_cannot_defer(deferrable_case, helper):
    case = deferrable_case
    case.applicant.dishonest = True
    case.applicant.save()
    statuses = _statuses(case, 居民身份证="received", 村委会证明="deferred")
    with pytest.raises(CaseError) as error:
        actions.set_material_status(
            case, statuses=statuses, by=helper, deferred_until=D(2026, 12, 1), commitment=True
        )
    assert "失信" in next(iter(error.value.errors.values()))[0]
    # marked dishonest after deferring: acceptance still refuses it
    case.applicant.dishonest = False
    case.applicant.save()
    actions.set_material_status(
        case, statuses=statuses, by=helper, deferred_until=D(2026, 12, 1), commitment=True
    )
    case.applicant.dishonest = True
    case.applicant.save()
    with pytest.raises(CaseError) as error:
        actions.accept_case(case, by=helper, on=D(2026, 11, 2))
    assert "失信" in error.value.errors["materials"][0]


@time_machine.travel(NOV_25, tick=False)
def test_refusing_gives_a_dated_numbered_refusal_with_the_reason(case, helper):
    case = actions.refuse_case(
        case,
        by=helper,
        reason="不属于本事项的受理范围",
        document_number="沂医保不受字〔2026〕3号",
        legal_basis="《行政许可法》第三十二条",
    )
    assert case.status == State.REFUSED and case.closed_at is not None
    event = case.events.get(action="refuse")
    assert event.data["refusal"] == "370323-20261125-N0001"
    assert event.data["refused_on"] == "2026-11-25"


@time_machine.travel(NOV_25, tick=False)
def test_the_responsible_helper_may_feed_back_progress_after_a_transfer(case, helper, yiyuan):
    from bangban.cases.models import Case

    Case.objects.filter(pk=case.pk).update(handling_point=yiyuan.zone)
    case = actions.record_progress(case, by=helper, text="材料已送县专区审核")
    assert case.events.filter(action="progress").count() == 1
