"""The workflow chart (附件2 工作流程图), drawn from the one workflow table (`cases.workflow.TRANSITIONS`),
never from a copy: a change to the table shows on the page, in the SVG and in the table beside them.

`build_chart()` lays the states out in layers — registered, awaiting materials, in progress, completed,
left to right, with not accepted (不予受理) above the first two, withdrawn and suspended below — and
gathers the table's transitions into arrows between two states (each labelled with its actions and who
may perform them). An action that keeps the state (a progress note, an extension, a transfer…) is not
drawn as a loop: it is listed in a panel under the chart with the states it may be taken in.

`to_echarts` makes an ECharts `graph` option for the page (`templates/cases/workflow.html`); `to_svg`
draws a standalone SVG 1.1 document with our own code (no external binaries), for download, print,
Word and WPS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bangban.svg import Canvas

from . import workflow
from .workflow import CLOSED, Actor, State

#: Where each state sits: (column, row). The main path runs along row 1 (with 待补正材料 raised into
#: row 0, so that 受理 straight from 已登记 runs under it); the ends off the main path sit around it.
POSITIONS: dict[str, tuple[float, float]] = {
    State.REGISTERED: (0, 1),
    State.AWAITING_MATERIALS: (1, 0),
    State.IN_PROGRESS: (2, 1),
    State.COMPLETED: (3, 1),
    State.REFUSED: (0, 0),
    State.WITHDRAWN: (1, 2),
    State.SUSPENDED: (2, 2),
}
#: Where the start (registration, which creates a case and is no transition) points from.
START = (-0.62, 1)

#: (fill, stroke, text) of open and closed states, shared by the page and the SVG.
OPEN_COLOURS = ("#e9f1fc", "#2f6cc0", "#16325c")
DONE_COLOURS = ("#e6f4ea", "#2e7d4f", "#17402a")
CLOSED_COLOURS = ("#f2f4f7", "#6b7686", "#2b3340")
EDGE_COLOUR = "#4b5b72"
SYSTEM_COLOUR = "#8a5a00"


@dataclass
class Node:
    state: str
    label: str
    col: float
    row: float
    closed: bool

    @property
    def colours(self) -> tuple[str, str, str]:
        if self.state == State.COMPLETED:
            return DONE_COLOURS
        return CLOSED_COLOURS if self.closed else OPEN_COLOURS


@dataclass
class Step:
    """One action of the table as an arrow's label: the action, and who may perform it."""

    action: str
    label: str
    actors: list[str]
    system_only: bool


@dataclass
class Arrow:
    source: str
    target: str
    steps: list[Step] = field(default_factory=list)

    @property
    def system_only(self) -> bool:
        return all(step.system_only for step in self.steps)


@dataclass
class Row:
    """One transition of the table, in words (the page's table and the SVG's panel)."""

    action: str
    label: str
    sources: list[str]
    target: str | None  # None: the state is kept
    actors: list[str]


@dataclass
class WorkflowChart:
    title: str
    nodes: list[Node]
    arrows: list[Arrow]
    #: The transitions, in the table's order.
    rows: list[Row]
    #: The transitions that keep the state (or lead back into it), in the table's order.
    keeping: list[Row]


def _actors(transition) -> list[str]:
    return [str(actor.label) for actor in Actor if actor in transition.actors]


def _sources(transition) -> list[State]:
    return [state for state in State if state in transition.sources]


def build_chart() -> WorkflowChart:
    """The chart of the table as it is now (read at each call)."""
    states = list(State)
    spare_row = 0
    nodes = []
    for state in states:
        if state in POSITIONS:
            col, row = POSITIONS[state]
        else:  # a state the layout does not know yet: a column of its own on the right
            col, row = 4, spare_row
            spare_row += 1
        nodes.append(Node(state.value, str(state.label), col, row, state in CLOSED))

    arrows: dict[tuple[str, str], Arrow] = {}
    rows: list[Row] = []
    keeping: list[Row] = []
    for transition in workflow.TRANSITIONS:
        actors = _actors(transition)
        sources = _sources(transition)
        target = State(transition.target) if transition.target is not None else None
        row = Row(
            transition.action,
            str(transition.label),
            [str(s.label) for s in sources],
            str(target.label) if target is not None else None,
            actors,
        )
        rows.append(row)
        kept = [s for s in sources if target is None or s == target]
        if kept:
            keeping.append(
                Row(row.action, row.label, [str(s.label) for s in kept], None, row.actors)
            )
        step = Step(
            transition.action,
            str(transition.label),
            actors,
            transition.actors == frozenset({Actor.SYSTEM}),
        )
        for source in sources:
            if target is None or source == target:
                continue
            arrows.setdefault((source.value, target.value), Arrow(source.value, target.value))
            arrows[(source.value, target.value)].steps.append(step)
    return WorkflowChart(
        title=_("帮办代办工作流程图"),
        nodes=nodes,
        arrows=list(arrows.values()),
        rows=rows,
        keeping=keeping,
    )


def chart_context() -> dict:
    """What `cases/workflow.html` needs."""
    chart = build_chart()
    return {"chart": chart, "option": to_echarts(chart)}


# --- Geometry, shared by the page and the SVG -----------------------------------------------------

PITCH_X = 330
PITCH_Y = 200
BOX_W = 156
BOX_H = 60


def _centre(col: float, row: float, left: float, top: float) -> tuple[float, float]:
    return left + col * PITCH_X + BOX_W / 2, top + row * PITCH_Y + BOX_H / 2


# --- ECharts ---------------------------------------------------------------------------------------


def _step_text(step: Step) -> str:
    return f"{step.label}（{'、'.join(step.actors)}）"


def to_echarts(chart: WorkflowChart) -> dict:
    """An ECharts option (JSON-serialisable): a `graph` of the states at the chart's positions, each
    arrow labelled with its actions and who may perform them."""
    pairs = {(a.source, a.target) for a in chart.arrows}
    data = []
    for node in chart.nodes:
        fill, stroke, text = node.colours
        x, y = _centre(node.col, node.row, 0, 0)
        keeping = [r.label for r in chart.keeping if node.label in r.sources]
        data.append(
            {
                "name": node.state,
                "value": node.label,
                "x": x,
                "y": y,
                "symbol": "roundRect",
                "symbolSize": [BOX_W, BOX_H],
                "itemStyle": {"color": fill, "borderColor": stroke, "borderWidth": 1.5},
                "label": {"formatter": node.label, "color": text},
                "tooltip": {
                    "formatter": node.label
                    + (
                        "<br>"
                        + _("状态不变的操作：")
                        + pgettext("list separator", "、").join(keeping)
                        if keeping
                        else ""
                    )
                },
            }
        )
    start_x, start_y = _centre(*START, 0, 0)
    data.append(
        {
            "name": "start",
            "value": _("开始"),
            "x": start_x + BOX_W / 2 - 14,
            "y": start_y,
            "symbol": "circle",
            "symbolSize": 22,
            "itemStyle": {"color": "#1d4a8f", "borderColor": "#1d4a8f"},
            "label": {"show": False},
            "tooltip": {"formatter": _("登记后进入“已登记”")},
        }
    )
    links = [
        {
            "source": "start",
            "target": State.REGISTERED.value,
            "label": {"show": True, "formatter": _("登记")},
            "lineStyle": {"color": EDGE_COLOUR},
        }
    ]
    for arrow in chart.arrows:
        reverse = (arrow.target, arrow.source) in pairs
        links.append(
            {
                "source": arrow.source,
                "target": arrow.target,
                "label": {
                    "show": True,
                    "formatter": "\n".join(_step_text(s) for s in arrow.steps),
                },
                "lineStyle": {
                    "color": SYSTEM_COLOUR if arrow.system_only else EDGE_COLOUR,
                    "type": "dashed" if arrow.system_only else "solid",
                    "curveness": 0.18 if reverse else 0,
                },
            }
        )
    return {
        "title": {"text": chart.title, "show": False},
        "tooltip": {"trigger": "item", "confine": True},
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": False,
                "data": data,
                "links": links,
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 10,
                "label": {"show": True, "fontSize": 15, "fontWeight": "bold"},
                "edgeLabel": {
                    "fontSize": 12,
                    "color": "#1f2937",
                    "backgroundColor": "#ffffff",
                    "padding": [2, 4],
                    "lineHeight": 16,
                },
                "lineStyle": {"width": 1.6, "opacity": 1},
                "emphasis": {"focus": "adjacency"},
            }
        ],
    }


# --- SVG -------------------------------------------------------------------------------------------

MARGIN = 32
LABEL_SIZE = 12
LABEL_LEAD = 15
ACTOR_SIZE = 11


def _width(text: str, size: float) -> float:
    """An estimate of the drawn width: CJK and full-width characters one em, the rest narrower."""
    return sum(1.0 if ord(c) >= 0x2E80 else 0.58 for c in text) * size


def _wrap(text: str, size: float, width: float) -> list[str]:
    """Lines no wider than `width`, broken after 、 where possible."""
    lines: list[str] = []
    line = ""
    for part in text.split("、"):
        piece = part if not line else "、" + part
        if line and _width(line + piece, size) > width:
            lines.append(line + "、")
            line = part
        else:
            line += piece
    return [*lines, line] if line else lines


def _clip(dx, dy, half_w, half_h) -> float:
    """How far along the unit direction (dx, dy) from a box's centre its border lies."""
    limits = []
    if dx:
        limits.append(half_w / abs(dx))
    if dy:
        limits.append(half_h / abs(dy))
    return min(limits) if limits else 0.0


def _overlaps(a, b, pad=4) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw + pad and bx < ax + aw + pad and ay < by + bh + pad and by < ay + ah + pad


@dataclass
class _Label:
    lines: list[tuple[str, int, str]]  # (text, size, weight)
    w: float
    h: float


def _arrow_label(arrow: Arrow) -> _Label:
    lines: list[tuple[str, int, str]] = []
    for step in arrow.steps:
        lines.append((step.label, LABEL_SIZE + 1, "bold"))
        for part in _wrap("、".join(step.actors), ACTOR_SIZE, 150):
            lines.append((part, ACTOR_SIZE, "normal"))
    w = max(_width(text, size) for text, size, _w in lines) + 10
    return _Label(lines, w, len(lines) * LABEL_LEAD + 6)


def to_svg(chart: WorkflowChart) -> str:
    """A standalone SVG 1.1 document of the chart."""
    canvas = Canvas()
    left = MARGIN + 140  # room for the start
    title_h = 24 + 10 + 30
    top = MARGIN + title_h + 10
    cols = max(n.col for n in chart.nodes)
    rows = max(n.row for n in chart.nodes)
    width = left + cols * PITCH_X + BOX_W + MARGIN + 40
    diagram_bottom = top + rows * PITCH_Y + BOX_H

    canvas.text(width / 2, MARGIN + 24, chart.title, size=24, colour="#111827", weight="bold")
    canvas.text(
        width / 2,
        MARGIN + 24 + 24,
        _("（附件2）依据系统的流转规则生成：箭头上写明操作和可以执行的人员"),
        size=12,
        colour="#6b7280",
    )

    boxes: dict[str, tuple[float, float, float, float]] = {}
    for node in chart.nodes:
        x = left + node.col * PITCH_X
        y = top + node.row * PITCH_Y
        boxes[node.state] = (x, y, BOX_W, BOX_H)
    placed: list[tuple[float, float, float, float]] = list(boxes.values())
    pairs = {(a.source, a.target) for a in chart.arrows}

    # The start: registration creates a case in 已登记.
    reg_x, reg_y, _w, _h = boxes[State.REGISTERED.value]
    start_x, start_y = reg_x - 118, reg_y + BOX_H / 2
    canvas.circle(start_x, start_y, 9, "#1d4a8f")
    canvas.line(start_x + 9, start_y, reg_x - 3, start_y, EDGE_COLOUR, width=1.6, marker="arrow")
    canvas.text(
        start_x + 52, start_y - 8, _("登记"), size=LABEL_SIZE + 1, colour="#1f2937", weight="bold"
    )
    canvas.text(start_x, start_y + 26, _("开始"), size=LABEL_SIZE, colour="#374151")

    labels: list[tuple[_Label, float, float]] = []
    for arrow in chart.arrows:
        sx, sy, sw, sh = boxes[arrow.source]
        tx, ty, tw, th = boxes[arrow.target]
        ax, ay = sx + sw / 2, sy + sh / 2
        bx, by = tx + tw / 2, ty + th / 2
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy) or 1.0
        ux, uy = dx / length, dy / length
        both_ways = (arrow.target, arrow.source) in pairs
        if both_ways:  # two ways between the same states: side by side, each labelled on its side
            ax, ay, bx, by = ax - uy * 11, ay + ux * 11, bx - uy * 11, by + ux * 11
        start = _clip(ux, uy, sw / 2 + 2, sh / 2 + 2)
        end = _clip(ux, uy, tw / 2 + 4, th / 2 + 4)
        x1, y1 = ax + ux * start, ay + uy * start
        x2, y2 = bx - ux * end, by - uy * end
        system = arrow.system_only
        canvas.line(
            x1,
            y1,
            x2,
            y2,
            SYSTEM_COLOUR if system else EDGE_COLOUR,
            dash="6 4" if system else None,
            width=1.6,
            marker="arrow-system" if system else "arrow",
        )
        label = _arrow_label(arrow)
        # Beside the line when the other way has a line of its own next to it, else on it.
        side = abs(-uy) * (label.w / 2 + 8) + abs(ux) * (label.h / 2 + 8) if both_ways else 0
        chosen = None
        for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.25, 0.75):
            px, py = x1 + (x2 - x1) * t - uy * side, y1 + (y2 - y1) * t + ux * side
            rect = (px - label.w / 2, py - label.h / 2, label.w, label.h)
            if not any(_overlaps(rect, other) for other in placed):
                chosen = (px, py, rect)
                break
        if chosen is None:
            px, py = x1 + (x2 - x1) * 0.5 - uy * side, y1 + (y2 - y1) * 0.5 + ux * side
            chosen = (px, py, (px - label.w / 2, py - label.h / 2, label.w, label.h))
        placed.append(chosen[2])
        labels.append((label, chosen[0], chosen[1]))

    for node in chart.nodes:
        x, y, w, h = boxes[node.state]
        fill, stroke, colour = node.colours
        canvas.rect(x, y, w, h, fill, stroke, rx=8, width=1.8)
        canvas.text(x + w / 2, y + h / 2 + 6, node.label, size=16, colour=colour, weight="bold")

    for label, px, py in labels:  # over the lines, on white
        canvas.rect(
            px - label.w / 2, py - label.h / 2, label.w, label.h, "#ffffff", "#d0d7e2", rx=3
        )
        y = py - label.h / 2 + 3
        for text, size, weight in label.lines:
            canvas.text(px, y + LABEL_LEAD * 0.78, text, size=size, colour="#1f2937", weight=weight)
            y += LABEL_LEAD

    y = _keeping_panel(canvas, chart, diagram_bottom + 36, width)
    y = _legend(canvas, y + 14)
    canvas.text(
        MARGIN,
        y + 18,
        _("办理期限自受理日（含视为受理）起算，中止期间不计入；转办待接收期间，办件状态不变。"),
        size=12,
        colour="#374151",
        anchor="start",
    )
    defs = _marker("arrow", EDGE_COLOUR) + _marker("arrow-system", SYSTEM_COLOUR)
    return canvas.document(width, y + 18 + MARGIN, chart.title, defs)


def _keeping_panel(canvas: Canvas, chart: WorkflowChart, top: float, width: float) -> float:
    """The actions that keep the state, as a small table: action, in which states, who."""
    if not chart.keeping:
        return top
    canvas.text(
        MARGIN,
        top,
        _("不改变状态的操作（在所列状态下进行，办件状态不变）"),
        size=14,
        colour="#111827",
        weight="bold",
        anchor="start",
    )
    heads = [_("操作"), _("可在这些状态下进行"), _("执行人")]
    longest = [
        max([_width(heads[0], 12), *(_width(r.label, 12) for r in chart.keeping)]),
        max([_width(heads[1], 12), *(_width("、".join(r.sources), 12) for r in chart.keeping)]),
        max([_width(heads[2], 12), *(_width("、".join(r.actors), 12) for r in chart.keeping)]),
    ]
    room = width - 2 * MARGIN
    col_w = [w + 24 for w in longest]
    if sum(col_w) > room:  # narrower columns wrap after 、
        col_w[1] = max(120, room - col_w[0] - col_w[2])
    y = top + 12
    x = MARGIN
    canvas.rect(MARGIN, y, sum(col_w), 24, "#eef2f7", "#c3ccd8", rx=0, width=1)
    for head, w in zip(heads, col_w, strict=True):
        canvas.text(x + 8, y + 17, head, size=12, colour="#111827", weight="bold", anchor="start")
        x += w
    y += 24
    for row in chart.keeping:
        cells = [
            [row.label],
            _wrap("、".join(row.sources), 12, col_w[1] - 16),
            _wrap("、".join(row.actors), 12, col_w[2] - 16),
        ]
        h = max(len(c) for c in cells) * 16 + 8
        canvas.rect(MARGIN, y, sum(col_w), h, "#ffffff", "#c3ccd8", rx=0, width=1)
        x = MARGIN
        for lines, w in zip(cells, col_w, strict=True):
            for i, line in enumerate(lines):
                canvas.text(x + 8, y + 17 + i * 16, line, size=12, colour="#1f2937", anchor="start")
            x += w
        y += h
    return y + 8


def _legend(canvas: Canvas, top: float) -> float:
    x = MARGIN
    canvas.text(x, top + 13, _("图例："), size=13, colour="#374151", weight="bold", anchor="start")
    x += 52
    entries = [
        (OPEN_COLOURS, _("办理中的状态")),
        (DONE_COLOURS, _("办结")),
        (CLOSED_COLOURS, _("其他结束状态")),
    ]
    for (fill, stroke, _colour), label in entries:
        canvas.rect(x, top + 2, 22, 14, fill, stroke, rx=3)
        canvas.text(x + 30, top + 14, label, size=12, colour="#374151", anchor="start")
        x += 30 + _width(label, 12) + 24
    canvas.line(x, top + 9, x + 34, top + 9, EDGE_COLOUR, width=1.6, marker="arrow")
    canvas.text(x + 42, top + 14, _("人员操作"), size=12, colour="#374151", anchor="start")
    x += 42 + _width(_("人员操作"), 12) + 24
    canvas.line(
        x, top + 9, x + 34, top + 9, SYSTEM_COLOUR, width=1.6, dash="6 4", marker="arrow-system"
    )
    canvas.text(x + 42, top + 14, _("系统自动"), size=12, colour="#374151", anchor="start")
    return top + 24


def _marker(name: str, colour: str) -> str:
    return (
        f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        f'markerHeight="8" orient="auto" markerUnits="userSpaceOnUse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
    )
