"""Graph queries as pure builders over networkx: rows in, graphs and answers out (no session).

Nodes are keyed ``"<kind>:<public id>"`` (organisations by their UUID), so a merged facility and
its survivor, labelled with the survivor's id, are one node. Edges keep the direction they were
stated in; traversals use the *flow* direction, in which goods and workers move towards the
brand: ``supplies`` and ``recruits_for`` as stated, ``sources_from`` (facility -> brand) and
``subcontracts`` (sub-agent -> agent) reversed. Upstream of a site is what flows into it;
downstream, where it flows to.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from graph.models import EndpointKind, RelationshipKind

MAX_DEPTH = 10
MAX_CHAINS = 1000
#: Kinds stated against the flow of goods and workers.
AGAINST_FLOW = frozenset({RelationshipKind.sources_from, RelationshipKind.subcontracts})
_AGAINST_FLOW_VALUES = frozenset(kind.value for kind in AGAINST_FLOW)


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One visible link as loaded from the database (internal ids; attributes by name)."""

    public_id: str
    kind: RelationshipKind
    from_kind: EndpointKind
    from_id: uuid.UUID
    to_kind: EndpointKind
    to_id: uuid.UUID
    #: The stated attributes as JSON values (unstated ones left out).
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Label:
    """What a node shows: its public id (a survivor's, for a merged facility) and name."""

    public_id: str
    name: str


Labels = Mapping[tuple[EndpointKind, uuid.UUID], Label]


def node_key(kind: EndpointKind, public_id: str) -> str:
    return f"{kind.value}:{public_id}"


def _end(labels: Labels, kind: EndpointKind, node_id: uuid.UUID) -> tuple[str, Label]:
    label = labels.get((kind, node_id)) or Label(str(node_id), "")
    return node_key(kind, label.public_id), label


Shape = dict[str, list[dict[str, Any]]]


def shape(rows: Iterable[LinkRow], labels: Labels) -> Shape:
    """The links as JSON: ``nodes`` (key, kind, id, name) and ``edges`` (id, kind, source, target,
    attributes), without building a graph (exports need no algorithm)."""
    nodes: dict[str, dict[str, Any]] = {}
    edges = []
    for row in rows:
        source, source_label = _end(labels, row.from_kind, row.from_id)
        target, target_label = _end(labels, row.to_kind, row.to_id)
        if source not in nodes:
            nodes[source] = {"key": source, "kind": row.from_kind.value, "id": source_label.public_id,
                             "name": source_label.name}  # fmt: skip
        if target not in nodes:
            nodes[target] = {"key": target, "kind": row.to_kind.value, "id": target_label.public_id,
                             "name": target_label.name}  # fmt: skip
        edges.append({"id": row.public_id, "kind": row.kind.value, "source": source, "target": target,
                      "attributes": row.attributes})  # fmt: skip
    return {"nodes": list(nodes.values()), "edges": edges}


@dataclass(frozen=True, slots=True)
class LabelledLink:
    """A visible link with its ends already labelled (public id and name of each end)."""

    public_id: str
    kind: str
    from_kind: str
    from_label: Label
    to_kind: str
    to_label: Label
    attributes: Mapping[str, Any]


def shape_labelled(links: Iterable[LabelledLink]) -> Shape:
    """Like ``shape``, for links loaded with their labels (one query, no id lookups)."""
    nodes: dict[str, dict[str, Any]] = {}
    edges = []
    for link in links:
        source, target = f"{link.from_kind}:{link.from_label.public_id}", f"{link.to_kind}:{link.to_label.public_id}"
        if source not in nodes:
            nodes[source] = {"key": source, "kind": link.from_kind, "id": link.from_label.public_id,
                             "name": link.from_label.name}  # fmt: skip
        if target not in nodes:
            nodes[target] = {"key": target, "kind": link.to_kind, "id": link.to_label.public_id,
                             "name": link.to_label.name}  # fmt: skip
        edges.append({"id": link.public_id, "kind": link.kind, "source": source, "target": target,
                      "attributes": link.attributes})  # fmt: skip
    return {"nodes": list(nodes.values()), "edges": edges}


def build(rows: Iterable[LinkRow], labels: Labels) -> nx.MultiDiGraph[str]:
    """The links as stated: one edge per link (keyed by its public id), nodes with kind, id, name."""
    return graph_of(shape(rows, labels))


def graph_of(shaped: Shape) -> nx.MultiDiGraph[str]:
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    graph.add_nodes_from((n["key"], {k: v for k, v in n.items() if k != "key"}) for n in shaped["nodes"])
    for e in shaped["edges"]:
        graph.add_edge(e["source"], e["target"], key=e["id"], kind=e["kind"], **e["attributes"])
    return graph


def flow(graph: nx.MultiDiGraph[str]) -> nx.DiGraph[str]:
    """The flow direction of every link (sources_from, subcontracts reversed), parallel links collapsed."""
    flows: nx.DiGraph[str] = nx.DiGraph()
    flows.add_nodes_from(graph.nodes(data=True))
    for source, target, data in graph.edges(data=True):
        if data["kind"] in _AGAINST_FLOW_VALUES:
            flows.add_edge(target, source)
        else:
            flows.add_edge(source, target)
    return flows


def within(graph: nx.MultiDiGraph[str], start: str, *, depth: int, upstream: bool) -> dict[str, int]:
    """Nodes at most ``depth`` flow steps upstream (or downstream) of ``start``, with their distance."""
    flows = flow(graph)
    if start not in flows:
        return {start: 0}
    walk = flows.reverse(copy=False) if upstream else flows
    return dict(nx.single_source_shortest_path_length(walk, start, cutoff=depth))


def neighbourhood(graph: nx.MultiDiGraph[str], start: str, *, depth: int, upstream: bool) -> nx.MultiDiGraph[str]:
    """The part of the graph within ``depth`` of ``start``; nodes carry their ``distance``."""
    distances = within(graph, start, depth=depth, upstream=upstream)
    sub: nx.MultiDiGraph[str] = nx.MultiDiGraph(graph.subgraph(distances))
    for node, distance in distances.items():
        if node in sub:
            sub.nodes[node]["distance"] = distance
    return sub


def as_json(graph: nx.MultiDiGraph[str]) -> dict[str, list[dict[str, Any]]]:
    """Nodes and edges as plain JSON objects (edges: id, kind, source, target, attributes)."""
    nodes = [{"key": key, **data} for key, data in graph.nodes(data=True)]
    edges = [
        {
            "id": link_id,
            "kind": data["kind"],
            "source": source,
            "target": target,
            "attributes": {k: v for k, v in data.items() if k != "kind"},
        }
        for source, target, link_id, data in graph.edges(keys=True, data=True)
    ]
    return {"nodes": nodes, "edges": edges}


def _graphml_type(values: Iterable[Any]) -> str:
    kinds = {type(v) for v in values}
    if kinds == {bool}:
        return "boolean"
    if kinds <= {int} and kinds:
        return "long"
    if kinds <= {int, float} and kinds:
        return "double"
    return "string"


def _graphml_keys(prefix: str, rows: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """attribute name -> (GraphML key id, type)."""
    seen: dict[str, list[Any]] = {}
    for data in rows:
        for name, value in data.items():
            seen.setdefault(name, []).append(value)
    return {name: (f"{prefix}{i}", _graphml_type(values)) for i, (name, values) in enumerate(sorted(seen.items()))}


def _graphml_data(keys: Mapping[str, tuple[str, str]], data: Mapping[str, Any]) -> str:
    parts = []
    for name, value in data.items():
        key, kind = keys[name]
        text = str(value).lower() if kind == "boolean" else str(value) if kind != "string" else value
        parts.append(f'<data key="{key}">{escape(str(text))}</data>')
    return "".join(parts)


def as_graphml(shaped: Shape) -> str:
    """GraphML 1.0 of a shape, written in one pass (networkx's ElementTree writer takes seconds on
    25,000 links); edges carry their link's public id as ``id`` (networkx reads it back as the key)."""
    node_data = [{k: v for k, v in n.items() if k != "key"} for n in shaped["nodes"]]
    edge_data = [{"kind": e["kind"], **e["attributes"]} for e in shaped["edges"]]
    node_keys, edge_keys = _graphml_keys("n", node_data), _graphml_keys("e", edge_data)
    lines = ['<?xml version="1.0" encoding="utf-8"?>', '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">']
    for domain, keys in (("node", node_keys), ("edge", edge_keys)):
        lines += [
            f'<key id="{key}" for="{domain}" attr.name={quoteattr(name)} attr.type="{kind}"/>'
            for name, (key, kind) in keys.items()
        ]
    lines.append('<graph edgedefault="directed">')
    lines += [
        f"<node id={quoteattr(n['key'])}>{_graphml_data(node_keys, data)}</node>"
        for n, data in zip(shaped["nodes"], node_data, strict=True)
    ]
    lines += [
        f"<edge id={quoteattr(e['id'])} source={quoteattr(e['source'])} target={quoteattr(e['target'])}>"
        f"{_graphml_data(edge_keys, data)}</edge>"
        for e, data in zip(shaped["edges"], edge_data, strict=True)
    ]
    lines += ["</graph>", "</graphml>"]
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Chain:
    """Recruiters from the outermost sub-agent to the one recruiting for the site, and the
    ``recruits_for`` link that ends the chain."""

    recruiters: tuple[str, ...]
    recruits_for: str  # the link's public id
    attributes: Mapping[str, Any]

    @property
    def depth(self) -> int:
        return len(self.recruiters)


def recruitment_chains(graph: nx.MultiDiGraph[str], site: str) -> list[Chain]:
    """Every recruiter path into ``site``: each ``recruits_for`` link into it, extended backwards
    along ``subcontracts`` links to each sub-agent that subcontracts to nobody (maximal paths only;
    their prefixes are the shorter chains). At most MAX_CHAINS, shortest first."""
    if site not in graph:
        return []
    chains: list[Chain] = []
    for recruiter, _, link_id, data in graph.in_edges(site, keys=True, data=True):
        if data["kind"] != RelationshipKind.recruits_for.value:
            continue
        attributes = {k: v for k, v in data.items() if k != "kind"}
        for path in _backwards(graph, (recruiter,)):
            chains.append(Chain(tuple(reversed(path)), link_id, attributes))
            if len(chains) >= MAX_CHAINS:
                break
    return sorted(chains, key=lambda c: (c.depth, c.recruiters))


def _backwards(graph: nx.MultiDiGraph[str], path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    before = [
        sub_agent
        for _, sub_agent, data in graph.out_edges(path[-1], data=True)
        if data["kind"] == RelationshipKind.subcontracts.value and sub_agent not in path
    ]
    if not before or len(path) > MAX_DEPTH:
        yield path
        return
    for source in dict.fromkeys(before):
        yield from _backwards(graph, (*path, source))


def shortest_path(graph: nx.MultiDiGraph[str], start: str, goal: str) -> list[str] | None:
    """The fewest links joining two nodes, in either direction, or None."""
    if start not in graph or goal not in graph:
        return None
    try:
        path: list[str] = nx.shortest_path(graph.to_undirected(as_view=True), start, goal)
    except nx.NetworkXNoPath:
        return None
    return path


def links_along(graph: nx.MultiDiGraph[str], path: list[str]) -> list[dict[str, Any]]:
    """One link (as JSON) between each pair of consecutive nodes, in the direction it was stated."""
    found = []
    for a, b in itertools.pairwise(path):
        source, target = (a, b) if graph.has_edge(a, b) else (b, a)
        link_id, data = next(iter(graph.get_edge_data(source, target).items()))
        attributes = {k: v for k, v in data.items() if k != "kind"}
        found.append(
            {"id": link_id, "kind": data["kind"], "source": source, "target": target, "attributes": attributes}
        )
    return found
