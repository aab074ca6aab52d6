"""Graph queries over the links you may see: upstream/downstream of a site, your whole network
(JSON or GraphML), shared suppliers, recruitment chains and paths."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import networkx as nx
from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import JSONResponse

from api.deps import SessionDep, principal_with
from api.problems import PROBLEM_RESPONSES
from core.principal import Principal
from core.text import NO_NUL_PATTERN
from graph import network
from graph import network_service as service
from graph.models import EndpointKind, RelationshipKind
from graph.network_schemas import (
    GraphEdgeRead,
    GraphNodeRead,
    NetworkRead,
    PathRead,
    RecruitmentChainRead,
    RecruitmentChainsRead,
    SharedSupplierRead,
    SharedSuppliersRead,
)
from policies.scopes import ApiScope

router = APIRouter(prefix="/graph", tags=["graph"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, principal_with(ApiScope.graph_read)]
FacilityId = Annotated[str, Path(max_length=64, pattern=NO_NUL_PATTERN, description="Public id LL-XXXX-XXXX-C")]
NodeRef = Annotated[str, Query(max_length=64, pattern=NO_NUL_PATTERN)]
Depth = Annotated[
    int, Query(ge=1, le=network.MAX_DEPTH, description=f"Flow steps (default 4, at most {network.MAX_DEPTH})")
]
GRAPHML = "application/graphml+xml"


def _node(graph: nx.MultiDiGraph[str], key: str) -> GraphNodeRead:
    data: dict[str, Any] = dict(graph.nodes[key]) if key in graph else {}
    kind, _, public_id = key.partition(":")
    return GraphNodeRead(
        key=key,
        kind=EndpointKind(data.get("kind", kind)),
        id=data.get("id", public_id),
        name=data.get("name", ""),
        distance=data.get("distance"),
    )


def _edge(edge: dict[str, Any]) -> GraphEdgeRead:
    return GraphEdgeRead(
        id=edge["id"],
        kind=RelationshipKind(edge["kind"]),
        source=edge["source"],
        target=edge["target"],
        attributes=edge["attributes"],
    )


def _network(graph: nx.MultiDiGraph[str]) -> Response:
    # Built as plain JSON (attributes are JSON values already): validating tens of thousands of
    # nodes and edges through the response model again would take longer than the query.
    return JSONResponse(network.as_json(graph))


@router.get("/facilities/{facility_id}/upstream", response_model=NetworkRead, summary="What flows into a site")
def upstream(
    session: SessionDep, principal: Reader, facility_id: FacilityId, depth: Depth = service.DEFAULT_DEPTH
) -> Response:
    """The sites and recruiters upstream of a facility (its suppliers, their suppliers..., the
    recruiters and sub-agents placing workers), up to `depth` steps, among the links you may
    see. Each node carries its `distance`."""
    graph = service.neighbourhood(session, principal, public_id=facility_id, depth=depth, upstream=True)
    return _network(graph)


@router.get("/facilities/{facility_id}/downstream", response_model=NetworkRead, summary="Where a site's goods go")
def downstream(
    session: SessionDep, principal: Reader, facility_id: FacilityId, depth: Depth = service.DEFAULT_DEPTH
) -> Response:
    """The sites a facility supplies, theirs in turn, and the brands sourcing from them, up to
    `depth` steps, among the links you may see."""
    graph = service.neighbourhood(session, principal, public_id=facility_id, depth=depth, upstream=False)
    return _network(graph)


@router.get(
    "/network",
    response_model=NetworkRead,
    summary="Your whole network",
    responses={200: {"content": {GRAPHML: {"schema": {"type": "string"}}}}},
)
def whole_network(session: SessionDep, principal: Reader, format: Literal["json", "graphml"] = "json") -> Response:
    """Every active link you may see (all tiers, every kind) as nodes and edges; `format=graphml`
    returns GraphML (`application/graphml+xml`) for Gephi, yEd or networkx."""
    shaped = service.network_shape(session, principal)
    if format == "graphml":
        return Response(network.as_graphml(shaped), media_type=GRAPHML)
    return JSONResponse(shaped)


@router.get("/shared-suppliers", response_model=SharedSuppliersRead, summary="Suppliers you share")
def shared_suppliers(session: SessionDep, principal: Reader) -> SharedSuppliersRead:
    """Facilities your brand sources from that at least one other member brand also sources
    from, with how many do. Which ones is never shown, except the names of brands that allow it
    (`disclose_sourcing`). Most shared first."""
    found = service.shared_suppliers(session, principal)
    return SharedSuppliersRead(
        items=[
            SharedSupplierRead(
                facility_id=s.public_id,
                name=s.name,
                your_tier=s.tier,
                sharing_members=s.sharing_members,
                named_members=s.named_members,
            )
            for s in found
        ]
    )


@router.get(
    "/facilities/{facility_id}/recruitment-chains",
    response_model=RecruitmentChainsRead,
    summary="Recruiter paths into a site",
)
def recruitment_chains(session: SessionDep, principal: Reader, facility_id: FacilityId) -> RecruitmentChainsRead:
    """Every chain of recruiters placing workers at a facility, among the links you may see: a
    `recruits_for` link into the site, extended along the recruiter's `subcontracts` links (agent
    -> sub-agent) to each outermost sub-agent, with its depth, corridor and fees. Shortest first."""
    public_id, graph, chains = service.recruitment_chains(session, principal, public_id=facility_id)
    return RecruitmentChainsRead(
        facility_id=public_id,
        chains=[
            RecruitmentChainRead(
                recruiters=[_node(graph, key) for key in chain.recruiters],
                depth=chain.depth,
                recruits_for=chain.recruits_for,
                **{k: v for k, v in chain.attributes.items() if k in RecruitmentChainRead.model_fields},
            )
            for chain in chains
        ],
    )


@router.get("/path", response_model=PathRead, summary="How two nodes are linked")
def path(
    session: SessionDep,
    principal: Reader,
    start: Annotated[NodeRef, Query(alias="from", description="LL-..., LR-... or an organisation UUID")],
    goal: Annotated[NodeRef, Query(alias="to", description="LL-..., LR-... or an organisation UUID")],
) -> PathRead:
    """The fewest links you may see joining two nodes (followed in either direction); 404 when
    they are not connected by your visible links."""
    graph, keys = service.path(session, principal, start=start, goal=goal)
    return PathRead(
        nodes=[_node(graph, k) for k in keys],
        edges=[_edge(e) for e in network.links_along(graph, keys)],
        length=len(keys) - 1,
    )
