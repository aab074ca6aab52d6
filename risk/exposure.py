"""A brand's exposure: every site its visible links reach, upstream from the brand (its sourcing
links, then the supply links into those sites, and so on), with the site's stored score, its tier
and the path that reaches it; totals by tier and by country.

The tier of a site is the tier the brand stated on the sourcing link that starts its shortest
path, plus one per supply step after it. Sites no member has mapped further upstream (tier < 4 with
no visible supply link into them) add to ``unmapped_upstream_tiers``: unknowns widen the
uncertainty, they never raise a score.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import fmean

import networkx as nx
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.principal import Principal
from graph import network
from graph import network_service as graph_network
from graph.models import EndpointKind, Facility, RelationshipKind
from risk.models import RiskScore, ScoredKind

#: Raw materials are tier 4 (DOMAIN.md): a site above it with no known supplier hides tiers.
DEEPEST_TIER = 4
HIGH = ("high", "severe")


@dataclass(frozen=True, slots=True)
class ExposedSite:
    public_id: str
    name: str
    country: str
    tier: int
    score: float | None
    band: str | None
    path: list[str]


@dataclass(frozen=True, slots=True)
class Total:
    key: str
    sites: int
    scored: int
    mean_score: float | None
    max_score: float | None
    high_or_severe: int


@dataclass(frozen=True, slots=True)
class Exposure:
    sites: list[ExposedSite]
    by_tier: list[Total]
    by_country: list[Total]
    unmapped_upstream_tiers: int
    recruiters: int = 0
    notes: list[str] = field(default_factory=list)


def _tier_of(graph: nx.MultiDiGraph[str], path: list[str]) -> int:
    """Stated tier of the first (sourcing) link, plus one per supply step after it."""
    first = graph.get_edge_data(path[0], path[1]) or {}
    stated = [d.get("tier") for d in first.values() if d.get("kind") == RelationshipKind.sources_from.value]
    start = min((t for t in stated if isinstance(t, int)), default=1)
    return start + len(path) - 2


def _totals(sites: list[ExposedSite], key: str) -> list[Total]:
    groups: dict[str, list[ExposedSite]] = defaultdict(list)
    for site in sites:
        groups[str(getattr(site, key))].append(site)
    totals = []
    for name, members in sorted(groups.items()):
        scores = [s.score for s in members if s.score is not None]
        totals.append(
            Total(
                key=name,
                sites=len(members),
                scored=len(scores),
                mean_score=round(fmean(scores), 2) if scores else None,
                max_score=max(scores) if scores else None,
                high_or_severe=sum(1 for s in members if s.band in HIGH),
            )
        )
    return totals


def exposure(session: Session, principal: Principal) -> Exposure:
    graph = graph_network.whole_network(session, principal)
    brand = network.node_key(EndpointKind.organization, str(principal.organization_id))
    if brand not in graph:
        return Exposure([], [], [], 0)
    flows = network.flow(graph)
    paths = nx.single_source_shortest_path(flows.reverse(copy=False), brand)
    facility_keys = [k for k in paths if graph.nodes[k].get("kind") == EndpointKind.facility.value]
    ids = [graph.nodes[k]["id"] for k in facility_keys]
    facts = {
        public_id: (name, country, score, band)
        for public_id, name, country, score, band in session.execute(
            sa.select(Facility.public_id, Facility.name, Facility.country, RiskScore.score, RiskScore.band)
            .outerjoin(
                RiskScore, sa.and_(RiskScore.subject_kind == ScoredKind.facility, RiskScore.subject_id == Facility.id)
            )
            .where(Facility.public_id.in_(ids))
        )
    }
    sites = []
    unmapped = 0
    for key in facility_keys:
        public_id = graph.nodes[key]["id"]
        name, country, score, band = facts.get(public_id, (graph.nodes[key].get("name", ""), "", None, None))
        path = paths[key]
        tier = _tier_of(graph, path)
        suppliers = [s for s in flows.predecessors(key) if graph.nodes[s].get("kind") == EndpointKind.facility.value]
        if not suppliers and tier < DEEPEST_TIER:
            unmapped += DEEPEST_TIER - tier
        sites.append(ExposedSite(public_id, name, country, tier, score, band, [graph.nodes[n]["id"] for n in path[1:]]))
    sites.sort(key=lambda s: (-(s.score or 0.0), s.tier, s.public_id))
    recruiters = sum(1 for k in paths if graph.nodes[k].get("kind") == EndpointKind.recruiter.value)
    return Exposure(sites, _totals(sites, "tier"), _totals(sites, "country"), unmapped, recruiters)
