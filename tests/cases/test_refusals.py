"""A refused transition from every state: for each state of the workflow table, every action the
table does not allow from it is refused by its action with a Chinese message, changing nothing and
leaving no event and no service occasion. The table's own tests (test_workflow.py) say which are allowed; this holds the
actions to it."""

from __future__ import annotations

import datetime as dt

import pytest

from bangban.cases import actions, workflow
from bangban.cases.actions import CaseError, NoticeItem
from bangban.cases.models import Case, CaseEvent
from bangban.cases.workflow import State


def _call(action: str, case: Case, helper, subzone):
    """Perform `action` on `case` as the helper at its point, with well-formed arguments."""
    line = case.materials.first()
    calls = {
        "notice": lambda: actions.issue_notice(
            case,
            items=[NoticeItem(line.pk, "missing")],
            supply_by=dt.date(2099, 1, 1),
            by=helper,
            repeat_reason="再次补正",
        ),
        "materials_received": lambda: actions.set_material_status(
            case, statuses={line.material_id: "received"}, by=helper
        ),
        "accept": lambda: actions.accept_case(case, by=helper),
        "refuse": lambda: actions.refuse_case(
            case, by=helper, reason="不属于受理范围", document_number="沂医保不受〔2026〕1号"
        ),
        "suspend": lambda: actions.suspend_case(case, by=helper, reason="专家评审"),
        "resume": lambda: actions.resume_case(case, by=helper),
        "extend": lambda: actions.extend_case(
            case, by=helper, working_days=2, reason="材料核查", approver="王主任"
        ),
        "transfer": lambda: actions.transfer_case(
            case, to_point=subzone, reason="需县医保分区办理", by=helper
        ),
        "progress": lambda: actions.record_progress(case, by=helper, text="正在办理"),
        "home_visit": lambda: actions.record_home_visit(
            case, on=None, note="上门收取材料", by=helper
        ),
        "complete": lambda: actions.complete_case(case, by=helper),
        "withdraw": lambda: actions.withdraw_case(case, by=helper, reason="申请人撤回"),
    }
    return calls[action]()


#: (state, action) for every action a helper performs that the table does not allow from the state.
REFUSED = [
    (state, t.action)
    for state in State
    for t in workflow.TRANSITIONS
    if workflow.Actor.HANDLER in t.actors and state not in t.sources
]


def test_every_state_refuses_something():
    assert {state for state, _action in REFUSED} == set(State)


@pytest.mark.parametrize(("state", "action"), REFUSED, ids=lambda v: str(v))
def test_an_action_the_table_does_not_allow_is_refused_and_changes_nothing(
    state, action, register, helper, yiyuan
):
    case = register()
    Case.objects.filter(pk=case.pk).update(
        status=state,
        accepted_on=case.received_on,
        deemed_deadline=None,
        refusal_department=case.revision.department if state == State.REFUSED else None,
        promised_deadline=case.received_on + dt.timedelta(days=14),
        legal_deadline=case.received_on + dt.timedelta(days=28),
        suspended_on=case.received_on if state == State.SUSPENDED else None,
        completed_on=case.received_on if state == State.COMPLETED else None,
    )
    case.refresh_from_db()
    before = Case.objects.values().get(pk=case.pk)
    events = CaseEvent.objects.filter(case=case).count()
    occasions = case.occasions.count()
    with pytest.raises(CaseError) as error:
        _call(action, case, helper, yiyuan.subzone("medical_insurance"))
    # refused for its state, saying so (not for some other rule)
    label = workflow.transition(action).label
    assert error.value.errors == {"status": [f"办件当前为“{State(state).label}”，不能{label}。"]}
    assert Case.objects.values().get(pk=case.pk) == before
    assert CaseEvent.objects.filter(case=case).count() == events
    assert case.occasions.count() == occasions
    assert not case.transfers.exists() and not case.notices.exists()
