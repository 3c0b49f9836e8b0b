"""The architecture chart (附件1 体系架构图) of the live network, drawn from the data.

One level at a time, so that a county of 468 villages stays readable: a point, the points directly
below it that the user may see (the gate: `access.points_for(user, "view")`), and for each of those a
count of the points below it by kind and whether there is anything to drill into. For a county centre
the children are grouped into the three levels of the system (县级 / 镇（街道）级 / 村（社区）级), the
village level summarised by counts under each town.

`build_chart` reads the data in a fixed number of queries whatever the number of children;
`to_echarts` turns the result into an ECharts `tree` option for the page; `to_svg` draws it as a
standalone SVG 1.1 file with our own code (no external binaries), for download, print, Word and WPS.

The page (`templates/network/chart.html`) expects the context of `chart_context(root, user)`:
`root` (the point), `chart` (its `ChartNode`) and `option` (the ECharts option).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bangban.kernel.svg import Canvas

from . import access
from .models import Region, ServicePoint

Kind = ServicePoint.Kind

#: The order in which kinds are shown (the system's own order: county level, then towns, then villages).
KIND_ORDER = {
    Kind.COUNTY_CENTRE: 0,
    Kind.DEDICATED_ZONE: 1,
    Kind.DOMAIN_SUBZONE: 2,
    Kind.DEPARTMENT_WINDOW: 3,
    Kind.TOWN_CENTRE: 4,
    Kind.VILLAGE_STATION: 5,
    Kind.PARTNER_STATION: 6,
}

#: The kind of the grouping nodes (the three levels) a county centre's chart holds.
LEVEL = "level"
COUNTY_LEVEL, TOWN_LEVEL, VILLAGE_LEVEL = "county_level", "town_level", "village_level"


def _count_text(kind: str, count: int) -> str:
    texts = {
        Kind.DEDICATED_ZONE: _("%(count)d 个帮办代办专区"),
        Kind.DOMAIN_SUBZONE: _("%(count)d 个帮办代办分区"),
        Kind.DEPARTMENT_WINDOW: _("%(count)d 个部门窗口"),
        Kind.TOWN_CENTRE: _("%(count)d 个镇（街道）便民服务中心"),
        Kind.VILLAGE_STATION: _("%(count)d 个村（社区）便民服务站"),
        Kind.PARTNER_STATION: _("%(count)d 个合作网点"),
    }
    return texts.get(kind, _("%(count)d 个服务点")) % {"count": count}


@dataclass
class ChartNode:
    """One box of the chart: a service point, or (id None) one of the three levels grouping them."""

    id: int | None
    name: str
    kind: str
    kind_label: str
    #: "38 个村（社区）便民服务站 · 2 个合作网点": the points below, by kind ("" when none).
    summary: str = ""
    #: The same counts as (kind, count) pairs, in the system's order.
    counts: list[tuple[str, int]] = field(default_factory=list)
    #: Whether there are points below to drill into.
    has_children: bool = False
    #: The chart of this point (None for the level groups, or before the page is routed).
    url: str | None = None
    children: list[ChartNode] = field(default_factory=list)
    #: Only on the root: the chart one level up, when the user may see it.
    parent_url: str | None = None
    #: Only on the root: the chart's title.
    title: str = ""
    #: Only on the level groups: which level ("county_level", "town_level", "village_level").
    level: str = ""

    @property
    def total(self) -> int:
        return sum(count for _kind, count in self.counts)

    @property
    def is_level(self) -> bool:
        return self.kind == LEVEL


def chart_url(pk: int) -> str | None:
    try:
        return reverse("network:chart", args=[pk])
    except NoReverseMatch:
        return None


def _summary(counts: list[tuple[str, int]]) -> str:
    return " · ".join(_count_text(kind, count) for kind, count in counts if count)


def _sorted_counts(by_kind: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(
        ((k, n) for k, n in by_kind.items() if n), key=lambda item: KIND_ORDER.get(item[0], 99)
    )


def _node(point: ServicePoint, by_kind: dict[str, int]) -> ChartNode:
    counts = _sorted_counts(by_kind)
    return ChartNode(
        id=point.pk,
        name=point.name,
        kind=point.kind,
        kind_label=str(Kind(point.kind).label),
        summary=_summary(counts),
        counts=counts,
        has_children=bool(counts),
        url=chart_url(point.pk),
    )


def _sort_key(point: ServicePoint):
    return (
        KIND_ORDER.get(point.kind, 99),
        point.domain.position if point.domain_id else 0,
        point.region.code if point.kind in (Kind.TOWN_CENTRE, Kind.VILLAGE_STATION) else "",
        point.name,
        point.pk,
    )


def build_chart(root: ServicePoint, user) -> ChartNode:
    """The chart of `root`, one level deep, as `user` may see it (a fixed number of queries)."""
    visible = access.points_for(user, "view").filter(active=True)
    children = sorted(
        visible.filter(parent_id=root.pk).select_related("domain", "region"), key=_sort_key
    )
    # The points below each child, counted by kind in one grouped query. The network has three
    # levels, so what lies below a child of `root` is its own children.
    below: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        visible.filter(parent__parent_id=root.pk)
        .order_by()
        .values("parent_id", "kind")
        .annotate(n=Count("id"))
    )
    for row in rows:
        below[row["parent_id"]][row["kind"]] = row["n"]

    nodes = [_node(child, below.get(child.pk, {})) for child in children]
    own: dict[str, int] = defaultdict(int)
    for child in children:
        own[child.kind] += 1
    chart = _node(root, own)

    if root.parent_id and access.points_for(user, "view").filter(pk=root.parent_id).exists():
        chart.parent_url = chart_url(root.parent_id)
    if root.kind == Kind.COUNTY_CENTRE:
        chart.title = _("%(county)s政务服务三级帮办代办体系架构图") % {
            "county": Region.objects.only("name").get(pk=root.county_id).name
        }
        chart.children = _levels(nodes)
    else:
        chart.title = root.name
        chart.children = nodes
    return chart


def _levels(nodes: list[ChartNode]) -> list[ChartNode]:
    """Group a county centre's children into the three levels of the system."""
    county = [n for n in nodes if n.kind != Kind.TOWN_CENTRE]
    towns = [n for n in nodes if n.kind == Kind.TOWN_CENTRE]
    levels = []
    if county:
        counts = defaultdict(int)
        for n in county:
            counts[n.kind] += 1
        levels.append(_level(COUNTY_LEVEL, _("县级"), _("县政务服务中心"), counts, county))
    if towns:
        levels.append(
            _level(
                TOWN_LEVEL,
                _("镇（街道）级"),
                _("镇（街道）便民服务中心"),
                {Kind.TOWN_CENTRE: len(towns)},
                towns,
            )
        )
        below = defaultdict(int)
        for town in towns:
            for kind, count in town.counts:
                below[kind] += count
        if below:
            # The village level is summarised by counts under each town: the level carries the
            # totals, and each town its own (see `to_svg`).
            levels.append(
                _level(VILLAGE_LEVEL, _("村（社区）级"), _("村（社区）便民服务站"), below, [])
            )
    return levels


def _level(code: str, name: str, label: str, by_kind, children) -> ChartNode:
    counts = _sorted_counts(dict(by_kind))
    node = ChartNode(
        id=None,
        name=name,
        kind=LEVEL,
        kind_label=label,
        summary=_summary(counts),
        counts=counts,
        has_children=bool(children),
        children=children,
        level=code,
    )
    return node


def chart_context(root: ServicePoint, user) -> dict:
    """What `network/chart.html` needs."""
    chart = build_chart(root, user)
    return {"root": root, "chart": chart, "option": to_echarts(chart)}


# --- ECharts ---------------------------------------------------------------------------------------

#: (fill, stroke, text colour) of each kind's boxes, shared by the page and the SVG.
COLOURS: dict[str, tuple[str, str, str]] = {
    Kind.COUNTY_CENTRE: ("#1d4a8f", "#143a73", "#ffffff"),
    Kind.DEDICATED_ZONE: ("#b4252d", "#8f1b22", "#ffffff"),
    Kind.DOMAIN_SUBZONE: ("#e9f1fc", "#2f6cc0", "#16325c"),
    Kind.DEPARTMENT_WINDOW: ("#f2f4f7", "#6b7686", "#2b3340"),
    Kind.TOWN_CENTRE: ("#e6f4ea", "#2e7d4f", "#17402a"),
    Kind.VILLAGE_STATION: ("#fff6e5", "#c9861a", "#5c3b05"),
    Kind.PARTNER_STATION: ("#f3ecfa", "#7a4fb3", "#3b2461"),
    LEVEL: ("#ffffff", "#9aa8bd", "#1d4a8f"),
}


def _echarts_item(node: ChartNode) -> dict:
    fill, stroke, _text = COLOURS.get(node.kind, COLOURS[LEVEL])
    item: dict = {
        "name": node.name,
        "value": node.summary,
        "id": str(node.id) if node.id is not None else f"level-{node.level}",
        "kind": node.kind,
        "kindLabel": node.kind_label,
        "url": node.url,
        "hasChildren": node.has_children,
        "itemStyle": {"color": stroke if node.is_level else fill, "borderColor": stroke},
    }
    if node.summary and not node.children:
        # A leaf with points below it (a town under the county): its counts under its name.
        item["label"] = {"formatter": "{b}\n{c}", "lineHeight": 17}
    children = [c for c in node.children if c.children or not c.is_level]
    if children:
        item["children"] = [_echarts_item(child) for child in children]
    return item


def _leaves(node: ChartNode) -> list[ChartNode]:
    children = [c for c in node.children if c.children or not c.is_level]
    return [leaf for c in children for leaf in _leaves(c)] if children else [node]


def to_echarts(node: ChartNode) -> dict:
    """An ECharts option (JSON-serialisable) drawing `node` as a left-to-right tree. Each data item
    carries `url`: the page navigates there on click. The village level, summarised by counts under
    each town, shows as those counts."""
    leaves = _leaves(node)
    return {
        "title": {"text": node.title or node.name, "show": False},
        "tooltip": {"trigger": "item", "triggerOn": "mousemove", "confine": True},
        "series": [
            {
                "type": "tree",
                "data": [_echarts_item(node)],
                "orient": "LR",
                "top": 16,
                "bottom": 16,
                "left": 170,
                "right": 300,
                "roam": False,
                "symbol": "circle",
                "symbolSize": 11,
                "initialTreeDepth": -1,
                "expandAndCollapse": False,
                "animationDuration": 300,
                "lineStyle": {"color": "#9aa8bd", "width": 1.2, "curveness": 0.5},
                "label": {
                    "position": "left",
                    "verticalAlign": "middle",
                    "align": "right",
                    "fontSize": 14,
                    "color": "#1f2937",
                },
                "leaves": {
                    "label": {"position": "right", "verticalAlign": "middle", "align": "left"}
                },
                "emphasis": {"focus": "descendant"},
            }
        ],
        # Not an ECharts key: the page sizes the chart's height from it.
        "bangbanLeaves": len(leaves),
        "bangbanLeafHeight": 40 if any(leaf.summary for leaf in leaves) else 26,
    }


# --- SVG -------------------------------------------------------------------------------------------

MARGIN = 32
BOX_W = 136
GAP_X = 14
PITCH = BOX_W + GAP_X
NAME_SIZE = 13
NAME_LEAD = 17
SUMMARY_SIZE = 12
SUMMARY_LEAD = 15
PAD_Y = 9
ROW_GAP = 30  # the space above each row, where its bus runs
STRIP_W = 34  # the vertical label of a level band
SPINE_DX = 14  # the spine runs this far right of the strip
PER_ROW = 12
#: Where a long label prefers to break: before these words, or after a closing bracket.
PREFERRED_BREAKS = ("便民服务", "帮办代办")
BREAK_BEFORE = ("服务中心", "服务站", "政务服务", "合作网点", "窗口", "分区", "专区")


def _width(text: str, size: float) -> float:
    """An estimate of the drawn width: CJK and full-width characters one em, the rest narrower."""
    total = 0.0
    for char in text:
        if ord(char) >= 0x2E80 or char in "（）":
            total += 1.0
        elif char == " ":
            total += 0.3
        else:
            total += 0.58
    return total * size


def _split(text: str, size: float, width: float, *, tidy: bool = False) -> list[str]:
    """Break `text` into lines no wider than `width`, at a natural place when there is one. With
    `tidy`, a name is broken before its kind ("鲁村镇" / "便民服务中心") even when it would fit, so that
    the boxes of a row read alike."""
    if len(text) < 2:
        return [text]
    if tidy:
        for word in PREFERRED_BREAKS:
            cut = text.find(word, 2)
            if cut > 0 and _width(text[:cut], size) <= width:
                return [text[:cut], *_split(text[cut:], size, width)]
    if _width(text, size) <= width:
        return [text]
    candidates: dict[int, int] = {}
    for rank, word in enumerate((*PREFERRED_BREAKS, *BREAK_BEFORE)):
        start = text.find(word, 1)
        while start > 0:
            candidates.setdefault(start, rank)
            start = text.find(word, start + 1)
    for i, char in enumerate(text[:-1]):
        if char in "）)·、 ":
            candidates.setdefault(i + 1, len(PREFERRED_BREAKS) + len(BREAK_BEFORE))
    fitting = [i for i in candidates if _width(text[:i].rstrip(), size) <= width]
    if fitting:
        # The most telling break whose head fits (the latest of equals); the tail breaks again.
        cut = min(fitting, key=lambda i: (candidates[i], -i))
    else:
        cut = 1
        while cut < len(text) and _width(text[: cut + 1], size) <= width:
            cut += 1
    head, tail = text[:cut].rstrip(), text[cut:].lstrip()
    return [head, *_split(tail, size, width)] if tail else [head]


def _lines(text: str, size: float, width: float, limit: int, *, tidy: bool = False) -> list[str]:
    lines: list[str] = []
    for part in text.split(" · ") if text else []:
        lines.extend(_split(part, size, width, tidy=tidy))
    if len(lines) > limit:
        lines = lines[:limit]
        lines[-1] = lines[-1][: max(1, len(lines[-1]) - 1)] + "…"
    return lines


@dataclass
class _Box:
    node: ChartNode
    x: float
    y: float
    w: float
    h: float
    name_lines: list[str]
    summary_lines: list[str]
    kind: str


def _box_height(name_lines, summary_lines) -> float:
    height = 2 * PAD_Y + len(name_lines) * NAME_LEAD
    if summary_lines:
        height += 4 + len(summary_lines) * SUMMARY_LEAD
    return height


def _draw_box(canvas: Canvas, box: _Box, *, strong=False):
    fill, stroke, colour = COLOURS.get(box.kind, COLOURS[LEVEL])
    canvas.rect(box.x, box.y, box.w, box.h, fill, stroke, width=1.6 if strong else 1.2)
    content = len(box.name_lines) * NAME_LEAD
    if box.summary_lines:
        content += 4 + len(box.summary_lines) * SUMMARY_LEAD
    y = box.y + (box.h - content) / 2
    cx = box.x + box.w / 2
    size = NAME_SIZE + (3 if strong else 0)
    for line in box.name_lines:
        canvas.text(cx, y + NAME_LEAD * 0.72, line, size=size, colour=colour, weight="bold")
        y += NAME_LEAD
    if box.summary_lines:
        y += 4
        for line in box.summary_lines:
            canvas.text(cx, y + SUMMARY_LEAD * 0.72, line, size=SUMMARY_SIZE, colour=colour)
            y += SUMMARY_LEAD


def _rows(nodes: list[ChartNode], per_row: int) -> list[list[ChartNode]]:
    """Children in rows: each kind starts a new row, and long runs wrap."""
    rows: list[list[ChartNode]] = []
    kind = None
    for node in nodes:
        if node.kind != kind or len(rows[-1]) >= per_row:
            rows.append([])
            kind = node.kind
        rows[-1].append(node)
    return rows


def _vertical_height(text: str) -> int:
    return 17 * len(text.replace(" ", ""))


def _vertical(canvas: Canvas, x, y, h, text, colour):
    """A level's name written top to bottom (Chinese brackets in their vertical forms)."""
    chars = [{"（": "︵", "）": "︶", "(": "︵", ")": "︶"}.get(c, c) for c in text if c != " "]
    step = 17
    top = y + (h - len(chars) * step) / 2
    for i, char in enumerate(chars):
        canvas.text(x, top + i * step + 13, char, size=14, colour=colour, weight="bold")


def to_svg(node: ChartNode) -> str:
    """A standalone SVG 1.1 document of the chart of `node` (as made by `build_chart`)."""
    canvas = Canvas()
    grouped = any(child.is_level for child in node.children)
    sections: list[tuple[ChartNode | None, list[list[ChartNode]]]]
    towns_row: list[ChartNode] = []
    village_level = None
    if grouped:
        sections = []
        for level in node.children:
            code = level.level
            if code == VILLAGE_LEVEL:
                village_level = level
                continue
            per_row = PER_ROW
            if code == TOWN_LEVEL and len(level.children) <= 16:
                per_row = max(PER_ROW, len(level.children))
            rows = _rows(level.children, per_row)
            if code == TOWN_LEVEL:
                towns_row = level.children if len(rows) == 1 else []
            sections.append((level, rows))
    else:
        sections = [(None, _rows(node.children, PER_ROW))] if node.children else []

    widest = max((len(row) for _level, rows in sections for row in rows), default=1)
    left = MARGIN + (STRIP_W + 2 * SPINE_DX if grouped else SPINE_DX * 2)
    content_w = max(widest * PITCH - GAP_X, 3 * BOX_W)
    width = left + content_w + MARGIN

    title = node.title or node.name
    y = MARGIN
    title_size = 24
    canvas.text(width / 2, y + title_size, title, size=title_size, colour="#111827", weight="bold")
    y += title_size + 10
    stamp = _("数据截至 %(date)s") % {"date": timezone.localdate().isoformat()}
    if not grouped:
        stamp = _("帮办代办体系架构图 · %(stamp)s") % {"stamp": stamp}
    canvas.text(width / 2, y + 12, stamp, size=12, colour="#6b7280")
    y += 30

    # The root.
    root_w = max(BOX_W * 2, min(_width(node.name, NAME_SIZE + 3) + 40, content_w))
    root_names = _lines(node.name, NAME_SIZE + 3, root_w - 20, 2)
    root_summary = _lines(node.summary, SUMMARY_SIZE, root_w - 20, 4)
    root_h = _box_height(root_names, root_summary) + 4
    root_x = left + (content_w - root_w) / 2
    root = _Box(node, root_x, y, root_w, root_h, root_names, root_summary, node.kind)
    _draw_box(canvas, root, strong=True)
    y += root_h

    spine_x = left - SPINE_DX
    trunk_top = y
    y += 18
    last_bus = None
    for level, rows in sections:
        section_top = y
        boxes_rows: list[list[_Box]] = []
        # Towns carry the counts of their stations in a box of their own below them.
        stacked = level is not None and level.level == TOWN_LEVEL
        y += 10 if level is not None else 0
        texts = [
            [
                (
                    _lines(n.name, NAME_SIZE, BOX_W - 14, 3, tidy=True),
                    [] if stacked else _lines(n.summary, SUMMARY_SIZE, BOX_W - 14, 4),
                )
                for n in row
            ]
            for row in rows
        ]
        # One height for every box of a level, so that its rows line up.
        h = max((_box_height(n, s) for row in texts for n, s in row), default=0)
        for row, row_texts in zip(rows, texts, strict=True):
            y += ROW_GAP
            name_lines = [n for n, _s in row_texts]
            summaries = [s for _n, s in row_texts]
            boxes = [
                _Box(n, left + i * PITCH, y, BOX_W, h, nl, sl, n.kind)
                for i, (n, nl, sl) in enumerate(zip(row, name_lines, summaries, strict=True))
            ]
            boxes_rows.append(boxes)
            y += h
            if stacked and not towns_row:  # towns wrap: each town's counts sit right under it
                y += _draw_counts_row(canvas, boxes, y, draw=False)
        section_bottom = y + 12
        if level is not None:
            section_bottom = max(section_bottom, section_top + _vertical_height(level.name) + 16)
            _band(canvas, level, section_top, section_bottom, width)
        for boxes in boxes_rows:
            bus = boxes[0].y - ROW_GAP / 2
            canvas.line(spine_x, bus, boxes[-1].x + BOX_W / 2, bus)
            for box in boxes:
                canvas.line(box.x + BOX_W / 2, bus, box.x + BOX_W / 2, box.y)
                _draw_box(canvas, box)
            last_bus = bus
            if stacked and not towns_row:
                _draw_counts_row(canvas, boxes, boxes[0].y + boxes[0].h, draw=True)
        y = section_bottom + 16
        if level is not None and towns_row and level.level == TOWN_LEVEL:
            town_boxes = boxes_rows[0]
            y = _village_band(canvas, village_level, town_boxes, y, width)

    if last_bus is not None:
        canvas.line(root_x + root_w / 2, trunk_top, root_x + root_w / 2, trunk_top + 10)
        canvas.line(spine_x, trunk_top + 10, root_x + root_w / 2, trunk_top + 10)
        canvas.line(spine_x, trunk_top + 10, spine_x, last_bus)
    elif not node.children:
        canvas.text(width / 2, y + 20, _("（下级无服务点）"), size=13, colour="#6b7280")
        y += 40

    y = _legend(canvas, node, y + 8, width)
    height = y + MARGIN
    return canvas.document(width, height, title)


def _counts_lines(node: ChartNode) -> list[str]:
    return _lines(node.summary, SUMMARY_SIZE, BOX_W - 14, 5) or [_("暂无下级服务点")]


def _draw_counts_row(canvas: Canvas, boxes: list[_Box], top: float, *, draw: bool) -> float:
    """Under each town, a box with the counts of its stations. Returns the height used."""
    h = max(
        2 * PAD_Y + len(_counts_lines(b.node)) * SUMMARY_LEAD + 2 for b in boxes
    )  # uniform height
    if draw:
        for box in boxes:
            cx = box.x + BOX_W / 2
            canvas.line(cx, top, cx, top + 18)
            _draw_summary_box(canvas, box.node, box.x, top + 18, h)
    return h + 18


def _draw_summary_box(canvas: Canvas, node: ChartNode, x, y, h):
    fill, stroke, colour = COLOURS[Kind.VILLAGE_STATION]
    canvas.rect(x, y, BOX_W, h, fill, stroke, dash="4 3" if not node.counts else None)
    lines = _counts_lines(node)
    top = y + (h - len(lines) * SUMMARY_LEAD) / 2
    for i, line in enumerate(lines):
        canvas.text(
            x + BOX_W / 2,
            top + i * SUMMARY_LEAD + SUMMARY_LEAD * 0.72,
            line,
            size=12,
            colour=colour,
        )


def _band(canvas: Canvas, level: ChartNode, top, bottom, width):
    """A level's frame with its name in a strip on the left (drawn before what it holds)."""
    _fill, stroke, _colour = COLOURS[LEVEL]
    canvas.rect(
        MARGIN, top, width - 2 * MARGIN, bottom - top, "#f6f8fb", stroke, rx=6, width=1, dash="6 4"
    )
    canvas.rect(MARGIN, top, STRIP_W, bottom - top, COLOURS[Kind.COUNTY_CENTRE][0], "none", rx=6)
    _vertical(canvas, MARGIN + STRIP_W / 2, top, bottom - top, level.name, "#ffffff")


def _village_band(canvas: Canvas, level, town_boxes: list[_Box], top, width) -> float:
    """The village level under a county: under each town, the counts of its stations."""
    h = _draw_counts_row(canvas, town_boxes, 0, draw=False) - 18
    band_top, boxes_top = top, top + 22
    bottom = boxes_top + h + 14
    if level is not None:
        bottom = max(bottom, band_top + _vertical_height(level.name) + 16)
    if level is not None:
        _band(canvas, level, band_top, bottom, width)
    for box in town_boxes:
        cx = box.x + BOX_W / 2
        canvas.line(cx, box.y + box.h, cx, boxes_top, colour="#c9861a")
        _draw_summary_box(canvas, box.node, box.x, boxes_top, h)
    return bottom + 16


def _legend(canvas: Canvas, node: ChartNode, top, width) -> float:
    kinds = [node.kind]
    stack = list(node.children)
    summarised = False
    while stack:
        child = stack.pop(0)
        if child.is_level:
            stack[0:0] = child.children
            summarised = summarised or child.level == VILLAGE_LEVEL
        elif child.kind not in kinds:
            kinds.append(child.kind)
    kinds.sort(key=lambda k: KIND_ORDER.get(k, 99))
    entries = [(COLOURS[k], Kind(k).label, None) for k in kinds]
    if summarised:
        entries.append(
            (COLOURS[Kind.VILLAGE_STATION], _("村（社区）便民服务站及合作网点（数量）"), "4 3")
        )
    x = MARGIN
    canvas.text(x, top + 13, _("图例："), size=13, colour="#374151", weight="bold", anchor="start")
    x += 52
    y = top
    for (fill, stroke, _colour), label, dash in entries:
        item_w = 22 + 8 + _width(label, 12) + 24
        if x + item_w > width - MARGIN:
            x = MARGIN + 52
            y += 24
        canvas.rect(x, y + 2, 22, 14, fill, stroke, rx=2, dash=dash)
        canvas.text(x + 30, y + 14, label, size=12, colour="#374151", anchor="start")
        x += item_w
    return y + 24
