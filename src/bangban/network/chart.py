"""The architecture chart (附件1 体系架构图) of the live network, drawn from the data.

One level at a time, so that a county of 468 villages stays readable: a point, the points directly
below it that the user may see (the gate: `access.points_for(user, "view")`), and for each of those a
count of the points below it by kind and whether there is anything to drill into. For a county centre
the children are grouped into the three levels of the system (县级 / 镇（街道）级 / 村（社区）级), the
village level summarised by counts under each town.

`build_chart` reads the data in a fixed number of queries whatever the number of children;
`to_echarts` turns the result into an ECharts `tree` option for the page; `to_svg` draws it as a
standalone SVG 1.1 file with our own code (no external binaries), for download, print, Word and WPS
(the drawing is `network.chart_svg`).

The page (`templates/network/chart.html`) expects the context of `chart_context(root, user)`:
`root` (the point), `chart` (its `ChartNode`) and `option` (the ECharts option).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

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


def to_svg(node: ChartNode) -> str:
    """The chart as a standalone SVG file (drawn by `network.chart_svg`)."""
    from .chart_svg import to_svg as draw

    return draw(node)
