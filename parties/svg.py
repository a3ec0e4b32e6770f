"""The money graph drawn as a small server-side SVG for the party's admin page (no JavaScript, no CDN).

Nodes stand in columns by their distance from the party; edges are straight lines labelled with their kind
and amount.
"""

from __future__ import annotations

from collections import deque

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from parties.graph import Graph

COLOURS = {
    "party": "#1f77b4",
    "influencer": "#2ca02c",
    "account": "#17becf",
    "target": "#d62728",
    "campaign": "#ff7f0e",
    "case": "#9467bd",
}
# What the picture says in the reader's language: the kinds of node (the legend) and of edge (the lines' labels).
NODE_NAMES = {
    "party": _("party"),
    "influencer": _("influencer"),
    "account": _("platform account"),
    "target": _("target"),
    "campaign": _("campaign"),
    "case": _("case"),
}
EDGE_NAMES = {
    "ordered": _("ordered"),
    "paid": _("paid"),
    "intermediated": _("brokered"),
    "managed": _("managed"),
    "targeted": _("targeted"),
    "posted": _("posted"),
    "investigated": _("investigated"),
    "same_entity": _("same entity"),
}
COLUMN, ROW, MARGIN, LEGEND = 230, 34, 20, 30


def graph_svg(graph: Graph) -> SafeString:
    """An SVG of the graph: the party on the left, each step further to the right."""
    neighbours: dict[str, set[str]] = {key: set() for key in graph.nodes}
    for edge in graph.edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    level = {graph.root: 0}
    queue = deque([graph.root])
    while queue:
        key = queue.popleft()
        for other in sorted(neighbours.get(key, ())):
            if other not in level:
                level[other] = level[key] + 1
                queue.append(other)
    columns: dict[int, list[str]] = {}
    for key in sorted(graph.nodes, key=lambda k: (level.get(k, 99), graph.nodes[k]["kind"], k)):
        columns.setdefault(level.get(key, max(level.values(), default=0) + 1), []).append(key)
    where = {
        key: (MARGIN + col * COLUMN, MARGIN + LEGEND + row * ROW + 10)
        for col, keys in enumerate(columns[c] for c in sorted(columns))
        for row, key in enumerate(keys)
    }
    width = MARGIN * 2 + max(len(columns), 1) * COLUMN
    height = MARGIN * 2 + LEGEND + max((len(k) for k in columns.values()), default=1) * ROW
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="money-graph" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">'
    ]
    shown = sorted({data["kind"] for data in graph.nodes.values()}, key=list(COLOURS).index)
    for n, kind in enumerate(shown):  # the legend: one colour per kind of node
        x = MARGIN + n * 140
        parts.append(
            f'<circle data-legend="{escape(kind)}" cx="{x + 8}" cy="{MARGIN}" r="6" fill="{COLOURS[kind]}"></circle>'
            f'<text x="{x + 18}" y="{MARGIN + 4}">{escape(NODE_NAMES[kind])}</text>'
        )
    for edge in graph.edges:
        (x1, y1), (x2, y2) = where[edge.source], where[edge.target]
        label = str(EDGE_NAMES.get(edge.kind, edge.kind))
        if edge.amount is not None:
            label += f" {edge.amount:,.2f} {edge.currency}"
        title = escape(f"{label} {edge.on or ''}")
        parts.append(
            f'<line data-edge="{escape(edge.kind)}" data-source="{edge.source}" data-target="{edge.target}" '
            f'x1="{x1 + 8}" y1="{y1}" x2="{x2 + 8}" y2="{y2}" stroke="#999"><title>{title}</title></line>'
        )
        if edge.amount is not None:
            parts.append(f'<text x="{(x1 + x2) / 2 + 10}" y="{(y1 + y2) / 2 - 3}" fill="#555">{escape(label)}</text>')
    for key, (x, y) in where.items():
        data = graph.nodes[key]
        colour = COLOURS.get(data["kind"], "#333")
        parts.append(
            f'<circle data-node="{escape(key)}" cx="{x + 8}" cy="{y}" r="6" fill="{colour}">'
            f"<title>{escape(NODE_NAMES.get(data['kind'], data['kind']))} {escape(data['label'])}</title></circle>"
            f'<text x="{x + 18}" y="{y + 4}">{escape(data["label"][:32])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label and title is escaped above
