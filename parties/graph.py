"""The money graph around a party: who ordered, paid, brokered, managed and targeted whom.

Nodes are parties, influencers, accounts, targets, campaigns and cases, keyed
``"<kind>:<id>"``; edges are one per fact (an order, a payment, a management link,
a target of an order, a case's subject), with amounts and dates where they have
them. The graph grows breadth-first from the party for ``depth`` steps.

Parties sit below reviews and cases (which point at parties), so those apps
contribute their edges by registering a :data:`Source` from their ``AppConfig.ready()``
(as apps register with core), and this module never imports them. Each source
answers one step for the whole frontier in a fixed number of queries, so a graph
costs at most ``depth`` x (sources + node kinds) queries, whatever its size.

A party merged into another counts as that party: its edges end on the survivor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from core.errors import DomainError
from core.privacy import mask_name
from ledger.models import Influencer, PlatformAccount
from parties.choices import PartyKind
from parties.models import Party

MAX_DEPTH = 4
DEFAULT_DEPTH = 2
NODE_KINDS = ("party", "influencer", "account", "target", "campaign", "case")
EDGE_KINDS = ("ordered", "paid", "intermediated", "managed", "targeted", "posted", "investigated", "same_entity")


@dataclass(frozen=True)
class GraphFilter:
    """What the graph may show: facts dated within [date_from, date_to]; with ``case``, the case's orders only."""

    date_from: date | None = None
    date_to: date | None = None
    case_id: int | None = None
    user: Any = None

    def dated(self, day: date | None) -> bool:
        if day is None:
            return True
        return (self.date_from is None or day >= self.date_from) and (self.date_to is None or day <= self.date_to)


@dataclass
class Edge:
    source: str
    target: str
    kind: str
    amount: Decimal | None = None
    currency: str = ""
    on: date | None = None
    order: int | None = None
    payment: int | None = None

    def key(self) -> tuple:
        return (self.kind, self.source, self.target, self.order, self.payment)


@dataclass
class Graph:
    root: str
    depth: int
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)


# A source: given the frontier ({kind: {id, ...}}) and the filter, the edges that touch it.
Source = Callable[[dict[str, set[int]], GraphFilter], Iterable[Edge]]
# A labeller: given ids of one node kind, {id: (label, extra)} for those the reader may see.
Labeller = Callable[[set[int], GraphFilter], dict[int, tuple[str, dict[str, Any]]]]

_sources: list[Source] = []
_labellers: dict[str, Labeller] = {}


def register_source(source: Source) -> None:
    """Add the edges an app knows about (called from its AppConfig.ready())."""
    if source not in _sources:
        _sources.append(source)


def register_labeller(kind: str, labeller: Labeller) -> None:
    """Say how nodes of ``kind`` are named (and which exist for the reader)."""
    _labellers[kind] = labeller


def node(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


# --- the edges and names this app knows: parties, agencies, influencers, accounts ------


def _canonical(ids: Iterable[int]) -> dict[int, int]:
    """Each party id -> the party it counts as (its survivor when merged)."""
    return {
        pk: merged_into or pk
        for pk, merged_into in Party.objects.filter(pk__in=set(ids)).values_list("pk", "merged_into")
    }


def _ledger_edges(frontier: dict[str, set[int]], flt: GraphFilter) -> Iterable[Edge]:
    parties, influencers = frontier.get("party", set()), frontier.get("influencer", set())
    accounts = frontier.get("account", set())
    # agency -> influencer (managed), party <-> influencer (same entity): from parties and from influencers
    rows = Party.objects.filter(pk__in=parties).values_list("pk", "agency_id", "influencer_id")
    by_agency = {agency: pk for pk, agency, _inf in rows if agency}
    for pk, _agency, influencer in rows:
        if influencer:
            yield Edge(node("party", pk), node("influencer", influencer), "same_entity")
    found = Influencer.objects.filter(pk__in=influencers).values_list("pk", "agency__party", "party")
    for pk, agency_party, own_party in found:
        if agency_party:
            yield Edge(node("party", agency_party), node("influencer", pk), "managed")
        if own_party:
            yield Edge(node("party", own_party), node("influencer", pk), "same_entity")
    for pk, agency in Influencer.objects.filter(agency_id__in=by_agency).values_list("pk", "agency_id"):
        yield Edge(node("party", by_agency[agency]), node("influencer", pk), "managed")
    # influencer -> account (managed)
    rows = PlatformAccount.objects.filter(influencer_id__in=influencers).values_list("pk", "influencer_id")
    owners = PlatformAccount.objects.filter(pk__in=accounts).values_list("pk", "influencer_id")
    for pk, influencer in {*rows, *owners}:
        yield Edge(node("influencer", influencer), node("account", pk), "managed")


def _party_labels(ids: set[int], flt: GraphFilter) -> dict[int, tuple[str, dict[str, Any]]]:
    out = {}
    for pk, name, kind, uscc in Party.objects.filter(pk__in=ids).values_list("pk", "name", "kind", "uscc"):
        out[pk] = (mask_name(name) if kind == PartyKind.PERSON else name, {"party_kind": kind, "uscc": uscc})
    return out


def _influencer_labels(ids: set[int], flt: GraphFilter) -> dict[int, tuple[str, dict[str, Any]]]:
    rows = Influencer.objects.filter(pk__in=ids).values_list("pk", "display_name")
    return {pk: (name, {}) for pk, name in rows}


def _account_labels(ids: set[int], flt: GraphFilter) -> dict[int, tuple[str, dict[str, Any]]]:
    rows = PlatformAccount.objects.filter(pk__in=ids).values_list("pk", "platform", "handle", "platform_uid")
    return {
        pk: (f"{platform}:{handle}", {"platform": platform, "platform_uid": uid}) for pk, platform, handle, uid in rows
    }


register_source(_ledger_edges)
register_labeller("party", _party_labels)
register_labeller("influencer", _influencer_labels)
register_labeller("account", _account_labels)


# --- the walk -------------------------------------------------------------------


def _kind_and_id(key: str) -> tuple[str, int]:
    kind, _, pk = key.partition(":")
    return kind, int(pk)


def party_graph(*, party: Party, depth: int = DEFAULT_DEPTH, flt: GraphFilter | None = None) -> Graph:
    """The graph within ``depth`` steps of ``party`` (the survivor when it was merged)."""
    flt = flt or GraphFilter()
    if depth < 1 or depth > MAX_DEPTH:
        raise DomainError(_("A depth is from 1 to %(max)d.") % {"max": MAX_DEPTH}, field="depth")
    if flt.case_id is not None and not _labellers.get("case", lambda ids, f: {})({flt.case_id}, flt):
        raise DomainError(_("No such case, or not one you may see."), field="case")
    root_id = party.merged_into_id or party.pk
    graph = Graph(root=node("party", root_id), depth=depth)
    members = {root_id, *Party.objects.filter(merged_into_id=root_id).values_list("pk", flat=True)}
    seen: set[str] = {graph.root}
    frontier: dict[str, set[int]] = {"party": members}
    edges: dict[tuple, Edge] = {}
    for _step in range(depth):
        found: list[Edge] = [edge for source in _sources for edge in source(frontier, flt)]
        party_ids = {
            pk
            for edge in found
            for key in (edge.source, edge.target)
            for kind, pk in [_kind_and_id(key)]
            if kind == "party"
        }
        canonical = _canonical(party_ids)
        for edge in found:
            edge.source = _as_canonical(edge.source, canonical)
            edge.target = _as_canonical(edge.target, canonical)
            if edge.source != edge.target:
                edges.setdefault(edge.key(), edge)
        new = {key for edge in edges.values() for key in (edge.source, edge.target)} - seen
        new_ids: dict[str, set[int]] = {}
        for key in new:
            kind, pk = _kind_and_id(key)
            new_ids.setdefault(kind, set()).add(pk)
        merged = Party.objects.filter(merged_into_id__in=new_ids.get("party", set())).values_list("pk", flat=True)
        seen |= new
        frontier = {kind: set(ids) for kind, ids in new_ids.items()}
        if "party" in frontier:
            frontier["party"] |= set(merged)
        if not new:
            break
    by_kind: dict[str, set[int]] = {}
    for key in seen:
        kind, pk = _kind_and_id(key)
        by_kind.setdefault(kind, set()).add(pk)
    for kind, ids in by_kind.items():
        labels = _labellers[kind](ids, flt) if kind in _labellers else {}
        for pk, (label, extra) in labels.items():
            graph.nodes[node(kind, pk)] = {"id": node(kind, pk), "kind": kind, "ref": pk, "label": label, **extra}
    # nodes the reader may not see (another authority's case) take their edges with them
    graph.edges = sorted(
        (e for e in edges.values() if e.source in graph.nodes and e.target in graph.nodes),
        key=lambda e: (e.on or date.min, e.kind, e.source, e.target, e.order or 0, e.payment or 0),
    )
    return graph


def _as_canonical(key: str, canonical: dict[int, int]) -> str:
    kind, pk = _kind_and_id(key)
    if kind != "party":
        return key
    return node("party", canonical.get(pk, pk))


def as_data(graph: Graph) -> dict[str, Any]:
    """The graph as the API returns it: nodes sorted by kind and id, edges by date."""
    order = {kind: i for i, kind in enumerate(NODE_KINDS)}
    return {
        "root": graph.root,
        "depth": graph.depth,
        "nodes": sorted(graph.nodes.values(), key=lambda n: (order.get(n["kind"], 99), n["ref"])),
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "kind": e.kind,
                "amount": None if e.amount is None else f"{e.amount:.2f}",
                "currency": e.currency,
                "date": None if e.on is None else e.on.isoformat(),
                "order": e.order,
                "payment": e.payment,
            }
            for e in graph.edges
        ],
    }
