"""The chart of any workflow table (`bangban.kernel.workflow.Workflow`, decision 0042), never drawn from
a copy: a change to a table shows on its page, in its SVG and in the table beside them. The ledger's
(附件2 工作流程图) is `bangban.cases.chart`; the next workflows draw theirs the same way.

`build_chart(table, …)` gathers the table's transitions into arrows between two states (each labelled
with its actions and who may perform them). An action that keeps the state (a progress note, an
extension, a transfer…) is not drawn as a loop: it is listed in a panel under the chart with the
states it may be taken in.

`lay_out()` places the states, arrows and labels with the layered layout of `bangban.kernel.layout`
(left to right from the start, back edges such as 恢复 drawn against the flow, no label on a state
or on another label), whatever the table holds. `to_svg` draws it as a standalone SVG 1.1 document
with our own code (no external binaries), for download, print, Word and WPS; `to_svg_element` draws
the same diagram for a page (such as `templates/cases/workflow.html`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from bangban.kernel.layout import Edge, Layout, layered, text_width
from bangban.kernel.svg import Canvas
from bangban.kernel.workflow import Transition, Workflow

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
    closed: bool
    #: A successful end (办结), drawn apart from the other ends.
    done: bool = False

    @property
    def colours(self) -> tuple[str, str, str]:
        if self.done:
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
    #: The state a thing starts in (a case: registration creates it there), drawn from a start dot.
    start: str | None = None
    start_label: str = ""
    #: Under the SVG's title (where the chart comes from).
    subtitle: str = ""
    #: The page's drawing's accessible name (default: the title).
    description: str = ""
    #: The heading of the panel of the actions that keep the state.
    keeping_title: str = ""
    #: A line under the SVG's legend.
    note: str = ""


def _actors(table: Workflow, transition: Transition) -> list[str]:
    return [str(actor.label) for actor in table.actors if actor in transition.actors]


def _sources(table: Workflow, transition: Transition) -> list:
    return [state for state in table.states if state in transition.sources]


def build_chart(
    table: Workflow,
    *,
    title: str,
    subtitle: str = "",
    description: str = "",
    keeping_title: str = "",
    note: str = "",
) -> WorkflowChart:
    """The chart of `table` as it is now, with the words the domain gives it. The table's states
    and actors are enums (a `value` and a `label`), drawn in their order."""
    nodes = [
        Node(state.value, str(state.label), state in table.closed, state in table.done)
        for state in table.states
    ]
    arrows: dict[tuple[str, str], Arrow] = {}
    rows: list[Row] = []
    keeping: list[Row] = []
    for transition in table.transitions:
        actors = _actors(table, transition)
        sources = _sources(table, transition)
        target = table.states(transition.target) if transition.target is not None else None
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
            bool(transition.actors) and transition.actors <= table.system,
        )
        for source in sources:
            if target is None or source == target:
                continue
            arrows.setdefault((source.value, target.value), Arrow(source.value, target.value))
            arrows[(source.value, target.value)].steps.append(step)
    return WorkflowChart(
        title=title,
        nodes=nodes,
        arrows=list(arrows.values()),
        rows=rows,
        keeping=keeping,
        start=table.start.value if table.start is not None else None,
        start_label=str(table.start_label),
        subtitle=subtitle,
        description=description,
        keeping_title=keeping_title,
        note=note,
    )


# --- Geometry, shared by the page and the SVG -----------------------------------------------------

MARGIN = 32
BOX_H = 60
BOX_MIN_W = 120
NODE_SIZE = 16
LABEL_SIZE = 12
LABEL_LEAD = 15
ACTOR_SIZE = 11
ACTORS_W = 120  # the actors of a label wrap at this width
START = "__start__"  # the start dot's name in the layout
START_R = 9


_width = text_width


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


@dataclass
class _Label:
    lines: list[tuple[str, int, str]]  # (text, size, weight)
    w: float
    h: float


def _label(lines: list[tuple[str, int, str]]) -> _Label:
    w = max(_width(text, size) for text, size, _w in lines) + 10
    return _Label(lines, w, len(lines) * LABEL_LEAD + 6)


def _arrow_label(arrow: Arrow) -> _Label:
    lines: list[tuple[str, int, str]] = []
    for step in arrow.steps:
        lines.append((step.label, LABEL_SIZE + 1, "bold"))
        for part in _wrap("、".join(step.actors), ACTOR_SIZE, ACTORS_W):
            lines.append((part, ACTOR_SIZE, "normal"))
    return _label(lines)


def box_width(label: str) -> float:
    """A state's box: its name with room either side, and no narrower than `BOX_MIN_W`."""
    return max(BOX_MIN_W, _width(label, NODE_SIZE) + 36)


def _start_size() -> tuple[float, float]:
    return _width(_("开始"), LABEL_SIZE) + 6 + 2 * START_R, 2 * START_R


def lay_out(chart: WorkflowChart) -> tuple[Layout, list[_Label]]:
    """Where the start, the states, the arrows and their labels go (from (0, 0)), and the labels
    (the start's first when there is a start, then the arrows' in order)."""
    sizes: dict[str, tuple[float, float]] = {}
    edges: list[Edge] = []
    labels: list[_Label] = []
    if chart.start:
        sizes[START] = _start_size()
        labels.append(_label([(chart.start_label, LABEL_SIZE + 1, "bold")]))
        edges.append(Edge(START, chart.start, (labels[-1].w, labels[-1].h)))
    sizes.update({node.state: (box_width(node.label), BOX_H) for node in chart.nodes})
    for arrow in chart.arrows:
        labels.append(_arrow_label(arrow))
        edges.append(Edge(arrow.source, arrow.target, (labels[-1].w, labels[-1].h)))
    layout = layered(sizes, edges, direction="LR", layer_gap=30, node_gap=18, edge_gap=12)
    return layout, labels


# --- SVG -------------------------------------------------------------------------------------------


def _draw_diagram(canvas: Canvas, chart: WorkflowChart, layout: Layout, labels: list[_Label]):
    """The start, the arrows, the states and the labels (over the lines, on white)."""
    arrows: list[Arrow | None] = [None] if chart.start else []
    arrows += chart.arrows
    for route, arrow in zip(layout.routes, arrows, strict=True):
        system = arrow is not None and arrow.system_only
        canvas.polyline(
            route.points,
            SYSTEM_COLOUR if system else EDGE_COLOUR,
            dash="6 4" if system else None,
            width=1.6,
            marker="arrow-system" if system else "arrow",
        )
    if chart.start:
        box = layout.nodes[START]
        canvas.circle(box.right - START_R, box.cy, START_R, "#1d4a8f")
        canvas.text(box.x, box.cy + 4, _("开始"), size=LABEL_SIZE, colour="#374151", anchor="start")
    for node in chart.nodes:
        box = layout.nodes[node.state]
        fill, stroke, colour = node.colours
        canvas.rect(box.x, box.y, box.w, box.h, fill, stroke, rx=8, width=1.8)
        canvas.text(box.cx, box.cy + 6, node.label, size=NODE_SIZE, colour=colour, weight="bold")
    for route, label in zip(layout.routes, labels, strict=True):
        box = route.label
        canvas.rect(box.x, box.y, box.w, box.h, "#ffffff", "#d0d7e2", rx=3)
        y = box.y + 3
        for text, size, weight in label.lines:
            canvas.text(
                box.cx, y + LABEL_LEAD * 0.78, text, size=size, colour="#1f2937", weight=weight
            )
            y += LABEL_LEAD


def _defs() -> str:
    return _marker("arrow", EDGE_COLOUR) + _marker("arrow-system", SYSTEM_COLOUR)


def to_svg(chart: WorkflowChart) -> str:
    """A standalone SVG 1.1 document of the chart."""
    canvas = Canvas()
    layout, labels = lay_out(chart)
    width = max(layout.width, _legend_width()) + 2 * MARGIN
    top = MARGIN + 24 + 10 + 30 + 10
    # The diagram centred under the title.
    layout = layout.moved((width - layout.width) / 2, top)

    canvas.text(width / 2, MARGIN + 24, chart.title, size=24, colour="#111827", weight="bold")
    if chart.subtitle:
        canvas.text(width / 2, MARGIN + 24 + 24, chart.subtitle, size=12, colour="#6b7280")
    _draw_diagram(canvas, chart, layout, labels)
    y = _keeping_panel(canvas, chart, top + layout.height + 36, width)
    y, _right = _legend(canvas, y + 14)
    if chart.note:
        canvas.text(MARGIN, y + 18, chart.note, size=12, colour="#374151", anchor="start")
    return canvas.document(width, y + 18 + MARGIN, chart.title, _defs())


def to_svg_element(chart: WorkflowChart) -> str:
    """The diagram and its legend as an `<svg>` element for the page (it scales to the page's
    width; the page's table has the rest)."""
    canvas = Canvas()
    layout, labels = lay_out(chart)
    margin = 16
    width = max(layout.width, _legend_width()) + 2 * margin
    layout = layout.moved((width - layout.width) / 2, margin)
    _draw_diagram(canvas, chart, layout, labels)
    bottom, _right = _legend(canvas, margin + layout.height + 24, left=margin)
    return mark_safe(  # noqa: S308 - our own drawing; every text is escaped by Canvas
        canvas.element(
            width,
            bottom + margin,
            chart.description or chart.title,
            _defs(),
            attrs=' class="workflow-chart d-block"',  # its size: site.css (no style="", decision 0044)
        )
    )


def _keeping_panel(canvas: Canvas, chart: WorkflowChart, top: float, width: float) -> float:
    """The actions that keep the state, as a small table: action, in which states, who."""
    if not chart.keeping:
        return top
    if chart.keeping_title:
        canvas.text(
            MARGIN,
            top,
            chart.keeping_title,
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


def _legend_width() -> float:
    """How wide the legend is drawn (a chart is at least as wide)."""
    return _legend(Canvas(), 0, left=0)[1]


def _legend(canvas: Canvas, top: float, *, left: float = MARGIN) -> tuple[float, float]:
    """Draws the legend in a row from (`left`, `top`); returns its bottom and its right end."""
    x = left
    legend = _("图例：")
    canvas.text(x, top + 13, legend, size=13, colour="#374151", weight="bold", anchor="start")
    x += _width(legend, 13) + 13
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
    return top + 24, x + 42 + _width(_("系统自动"), 12)


def _marker(name: str, colour: str) -> str:
    return (
        f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        f'markerHeight="8" orient="auto" markerUnits="userSpaceOnUse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
    )


def chart_views(build, *, template: str, filename: str):
    """The two views of a table's chart — the page (`template`, given the chart and its drawing
    inline) and the SVG download (`filename`) — for any logged-in user, from `build()` (the chart
    of the table as it is now)."""
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.shortcuts import render
    from django.views.decorators.http import require_safe

    @login_required
    @require_safe
    def chart(request):
        drawn = build()
        return render(request, template, {"chart": drawn, "svg": to_svg_element(drawn)})

    @login_required
    @require_safe
    def chart_svg(request):
        response = HttpResponse(to_svg(build()), content_type="image/svg+xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    return chart, chart_svg
