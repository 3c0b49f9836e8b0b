"""The shape of a workflow (`bangban.kernel.workflow`) is not the ledger's alone: a small made-up table —
the rectification after a bad review — checks, answers what a user may do, and draws its chart the
same way the ledger's does."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from django.db import models

from bangban.kernel import workflow_chart
from bangban.kernel.workflow import Condition, Relations, Transition, Workflow
from tests.test_layout import assert_drawable

SVG = "{http://www.w3.org/2000/svg}"


class Stage(models.TextChoices):
    OPEN = "open", "待整改"
    FIXING = "fixing", "整改中"
    REVIEW = "review", "待复核"
    DONE = "done", "已办结"
    CANCELLED = "cancelled", "已撤销"


class Who(models.TextChoices):
    OWNER = "owner", "责任服务点"
    REVIEWER = "reviewer", "复核人"
    SYSTEM = "system", "系统"


@dataclass
class Review:
    status: str
    owner: str
    reviewer: str
    report: str = ""


def relations(review: Review, user, read=None) -> Relations:
    if user is None:
        return Relations({Who.SYSTEM: lambda: True})
    return Relations(
        {Who.OWNER: lambda: user == review.owner, Who.REVIEWER: lambda: user == review.reviewer}
    )


REPORTED = Condition(
    "reported", "report", lambda review, read: "" if review.report else "请先填写整改报告。"
)

RECTIFICATION = Workflow(
    states=Stage,
    actors=Who,
    transitions=(
        Transition(
            "start", "开始整改", frozenset({Stage.OPEN}), Stage.FIXING, frozenset({Who.OWNER})
        ),
        Transition(
            "submit",
            "提交复核",
            frozenset({Stage.FIXING}),
            Stage.REVIEW,
            frozenset({Who.OWNER}),
            (REPORTED,),
        ),
        Transition(
            "reject",
            "复核不通过",
            frozenset({Stage.REVIEW}),
            Stage.FIXING,
            frozenset({Who.REVIEWER}),
        ),
        Transition(
            "approve", "复核通过", frozenset({Stage.REVIEW}), Stage.DONE, frozenset({Who.REVIEWER})
        ),
        Transition(
            "note",
            "备注",
            frozenset({Stage.OPEN, Stage.FIXING, Stage.REVIEW}),
            None,
            frozenset({Who.OWNER, Who.REVIEWER}),
        ),
        Transition(
            "cancel",
            "自动撤销",
            frozenset({Stage.OPEN, Stage.FIXING, Stage.REVIEW}),
            Stage.CANCELLED,
            frozenset({Who.SYSTEM}),
        ),
    ),
    relations=relations,
    state_refusal="整改当前为“%(state)s”，不能%(action)s。",
    actor_refusal="您不能%(action)s。",
    closed=frozenset({Stage.DONE, Stage.CANCELLED}),
    done=frozenset({Stage.DONE}),
    system=frozenset({Who.SYSTEM}),
    start=Stage.OPEN,
    start_label="差评",
)


def test_the_table_answers_what_each_may_do_now():
    review = Review(Stage.FIXING, owner="town", reviewer="county")
    assert [t.action for t in RECTIFICATION.permitted(review, "town")] == ["note"]
    review.report = "已整改"
    assert [t.action for t in RECTIFICATION.permitted(review, "town")] == ["submit", "note"]
    assert [t.action for t in RECTIFICATION.permitted(review, "county")] == ["note"]
    assert [t.action for t in RECTIFICATION.permitted(review, None)] == ["cancel"]
    assert RECTIFICATION.permitted(review, "town", actions=["note", "submit"])[0].action == "note"


def test_check_names_the_refusal():
    review = Review(Stage.FIXING, owner="town", reviewer="county")
    refusal = RECTIFICATION.check(review, "submit", "town")
    assert (refusal.reason, refusal.field, refusal.message) == (
        "reported",
        "report",
        "请先填写整改报告。",
    )
    refusal = RECTIFICATION.check(review, "approve", "county")
    assert (refusal.reason, refusal.field) == ("state", "status")
    assert refusal.message == "整改当前为“整改中”，不能复核通过。"
    refusal = RECTIFICATION.check(review, "start", "county")
    assert refusal.reason == "state"
    review.status = Stage.OPEN
    refusal = RECTIFICATION.check(review, "start", "county")
    assert (refusal.reason, refusal.field, refusal.message) == ("actor", "by", "您不能开始整改。")
    assert RECTIFICATION.check(review, "start", "town") is None


def test_relations_are_asked_once_and_only_when_needed():
    asked = []

    def test(name, answer):
        return lambda: asked.append(name) or answer

    rel = Relations({"cheap": test("cheap", True), "dear": test("dear", False)})
    assert rel.any_of({"dear", "cheap"}) and asked == ["cheap"]
    assert "dear" not in rel and "dear" not in rel and asked == ["cheap", "dear"]
    assert "nobody" not in rel


@pytest.mark.parametrize("transition", RECTIFICATION.transitions, ids=lambda t: t.action)
def test_the_table_loops_like_the_ledgers(transition):
    assert transition.sources and not transition.sources & RECTIFICATION.closed
    for state in transition.sources:
        assert RECTIFICATION.target_of(transition.action, state) in Stage
    assert transition in RECTIFICATION.allowed_from(next(iter(transition.sources)))


def test_a_closed_review_takes_no_action():
    for state in RECTIFICATION.closed:
        assert RECTIFICATION.allowed_from(state) == []


def test_its_chart_is_drawn_from_its_table():
    drawn = workflow_chart.build_chart(RECTIFICATION, title="差评整改流程图")
    assert [n.label for n in drawn.nodes] == [str(s.label) for s in Stage]
    assert [n.state for n in drawn.nodes if n.done] == ["done"]
    arrows = {(a.source, a.target): [s.action for s in a.steps] for a in drawn.arrows}
    assert arrows[("review", "fixing")] == ["reject"]
    assert ("fixing", "fixing") not in arrows  # 备注 keeps the state: in the panel, not a loop
    assert [row.action for row in drawn.keeping] == ["note"]
    assert all(arrow.system_only for arrow in drawn.arrows if arrow.target == "cancelled")
    assert drawn.start == "open" and drawn.start_label == "差评"
    layout, _labels = workflow_chart.lay_out(drawn)
    assert_drawable(layout)
    root = ET.fromstring(workflow_chart.to_svg(drawn))  # noqa: S314 - our own output
    texts = [element.text or "" for element in root.iter(f"{SVG}text")]
    assert "差评整改流程图" in texts and "复核不通过" in texts and "备注" in texts
    element = str(workflow_chart.to_svg_element(drawn))
    assert element.startswith("<svg") and "差评整改流程图" in element
