"""A layered drawing of a directed graph (Sugiyama's method) in pure Python, for the charts drawn
from a table (the workflow chart, `cases.chart`; the next workflows' charts too): boxes of given
sizes, edges with labels of given sizes, and no two of them on top of each other.

`layered()` runs the method's steps:

1. **Cycles**: a depth-first search from the sources, in the order given, reverses each edge that
   leads back to a box still on its path (a back edge); it is laid out forwards and drawn backwards.
2. **Layers**: the longest path from the sources, every edge at least two layers long, so that each
   box sits on an even layer and each edge crosses an odd one between: an edge's label is a box of
   its own on the odd layer nearest its middle (as Graphviz's dot does), and is placed like a box.
3. **Dummies**: an edge across several layers gets a point on each one it crosses.
4. **Order**: barycentre sweeps down and up the layers; the order with the fewest crossings is kept.
5. **Coordinates**: across the layers, each item as close as it can be to the mean of its neighbours
   with the layer's order and gaps kept (an isotonic regression, pool-adjacent-violators); along
   them, each layer a band as deep as its deepest item.
6. **Routes**: an edge leaves its box on the far side and enters the next on the near side, ports
   spread along the side in the order of the edges' next points; through each band it crosses it
   runs straight along the layer axis at its own point (through its label), and goes across only
   in the empty gaps between bands. So no edge crosses a box or another edge's label.

Direction "LR" lays the layers left to right, "TB" top to bottom. Loops (an edge from a box to
itself) are refused: a chart lists them beside the drawing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

Point = tuple[float, float]


def text_width(text: str, size: float) -> float:
    """An estimate of the drawn width of `text` at font size `size`: wide and full-width characters
    (Chinese, full-width punctuation) one em, the rest 0.6 em."""
    return sum(1.0 if unicodedata.east_asian_width(char) in "WF" else 0.6 for char in text) * size


@dataclass(frozen=True)
class Box:
    """A rectangle: its top left corner and its size."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Box, gap: float = 0.0) -> bool:
        """Whether the two share any area, or come closer than `gap`."""
        return (
            self.x < other.right + gap
            and other.x < self.right + gap
            and self.y < other.bottom + gap
            and other.y < self.bottom + gap
        )

    def on_border(self, point: Point, tolerance: float = 0.01) -> bool:
        px, py = point
        inside_x = self.x - tolerance <= px <= self.right + tolerance
        inside_y = self.y - tolerance <= py <= self.bottom + tolerance
        on_side = min(abs(px - self.x), abs(px - self.right)) <= tolerance
        on_top = min(abs(py - self.y), abs(py - self.bottom)) <= tolerance
        return inside_x and inside_y and (on_side or on_top)

    def moved(self, dx: float, dy: float) -> Box:
        return replace(self, x=self.x + dx, y=self.y + dy)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    #: The label's (width, height), or None for an edge without one.
    label: tuple[float, float] | None = None


@dataclass
class Route:
    """Where an edge runs: a polyline from its source's box to its target's, and its label's box."""

    edge: Edge
    points: list[Point]
    label: Box | None
    #: Laid out against the layers (a back edge of a cycle).
    reversed: bool


@dataclass
class Layout:
    nodes: dict[str, Box]
    #: In the order of the edges given.
    routes: list[Route]
    #: Each node's layer, from 0.
    layer: dict[str, int]
    width: float
    height: float

    def moved(self, dx: float, dy: float) -> Layout:
        return Layout(
            {name: box.moved(dx, dy) for name, box in self.nodes.items()},
            [
                Route(
                    r.edge,
                    [(x + dx, y + dy) for x, y in r.points],
                    r.label.moved(dx, dy) if r.label else None,
                    r.reversed,
                )
                for r in self.routes
            ],
            self.layer,
            self.width,
            self.height,
        )


@dataclass
class _Item:
    """A box, an edge's label or an edge's point, on one layer. `along` is its depth along the
    layer axis, `across` its extent across it; `at` is its centre across the layers."""

    key: object
    rank: int
    along: float
    across: float
    kind: str  # "node", "label" or "point"
    at: float = 0.0


def layered(
    sizes: dict[str, tuple[float, float]],
    edges: list[Edge],
    *,
    direction: str = "LR",
    layer_gap: float = 36,
    node_gap: float = 18,
    edge_gap: float = 10,
    sweeps: int = 12,
) -> Layout:
    """Lay out the boxes `sizes` (name: (width, height), in the order they should tend to come) and
    `edges` between them. Returns where each box, edge and label goes, from (0, 0)."""
    if direction not in ("LR", "TB"):
        raise ValueError(f"direction must be LR or TB, not {direction!r}")
    for edge in edges:
        if edge.source not in sizes or edge.target not in sizes:
            raise ValueError(f"edge {edge.source!r} → {edge.target!r}: no such node")
        if edge.source == edge.target:
            raise ValueError(f"edge {edge.source!r} → itself: loops are not laid out")

    def extent(w: float, h: float) -> tuple[float, float]:  # (along, across)
        return (w, h) if direction == "LR" else (h, w)

    back = _back_edges(list(sizes), edges)
    forward = [
        (e.target, e.source) if i in back else (e.source, e.target) for i, e in enumerate(edges)
    ]
    rank = _ranks(list(sizes), forward)

    # The layers' items: the boxes, then each edge's points and label.
    items: dict[object, _Item] = {}
    for name, (w, h) in sizes.items():
        items[name] = _Item(name, rank[name], *extent(w, h), "node")
    chains: list[list[object]] = []
    for i, ((u, v), edge) in enumerate(zip(forward, edges, strict=True)):
        first, last = rank[u], rank[v]
        # A label goes on the odd layer nearest the edge's middle (the earlier one of two).
        label_rank = first + 1 + 2 * ((last - first - 2) // 4) if edge.label else None
        chain: list[object] = [u]
        for r in range(first + 1, last):
            key = ("edge", i, r)
            if r == label_rank:
                items[key] = _Item(key, r, *extent(*edge.label), "label")
            else:
                items[key] = _Item(key, r, 0.0, 0.0, "point")
            chain.append(key)
        chain.append(v)
        chains.append(chain)

    depth = max(rank.values(), default=0) + 1
    layers: list[list[object]] = [[] for _ in range(depth)]
    for key, item in items.items():
        layers[item.rank].append(key)
    up: dict[object, list[object]] = {key: [] for key in items}
    down: dict[object, list[object]] = {key: [] for key in items}
    for chain in chains:
        for a, b in zip(chain, chain[1:], strict=False):
            down[a].append(b)
            up[b].append(a)

    layers = _order(layers, up, down, sweeps)
    _place_across(layers, items, up, down, node_gap, edge_gap)

    # Along the layers: a band per layer, as deep as its deepest item.
    starts, ends = [], []
    position = 0.0
    for layer in layers:
        band = max((items[key].along for key in layer), default=0.0)
        starts.append(position)
        ends.append(position + band)
        position += band + layer_gap
    total_along = max(position - layer_gap, 0.0)
    total_across = max((items[k].at + items[k].across / 2 for k in items), default=0.0)

    def point(a: float, c: float) -> Point:
        return (a, c) if direction == "LR" else (c, a)

    def box(item: _Item) -> Box:
        middle = (starts[item.rank] + ends[item.rank]) / 2
        a, c = middle - item.along / 2, item.at - item.across / 2
        return (
            Box(a, c, item.along, item.across)
            if direction == "LR"
            else Box(c, a, item.across, item.along)
        )

    # Ports: the edges leaving (entering) a box, spread along its far (near) side in the order of the
    # next (previous) items across.
    ports: dict[tuple[int, str], float] = {}
    for name in sizes:
        item = items[name]
        for side in ("out", "in"):
            users = [
                (items[chain[1] if side == "out" else chain[-2]].at, i)
                for i, chain in enumerate(chains)
                if chain[0 if side == "out" else -1] == name
            ]
            users.sort()
            for k, (_at, i) in enumerate(users):
                share = (k + 1) / (len(users) + 1)
                ports[(i, side)] = item.at - item.across / 2 + item.across * share

    routes = []
    for i, (chain, edge) in enumerate(zip(chains, edges, strict=True)):
        source, target = items[chain[0]], items[chain[-1]]
        middle = (starts[source.rank] + ends[source.rank]) / 2
        out = ports[(i, "out")]
        along: list[tuple[float, float]] = [
            (middle + source.along / 2, out),
            (ends[source.rank], out),
        ]
        label = None
        for key in chain[1:-1]:
            item = items[key]
            along += [(starts[item.rank], item.at), (ends[item.rank], item.at)]
            if item.kind == "label":
                label = box(item)
        middle = (starts[target.rank] + ends[target.rank]) / 2
        entry = ports[(i, "in")]
        along += [(starts[target.rank], entry), (middle - target.along / 2, entry)]
        points = [point(a, c) for a, c in along]
        points = [p for k, p in enumerate(points) if k == 0 or p != points[k - 1]]
        reversed_ = i in back
        if reversed_:
            points.reverse()
        routes.append(Route(edge, points, label, reversed_))

    width, height = point(total_along, total_across)
    return Layout(
        {name: box(items[name]) for name in sizes},
        routes,
        {name: rank[name] // 2 for name in sizes},
        width,
        height,
    )


def _back_edges(names: list[str], edges: list[Edge]) -> set[int]:
    """The edges a depth-first search (sources first, then the rest, in the order given) finds
    leading back into its own path."""
    out: dict[str, list[int]] = {name: [] for name in names}
    has_in = set()
    for i, edge in enumerate(edges):
        out[edge.source].append(i)
        has_in.add(edge.target)
    state = dict.fromkeys(names, 0)  # 0 unseen, 1 on the path, 2 done
    back: set[int] = set()
    for root in [n for n in names if n not in has_in] + names:
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, iter(out[root]))]
        while stack:
            node, pending = stack[-1]
            for i in pending:
                target = edges[i].target
                if state[target] == 1:
                    back.add(i)
                elif state[target] == 0:
                    state[target] = 1
                    stack.append((target, iter(out[target])))
                    break
            else:
                state[node] = 2
                stack.pop()
    return back


def _ranks(names: list[str], forward: list[tuple[str, str]]) -> dict[str, int]:
    """Each box's layer: the longest path from a source, two layers per edge; a source that only
    leads on sits just before the earliest box it leads to."""
    ins: dict[str, list[str]] = {n: [] for n in names}
    outs: dict[str, list[str]] = {n: [] for n in names}
    for u, v in forward:
        outs[u].append(v)
        ins[v].append(u)
    waiting = {n: len(ins[n]) for n in names}
    ready = [n for n in names if not waiting[n]]
    order: list[str] = []
    while ready:
        node = ready.pop(0)
        order.append(node)
        for v in outs[node]:
            waiting[v] -= 1
            if not waiting[v]:
                ready.append(v)
    rank = dict.fromkeys(names, 0)
    for node in order:
        for v in outs[node]:
            rank[v] = max(rank[v], rank[node] + 2)
    for node in reversed(order):
        if not ins[node] and outs[node]:
            rank[node] = min(rank[v] for v in outs[node]) - 2
    return rank


def _crossings(layers: list[list[object]], down: dict[object, list[object]]) -> int:
    total = 0
    for upper, lower in zip(layers, layers[1:], strict=False):
        where = {key: k for k, key in enumerate(lower)}
        segments = [(k, where[b]) for k, a in enumerate(upper) for b in down[a]]
        for s, (a1, b1) in enumerate(segments):
            for a2, b2 in segments[s + 1 :]:
                total += (a1 - a2) * (b1 - b2) < 0
    return total


def _order(layers, up, down, sweeps):
    """Barycentre sweeps; the order with the fewest crossings seen."""
    best = [list(layer) for layer in layers]
    fewest = _crossings(best, down)
    current = [list(layer) for layer in layers]
    for sweep in range(sweeps):
        downward = sweep % 2 == 0
        indices = range(1, len(current)) if downward else range(len(current) - 2, -1, -1)
        for k in indices:
            fixed = current[k - 1] if downward else current[k + 1]
            where = {key: p for p, key in enumerate(fixed)}
            neighbours = up if downward else down

            def centre(pair, where=where, neighbours=neighbours):
                p, key = pair
                others = [where[n] for n in neighbours[key]]
                return (sum(others) / len(others) if others else p, p)

            current[k] = [key for _p, key in sorted(enumerate(current[k]), key=centre)]
        count = _crossings(current, down)
        if count < fewest:
            fewest, best = count, [list(layer) for layer in current]
        if not fewest:
            break
    return best


def _isotonic(desired: list[float], gaps: list[float], weights: list[float]) -> list[float]:
    """Positions closest to `desired` (least weighted squares) with each at least its gap after the
    one before: pool adjacent violators on the positions less the gaps before them."""
    if not desired:
        return []
    offsets = [0.0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    blocks: list[list[float]] = []  # [value, weight, count]
    for target, weight in zip(
        (d - o for d, o in zip(desired, offsets, strict=True)), weights, strict=True
    ):
        blocks.append([target, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            v2, w2, c2 = blocks.pop()
            v1, w1, c1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    values = [value for value, _weight, count in blocks for _ in range(int(count))]
    return [v + o for v, o in zip(values, offsets, strict=True)]


def _place_across(layers, items, up, down, node_gap, edge_gap, rounds: int = 8) -> None:
    """Each item's centre across the layers (`_Item.at`), from 0."""

    def gap(a: _Item, b: _Item) -> float:
        between = edge_gap if a.kind == "point" and b.kind == "point" else node_gap
        return (a.across + b.across) / 2 + between

    for layer in layers:  # packed, to start from
        position = 0.0
        for k, key in enumerate(layer):
            if k:
                position += gap(items[layer[k - 1]], items[key])
            items[key].at = position

    def settle(layer, neighbours_of):
        desired, weights = [], []
        for key in layer:
            others = [items[n].at for n in neighbours_of(key)]
            desired.append(sum(others) / len(others) if others else items[key].at)
            # An edge's point pulls harder (long edges straight); an item with no neighbours
            # there barely (it stays where it was unless pushed).
            weight = 2.0 if items[key].kind == "point" else 1.0
            weights.append(weight if others else 0.1)
        gaps = [gap(items[a], items[b]) for a, b in zip(layer, layer[1:], strict=False)]
        for key, at in zip(layer, _isotonic(desired, gaps, weights), strict=True):
            items[key].at = at

    for _round in range(rounds):
        for layer in layers[1:]:
            settle(layer, lambda key: up[key])
        for layer in reversed(layers[:-1]):
            settle(layer, lambda key: down[key])
    for layer in layers:
        settle(layer, lambda key: up[key] + down[key])
    lowest = min((items[k].at - items[k].across / 2 for k in items), default=0.0)
    for item in items.values():
        item.at -= lowest
