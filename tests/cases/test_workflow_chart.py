"""The workflow chart (附件2): the page and the SVG are drawn from `cases.workflow.TRANSITIONS`; every
transition shows in both, a new one would too, and the SVG is a well-formed SVG 1.1 document. Its
geometry (`bangban.kernel.layout`) holds for this table and for the next workflows' (a rectification, a
complaint, a booking, random tables): no label on a state or on another label, every arrow from
state to state, everything inside the drawing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from bangban.cases import chart, workflow
from bangban.cases.workflow import Actor, State, Transition
from bangban.kernel.layout import Box, text_width
from tests.test_layout import assert_drawable

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def user(helper):
    return helper


def svg_texts(content: bytes) -> list[str]:
    root = ET.fromstring(content)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg" and root.get("version") == "1.1"
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def test_every_transition_is_in_the_svg(client, user):
    client.force_login(user)
    response = client.get(reverse("cases:workflow_svg"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    texts = svg_texts(response.content)
    for transition in workflow.TRANSITIONS:
        assert str(transition.label) in texts, transition.action
        for actor in transition.actors:
            assert any(str(actor.label) in text for text in texts), (transition.action, actor)
    for state in State:
        assert str(state.label) in " ".join(texts)


def test_each_arrow_of_the_svg_is_a_state_change_of_the_table():
    drawn = {(a.source, a.target): [s.action for s in a.steps] for a in chart.build_chart().arrows}
    expected: dict[tuple[str, str], list[str]] = {}
    for t in workflow.TRANSITIONS:
        for source in State:
            if source in t.sources and t.target is not None and t.target != source:
                expected.setdefault((source.value, t.target.value), []).append(t.action)
    assert drawn == expected
    assert drawn[(State.REGISTERED.value, State.IN_PROGRESS.value)] == ["accept"]
    assert (State.IN_PROGRESS.value, State.IN_PROGRESS.value) not in drawn  # no loops


def test_actions_that_keep_the_state_are_listed_beside_the_chart():
    keeping = {row.action: row.sources for row in chart.build_chart().keeping}
    assert "progress" in keeping and "extend" in keeping and "transfer" in keeping
    assert keeping["extend"] == [str(State.IN_PROGRESS.label), str(State.SUSPENDED.label)]
    # A notice on a case already awaiting materials keeps it there.
    assert keeping["notice"] == [str(State.AWAITING_MATERIALS.label)]
    assert "accept" not in keeping


def test_the_page_shows_the_chart_and_the_table(client, user):
    client.force_login(user)
    response = client.get(reverse("cases:workflow"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "帮办代办工作流程图" in body
    assert "echarts" not in body  # the drawing is inline SVG: no script
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in body
    assert reverse("cases:workflow_svg") in body
    for transition in workflow.TRANSITIONS:
        assert f'data-action="{transition.action}"' in body
        assert str(transition.label) in body
    assert "<caption" in body and 'scope="col"' in body


def page_svg(body: str) -> bytes:
    return ("<svg" + body.split("<svg", 1)[1].split("</svg>")[0] + "</svg>").encode()


def test_the_page_draws_the_svg_files_diagram(client, user):
    client.force_login(user)
    body = client.get(reverse("cases:workflow")).content.decode()
    page = ET.fromstring(page_svg(body))  # noqa: S314 - our own output
    texts = [element.text or "" for element in page.iter(f"{SVG}text")]
    built = chart.build_chart()
    for state in State:
        assert str(state.label) in texts
    for arrow in built.arrows:
        for step in arrow.steps:
            assert step.label in texts
    # One line per arrow, and the start's.
    assert len(list(page.iter(f"{SVG}polyline"))) == len(built.arrows) + 1
    assert_svg_sound(page_svg(body), built)
    # The same lines as in the file, moved.
    file = ET.fromstring(chart.to_svg(built))  # noqa: S314 - our own output
    assert len(list(file.iter(f"{SVG}polyline"))) == len(built.arrows) + 1


def test_a_new_transition_shows_everywhere(client, user, monkeypatch):
    reopen = Transition(
        "reopen",
        "重新办理",
        frozenset({State.COMPLETED}),
        State.IN_PROGRESS,
        frozenset({Actor.SYSTEM}),
    )
    monkeypatch.setattr(workflow, "TRANSITIONS", (*workflow.TRANSITIONS, reopen))
    client.force_login(user)
    assert "重新办理" in svg_texts(client.get(reverse("cases:workflow_svg")).content)
    body = client.get(reverse("cases:workflow")).content.decode()
    assert 'data-action="reopen"' in body and "重新办理" in body
    arrows = {(a.source, a.target): a for a in chart.build_chart().arrows}
    assert arrows[(State.COMPLETED.value, State.IN_PROGRESS.value)].system_only


def test_a_removed_transition_disappears(client, user, monkeypatch):
    kept = tuple(t for t in workflow.TRANSITIONS if t.action != "withdraw")
    monkeypatch.setattr(workflow, "TRANSITIONS", kept)
    client.force_login(user)
    assert "撤回" not in svg_texts(client.get(reverse("cases:workflow_svg")).content)


def _floats(element, *names) -> tuple[float, ...]:
    return tuple(float(element.get(name)) for name in names)


def assert_svg_sound(content: bytes, drawn: chart.WorkflowChart) -> None:
    """What the SVG shows: the state boxes (rounded, thick border), the label boxes (white, thin
    border) and the arrows, none over another, each arrow from a box to a box, all in the viewBox."""
    root = ET.fromstring(content)  # noqa: S314 - our own output
    _x, _y, width, height = (float(v) for v in root.get("viewBox").split())
    frame = Box(0, 0, width, height)
    rects = list(root.iter(f"{SVG}rect"))
    states = [
        Box(*_floats(r, "x", "y", "width", "height"))
        for r in rects
        if r.get("stroke-width") == "1.8"
    ]
    labels = [
        Box(*_floats(r, "x", "y", "width", "height")) for r in rects if r.get("stroke") == "#d0d7e2"
    ]
    (dot,) = root.iter(f"{SVG}circle")
    cx, cy, r = _floats(dot, "cx", "cy", "r")
    start = Box(cx - r, cy - r, 2 * r, 2 * r)
    assert len(states) == len(drawn.nodes)
    widths = sorted(chart.box_width(n.label) for n in drawn.nodes)
    assert sorted(s.w for s in states) == pytest.approx(widths, abs=0.1)
    assert {s.h for s in states} == {chart.BOX_H}
    assert len(labels) == len(drawn.arrows) + 1
    for box in [*states, *labels]:
        assert frame.x <= box.x and box.right <= frame.right
        assert frame.y <= box.y and box.bottom <= frame.bottom
    for i, box in enumerate(states):
        assert not any(box.overlaps(other) for other in states[i + 1 :])
    for i, label in enumerate(labels):
        assert not any(label.overlaps(state) for state in states), label
        assert not any(label.overlaps(other) for other in labels[i + 1 :]), label
    for line in root.iter(f"{SVG}polyline"):
        points = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
        assert all(0 <= x <= width and 0 <= y <= height for x, y in points)
        ends = [*states, start]
        # The SVG rounds to a tenth: an end within 0.1 of a box's border touches it.
        assert any(box.on_border(points[0], 0.1) for box in ends), points[0]
        assert any(box.on_border(points[-1], 0.1) for box in states), points[-1]


def test_labels_do_not_cover_the_states():
    """The SVG's label boxes keep clear of the state boxes (已登记, 已受理办理中 and 已中止 had
    labels drawn over them when the states sat at fixed places)."""
    built = chart.build_chart()
    assert_svg_sound(chart.to_svg(built).encode(), built)
    layout, _labels = chart.lay_out(built)
    assert_drawable(layout)
    # 恢复 runs back from 已中止 to 已受理办理中, against the layers; the rest run along them.
    back = [(r.edge.source, r.edge.target) for r in layout.routes if r.reversed]
    assert back == [(State.SUSPENDED.value, State.IN_PROGRESS.value)]
    layer = layout.layer
    assert layer[chart.START] < layer[State.REGISTERED] < layer[State.AWAITING_MATERIALS]
    assert layer[State.AWAITING_MATERIALS] < layer[State.IN_PROGRESS] < layer[State.COMPLETED]


def test_in_english_too():
    """Longer names in English: wider boxes, and every text still inside the drawing."""
    with translation.override("en"):
        built = chart.build_chart()
        content = chart.to_svg(built).encode()
    assert "Registered" in [n.label for n in built.nodes]
    assert_svg_sound(content, built)
    root = ET.fromstring(content)  # noqa: S314 - our own output
    width = float(root.get("width"))
    for text in root.iter(f"{SVG}text"):
        if text.get("text-anchor") == "start":
            end = float(text.get("x")) + text_width(text.text, float(text.get("font-size")))
            assert end <= width, text.text


# --- The next workflows' tables --------------------------------------------------------------------


def table_chart(
    states: list[str], transitions: list[tuple[str, list[str], str]], closed: set[str]
) -> chart.WorkflowChart:
    """A chart of another table: (action, sources, target), the first state the start."""
    arrows: dict[tuple[str, str], chart.Arrow] = {}
    for action, sources, target in transitions:
        step = chart.Step(
            action, action, ["承办服务点人员", "首问负责人"], action.startswith("自动")
        )
        for source in sources:
            if source != target:
                arrows.setdefault((source, target), chart.Arrow(source, target)).steps.append(step)
    return chart.WorkflowChart(
        title="流程图",
        nodes=[chart.Node(s, s, s in closed) for s in states],
        arrows=list(arrows.values()),
        rows=[],
        keeping=[],
        start=states[0],
        start_label="登记",
    )


RECTIFICATION = table_chart(
    ["待回访", "回访中", "整改中", "待复核", "已办结", "已撤销"],
    [
        ("开始回访", ["待回访"], "回访中"),
        ("未联系上", ["回访中"], "待回访"),
        ("提出整改", ["回访中"], "整改中"),
        ("满意办结", ["回访中"], "已办结"),
        ("提交复核", ["整改中"], "待复核"),
        ("复核不通过", ["待复核"], "整改中"),
        ("重新回访", ["待复核"], "回访中"),
        ("复核通过", ["待复核"], "已办结"),
        ("自动撤销", ["待回访", "回访中", "整改中", "待复核"], "已撤销"),
    ],
    {"已办结", "已撤销"},
)
COMPLAINT = table_chart(
    ["已收到", "已转办", "调查中", "已答复", "申请复查", "已结案"],
    [
        ("转交", ["已收到"], "已转办"),
        ("退回", ["已转办"], "已收到"),
        ("开始调查", ["已转办", "已收到"], "调查中"),
        ("答复", ["调查中"], "已答复"),
        ("不满意", ["已答复"], "申请复查"),
        ("复查", ["申请复查"], "调查中"),
        ("自动结案", ["已答复"], "已结案"),
        ("维持答复", ["申请复查"], "已结案"),
    ],
    {"已结案"},
)
BOOKING = table_chart(
    ["已预约", "已确认", "已改期", "已到场", "已完成", "已取消", "未到场"],
    [
        ("确认", ["已预约", "已改期"], "已确认"),
        ("改期", ["已预约", "已确认"], "已改期"),
        ("签到", ["已确认"], "已到场"),
        ("完成", ["已到场"], "已完成"),
        ("取消", ["已预约", "已确认", "已改期"], "已取消"),
        ("自动爽约", ["已确认"], "未到场"),
        ("重新预约", ["未到场", "已取消"], "已预约"),
    ],
    {"已完成", "已取消", "未到场"},
)


@pytest.mark.parametrize(
    "drawn", [RECTIFICATION, COMPLAINT, BOOKING], ids=lambda c: c.nodes[0].label
)
def test_the_next_workflows_are_drawn_without_overlaps(drawn):
    layout, _labels = chart.lay_out(drawn)
    assert_drawable(layout)
    assert_svg_sound(chart.to_svg(drawn).encode(), drawn)


def test_the_rectification_runs_forwards_and_its_returns_run_back():
    layout, _labels = chart.lay_out(RECTIFICATION)
    layer = layout.layer
    assert layer["待回访"] < layer["回访中"] < layer["整改中"] < layer["待复核"] < layer["已办结"]
    back = {(r.edge.source, r.edge.target) for r in layout.routes if r.reversed}
    assert back == {("回访中", "待回访"), ("待复核", "整改中"), ("待复核", "回访中")}


NAMES = ["待受理", "办理中", "已中止", "待复核", "已办结", "已撤回", "Review 2", "暂缓（待材料）"]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, len(NAMES)).flatmap(
        lambda n: st.tuples(
            st.just(NAMES[:n]),
            st.lists(
                st.tuples(
                    st.sampled_from(["受理", "补正材料并重新提交", "自动退回", "办结", "Reopen"]),
                    st.lists(st.sampled_from(NAMES[:n]), min_size=1, max_size=3, unique=True),
                    st.sampled_from(NAMES[:n]),
                ),
                max_size=12,
            ),
        )
    )
)
def test_any_table_is_drawn_without_overlaps(table):
    states, transitions = table
    drawn = table_chart(states, transitions, set(states[-2:]))
    layout, _labels = chart.lay_out(drawn)
    assert_drawable(layout)
    assert_svg_sound(chart.to_svg(drawn).encode(), drawn)


def test_anyone_logged_in_may_see_it_and_no_one_else(client, user):
    assert client.get(reverse("cases:workflow")).status_code == 302
    assert client.get(reverse("cases:workflow_svg")).status_code == 302
    client.force_login(user)
    assert client.get(reverse("cases:workflow")).status_code == 200


def test_the_nav_links_to_it(client, user):
    client.force_login(user)
    body = client.get(reverse("cases:workflow")).content.decode()
    assert f'href="{reverse("cases:workflow")}">工作流程图</a>' in body
