"""Use cases of the graph queries: load the caller's visible links, build, answer.

Only links the caller may see are loaded (policies' relationship scope, in SQL); the one
cross-member figure, how many other brands share a supplier, is counted in SQL and never
lists who, except brands that consented to be named.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import networkx as nx
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import ErrorItem, NotFound
from core.principal import Principal
from graph import network, public_ids
from graph import network_repository as repository
from graph import recruiters as recruiter_service
from graph import service as graph_service
from graph.models import EndpointKind
from policies import service as policies_service
from policies.visibility import relationship_read_scope

DEFAULT_DEPTH = 4


def _facility(
    session: Session, principal: Principal, public_id: str, location: tuple[str, ...]
) -> tuple[uuid.UUID, str]:
    try:
        facility = graph_service.get_facility_or_raise(session, principal, public_id=public_id).facility
    except NotFound:
        raise NotFound(f"No facility {public_id}.", errors=[ErrorItem(location, "no such facility")]) from None
    return facility.id, network.node_key(EndpointKind.facility, facility.public_id)


def _graph(session: Session, rows: Sequence[network.LinkRow]) -> nx.MultiDiGraph[str]:
    return network.build(rows, repository.labels(session, rows))


def neighbourhood(
    session: Session, principal: Principal, *, public_id: str, depth: int, upstream: bool
) -> nx.MultiDiGraph[str]:
    """The visible links within ``depth`` flow steps upstream (or downstream) of a facility."""
    facility_id, key = _facility(session, principal, public_id, ("path", "facility_id"))
    rows = repository.links_around(
        session, relationship_read_scope(principal), facility_id, depth=depth, upstream=upstream, today=utcnow().date()
    )
    graph = _graph(session, rows)
    if key not in graph:
        facility = graph_service.get_facility_or_raise(session, principal, public_id=public_id).facility
        graph.add_node(key, kind=EndpointKind.facility.value, id=facility.public_id, name=facility.name)
    return network.neighbourhood(graph, key, depth=depth, upstream=upstream)


def network_shape(session: Session, principal: Principal) -> network.Shape:
    """Every visible active link, all tiers, as nodes and edges."""
    links = repository.visible_labelled_links(session, relationship_read_scope(principal), today=utcnow().date())
    return network.shape_labelled(links)


def whole_network(session: Session, principal: Principal) -> nx.MultiDiGraph[str]:
    """Every visible active link, all tiers, as a graph."""
    return network.graph_of(network_shape(session, principal))


def shared_suppliers(session: Session, principal: Principal) -> list[repository.SharedSupplier]:
    """The facilities the caller's brand sources from that other member brands source from too."""
    return repository.shared_suppliers(session, principal.organization_id, today=utcnow().date())


def recruitment_chains(
    session: Session, principal: Principal, *, public_id: str
) -> tuple[str, nx.MultiDiGraph[str], list[network.Chain]]:
    """Every visible recruiter path into a facility (with the graph that labels its nodes)."""
    facility_id, key = _facility(session, principal, public_id, ("path", "facility_id"))
    rows = repository.recruitment_links(
        session, relationship_read_scope(principal), facility_id, depth=network.MAX_DEPTH, today=utcnow().date()
    )
    graph = _graph(session, rows)
    return key.partition(":")[2], graph, network.recruitment_chains(graph, key)


def _node(session: Session, principal: Principal, ref: str, location: tuple[str, ...]) -> str:
    """The node key of a public id (LL-..., LR-...) or an organisation UUID."""
    if public_ids.parse_public_id(ref) is not None:
        return _facility(session, principal, ref, location)[1]
    if public_ids.parse_public_id(ref, public_ids.RECRUITER_PREFIX) is not None:
        try:
            found = recruiter_service.get_recruiter_or_raise(session, principal, public_id=ref).recruiter
        except NotFound:
            raise NotFound(f"No recruiter {ref}.", errors=[ErrorItem(location, "no such recruiter")]) from None
        return network.node_key(EndpointKind.recruiter, found.public_id)
    try:
        org = policies_service.get_organization_or_raise(session, principal, organization_id=uuid.UUID(ref))
    except (ValueError, NotFound):
        raise NotFound(
            f"No node {ref}.", errors=[ErrorItem(location, "no such facility, recruiter or organisation")]
        ) from None
    return network.node_key(EndpointKind.organization, str(org.id))


def path(session: Session, principal: Principal, *, start: str, goal: str) -> tuple[nx.MultiDiGraph[str], list[str]]:
    """The fewest visible links joining two nodes (in either direction); NotFound when none."""
    start_key = _node(session, principal, start, ("query", "from"))
    goal_key = _node(session, principal, goal, ("query", "to"))
    graph = whole_network(session, principal)
    found = [start_key] if start_key == goal_key else network.shortest_path(graph, start_key, goal_key)
    if found is None:
        raise NotFound(f"No path between {start} and {goal} among the links you may see.")
    return graph, found
