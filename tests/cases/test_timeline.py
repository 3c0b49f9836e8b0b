"""A case's timeline and its texts in one place each (decision 0046): every event is of a kind of the
fixed list (`cases.events.Kind`) and written through `cases.events`; every text sent is built in
`cases.notifications`."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
import time_machine

from bangban.cases import actions, events, notifications, workflow
from bangban.cases.models import CaseEvent, CaseMaterial
from bangban.messaging.models import Message

SRC = Path(__file__).resolve().parents[2] / "src" / "bangban"
CST = dt.timezone(dt.timedelta(hours=8))
D = dt.date


def at(day: dt.date):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 10, tzinfo=CST), tick=False
    )


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _name(node) -> str:
    """`a.b.c` of a Name/Attribute chain ("" for anything else)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _name(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def test_the_kinds_are_the_workflow_table_and_four_that_are_no_transition():
    transitions = {t.action for t in workflow.TRANSITIONS}
    assert set(events.Kind.values) == transitions | set(events.NOT_TRANSITIONS)
    assert not transitions & set(events.NOT_TRANSITIONS)
    for t in workflow.TRANSITIONS:
        assert str(events.Kind(t.action).label) == str(t.label)


def test_no_module_but_events_writes_a_case_event():
    writers = []
    for path, tree in _modules():
        if path == SRC / "cases" / "events.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _name(node.func)
                if name == "CaseEvent" or (
                    name.startswith("CaseEvent.objects.")
                    and name.endswith(("create", "update", "delete"))
                ):
                    writers.append(f"{path.relative_to(SRC)}:{node.lineno} {name}")
    assert writers == []


def test_every_kind_named_in_the_actions_is_of_the_fixed_list():
    """The actions name their event as a string to `_apply`/`_check` or as `events.Kind.X`."""
    named, passed_on = set(), set()
    for path, tree in _modules():
        if "actions" not in path.parts or path.parts[-3] != "cases":
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            if _name(node.func) in ("_apply", "_check", "events.record", "events.build"):
                kind = node.args[1]
                if isinstance(kind, ast.Constant):
                    named.add(kind.value)
                elif _name(kind).startswith("events.Kind."):
                    named.add(getattr(events.Kind, _name(kind).rsplit(".", 1)[1]).value)
                else:
                    passed_on.add(_name(kind))
    assert len(named) > 10, "the actions moved?"
    assert named <= set(events.Kind.values)
    assert passed_on == {"action"}  # `_apply(case, action, …)` in `core`, its callers named above


def test_recording_a_kind_outside_the_list_is_refused_and_writes_nothing(register, helper):
    case = register()
    before = CaseEvent.objects.count()
    with pytest.raises(ValueError):
        events.record(case, "reopen", by=helper)
    assert CaseEvent.objects.count() == before


@pytest.fixture
def ten_day_item(make_item):
    return make_item(promised_limit=10, legal_limit=20)


@time_machine.travel(dt.datetime(2026, 11, 25, 10, tzinfo=CST), tick=False)
def test_a_case_through_its_life_writes_kinds_of_the_list_and_texts_of_notifications(
    register, helper, ten_day_item, yiyuan, make_helper
):
    with at(D(2026, 11, 2)):
        case = register(item=ten_day_item, received_on=D(2026, 11, 2))
    statuses = {line.material_id: CaseMaterial.Status.RECEIVED for line in case.materials.all()}
    actions.set_material_status(case, statuses=statuses, by=helper, received_on=D(2026, 11, 2))
    actions.accept_case(case, by=helper, on=D(2026, 11, 2))
    actions.suspend_case(case, by=helper, reason="需要现场核查", on=D(2026, 11, 5))
    actions.resume_case(case, by=helper, on=D(2026, 11, 12))
    actions.extend_case(case, by=helper, working_days=2, reason="需要会商", approver="王局长")
    actions.record_progress(case, by=helper, text="材料已报送县医保局。")
    subzone = yiyuan.subzone("medical_insurance")
    receiver = make_helper(subzone).user
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    actions.decline_transfer(transfer, by=receiver, reason="属地办理")
    transfer = actions.transfer_case(case, to_point=subzone, reason="需县医保分区办理", by=helper)
    actions.accept_transfer(transfer, by=receiver)
    case = actions.complete_case(case, by=receiver)
    withdrawn = actions.withdraw_case(register(), by=helper, reason="申请人不再办理")
    refused = actions.refuse_case(
        register(), by=helper, reason="不属于受理范围", document_number="沂医保〔2026〕1号"
    )
    deemed = register(received_on=D(2026, 11, 2))  # no notice in five working days

    kinds = set(CaseEvent.objects.values_list("action", flat=True))
    assert kinds <= set(events.Kind.values)
    assert kinds >= {
        "register",
        "materials_received",
        "accept",
        "suspend",
        "resume",
        "extend",
        "progress",
        "transfer",
        "decline_transfer",
        "accept_transfer",
        "complete",
        "withdraw",
        "refuse",
        "deem_accepted",
    }

    def sent(c):
        return list(
            Message.objects.filter(reference=f"case:{c.number}")
            .order_by("pk")
            .values_list("body", flat=True)
        )

    step = notifications.about_case
    name = ten_day_item.current.name
    assert sent(case) == [
        notifications.registered(name, case.number),
        step(case.number, notifications.accepted(D(2026, 11, 16))),
        step(case.number, notifications.suspended("需要现场核查")),
        step(case.number, notifications.resumed(D(2026, 11, 23))),
        step(case.number, notifications.extended(D(2026, 11, 25))),
        step(case.number, "材料已报送县医保局。"),
        step(case.number, notifications.transferred(subzone.name)),
        step(case.number, notifications.completed(f"http://testserver/pj/{case.public_token}/")),
    ]
    assert sent(case)[1] == f"【帮办代办】办件 {case.number}：已受理，承诺于 2026-11-16 前办结。"
    # The completion text invites the applicant to rate, with the rating page's absolute link.
    assert sent(case)[-1] == (
        f"【帮办代办】办件 {case.number}：已办结。欢迎对本次服务进行评价："
        f"http://testserver/pj/{case.public_token}/"
    )
    assert sent(withdrawn)[-1] == step(withdrawn.number, notifications.withdrawn())
    assert sent(refused)[-1] == step(refused.number, notifications.refused("不属于受理范围"))
    assert deemed.acceptance_deemed


def test_no_module_but_notifications_builds_or_queues_a_text():
    """The texts all begin with the service's name; only `cases.notifications` holds one, and only
    it (and the outbox itself) queues a message."""
    builders, queuers = [], []
    for path, tree in _modules():
        where = path.relative_to(SRC)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and "【帮办代办】" in node.value
            ):
                builders.append(str(where))
            if isinstance(node, ast.Call) and _name(node.func).endswith("queue_message"):
                queuers.append(str(where))
    assert set(builders) == {"cases/notifications.py"}
    assert set(queuers) <= {"cases/notifications.py", "messaging/actions.py"}
