"""Every export is checked by the libraries of its format, not by our own reading of it."""

from __future__ import annotations

import json
from typing import Any

import stix2
from followthemoney import model


def ftm_entities(body: bytes) -> dict[str, Any]:
    """The FtM export's entities by id, each validated by FollowTheMoney.

    Each line is one entity that ``Schema.validate`` accepts (known properties, valid values,
    required ones present) and that ``model.get_proxy`` loads; ids are unique; every entity
    property names an entity of the export (no dangling reference).
    """
    lines = body.decode().splitlines()
    assert lines, "an export is never empty"
    entities: dict[str, Any] = {}
    for line in lines:
        data = json.loads(line)
        schema = model.get(data["schema"])
        assert schema is not None, data["schema"]
        assert not schema.abstract, data
        schema.validate(data)  # raises InvalidData
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.id not in entities, f"duplicate id {proxy.id}"
        entities[proxy.id] = proxy
    for proxy in entities.values():
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert value in entities, f"{proxy.id}.{prop.name} -> {value} is not in the export"
                assert entities[value].schema.is_a(prop.range), f"{proxy.id}.{prop.name}: {value} is no {prop.range}"
    return entities


def _refs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)]


def stix_objects(body: bytes) -> dict[str, dict[str, Any]]:
    """The STIX bundle's objects by id, each validated by ``stix2``.

    The bundle parses with ``allow_custom=True``; every custom property starts with ``x_``;
    each object without its ``x_`` properties parses strictly (``allow_custom=False``), so that
    only the declared extensions are custom; every ``*_ref(s)`` names an object of the bundle.
    """
    data = json.loads(body)
    bundle = stix2.parse(data, allow_custom=True, version="2.1")
    assert bundle.type == "bundle"
    objects: dict[str, dict[str, Any]] = {}
    for obj in data["objects"]:
        strict = stix2.parse(_plain(obj), allow_custom=False, version="2.1")
        custom = set(obj) - set(strict)
        assert all(k.startswith("x_") for k in custom), custom
        assert obj["id"] not in objects, f"duplicate id {obj['id']}"
        objects[obj["id"]] = obj
    for obj in objects.values():
        for key, value in obj.items():
            if key.endswith("_ref") or key.endswith("_refs"):
                for ref in _refs(value):
                    assert ref in objects, f"{obj['id']}.{key} -> {ref} is not in the bundle"
    return objects


def _plain(obj: dict[str, Any]) -> dict[str, Any]:
    """The object without its custom properties: ``stix2.parse`` refuses any other unknown property."""
    return {k: v for k, v in obj.items() if not k.startswith("x_")}


def names(entities: dict[str, Any], schema: str) -> set[str]:
    return {n for e in entities.values() if e.schema.name == schema for n in e.get("name")}


def ftm_paths(entities: dict[str, Any]) -> dict[str, set[str]]:
    """Edges between the export's legal entities, through payments, contracts and representations.

    payer -> beneficiary, contract authority -> supplier, agent -> client (both ways: an agency
    manages its bloggers), the accounts' owners to their campaigns' events.
    """
    edges: dict[str, set[str]] = {}

    def edge(a: str, b: str) -> None:
        edges.setdefault(a, set()).add(b)

    awards = [e for e in entities.values() if e.schema.name == "ContractAward"]
    for e in entities.values():
        match e.schema.name:
            case "Payment":
                for payer in e.get("payer"):
                    for payee in e.get("beneficiary"):
                        edge(payer, payee)
            case "Representation":
                for agent in e.get("agent"):
                    for client in e.get("client"):
                        edge(agent, client)
                        edge(client, agent)
            case "Contract":
                for award in awards:
                    if e.id in award.get("contract"):
                        for authority in e.get("authority"):
                            for supplier in award.get("supplier"):
                                edge(authority, supplier)
            case "Event":
                for involved in e.get("involved"):
                    edge(involved, e.id)
    return edges


def reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def stix_paths(objects: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    """Edges of the bundle's relationships, source -> target (``manages`` and ``attributed-to`` both ways)."""
    edges: dict[str, set[str]] = {}
    for obj in objects.values():
        if obj["type"] == "relationship":
            edges.setdefault(obj["source_ref"], set()).add(obj["target_ref"])
            if obj["relationship_type"] in ("manages", "attributed-to"):
                edges.setdefault(obj["target_ref"], set()).add(obj["source_ref"])
    return edges
