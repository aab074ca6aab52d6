"""Risk carried in from suppliers: the ``upstream`` component of a site's score.

A direct supplier (an active ``supplies`` link into the site, stated by any member) carries the
larger of its own score / 100 and ``attenuation`` x the largest risk its own suppliers carry, up to
``max_depth`` tiers above the site (``risk/method.toml`` [upstream]). "Own" means every component
but upstream (``scoring.own_points``): a chain never counts the same risk twice, and one site's
score depends on the own scores of the sites above it, not on their upstream terms, so one pass
of own scores followed by one pass of upstream terms scores a whole network, cycles included.

The pure part (``carried_risk``, ``Upstream``) takes the links and the own scores; the rest reads them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph import merge_store
from graph.models import EndpointKind, Facility, Relationship
from graph.models import RelationshipKind as Kind
from graph.relationship_repository import active
from risk.inputs import SupplierRisk
from risk.method import Method
from risk.models import RiskScore, ScoredKind
from risk.recruiter_paths import links_into


@dataclass(frozen=True, slots=True)
class SupplyLink:
    """An active ``supplies`` link: ``supplier`` -> ``site``."""

    supplier: uuid.UUID
    site: uuid.UUID
    link: str  # the link's public id
    supplier_public_id: str


def carried_risk(links: Sequence[SupplyLink], own: Mapping[uuid.UUID, float], method: Method) -> dict[uuid.UUID, float]:
    """For every supplier of ``links``: the risk (0-1) it carries, following ``max_depth - 1`` tiers
    above it. A supplier without an own score carries what its suppliers pass on, or 0."""
    weights = method.upstream
    suppliers_of: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for link in links:
        suppliers_of[link.site].add(link.supplier)
    nodes = {link.supplier for link in links}
    base = {node: min(max(own.get(node, 0.0), 0.0), 100.0) / 100.0 for node in nodes}
    carried = dict(base)
    for _ in range(weights.max_depth - 1):
        carried = {
            node: max(
                base[node],
                weights.attenuation * max((carried[above] for above in suppliers_of.get(node, ())), default=0.0),
            )
            for node in nodes
        }
    return {node: round(value, 6) for node, value in carried.items()}


class Upstream:
    """The links and the risk each supplier carries, computed once; ``for_sites`` assembles each
    site's ``SupplierRisk`` items (one per supplier, with every link stating it, sorted by ref)."""

    def __init__(self, links: Sequence[SupplyLink], own: Mapping[uuid.UUID, float], method: Method) -> None:
        self._carried = carried_risk(links, own, method)
        self._into: dict[uuid.UUID, list[SupplyLink]] = defaultdict(list)
        for link in links:
            if link.supplier != link.site:
                self._into[link.site].append(link)

    def for_sites(self, sites: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[SupplierRisk, ...]]:
        out: dict[uuid.UUID, tuple[SupplierRisk, ...]] = {}
        for site in sites:
            stated: dict[uuid.UUID, list[str]] = defaultdict(list)
            public: dict[uuid.UUID, str] = {}
            for link in self._into.get(site, ()):
                stated[link.supplier].append(link.link)
                public[link.supplier] = link.supplier_public_id
            if stated:
                out[site] = tuple(
                    sorted(
                        (
                            SupplierRisk(f"{public[s]}|{'+'.join(sorted(refs))}", self._carried[s])
                            for s, refs in stated.items()
                        ),
                        key=lambda r: r.ref,
                    )
                )
        return out


def _links(
    session: Session, where: sa.ColumnElement[bool], live: Mapping[uuid.UUID, uuid.UUID] | None = None
) -> list[SupplyLink]:
    """The links, between live facilities: a link stated about a merged-away facility joins the
    facility it was merged into (``live``: merged-away -> survivor; looked up when None)."""
    rows = session.execute(
        sa.select(Relationship.from_id, Relationship.to_id, Relationship.public_id, Facility.public_id)
        .join(Facility, Facility.id == Relationship.from_id)
        .where(where, Relationship.from_kind == EndpointKind.facility)
        .order_by(Relationship.public_id)
    ).all()
    if live is None:
        live = merge_store.survivors(session, Facility, {r[0] for r in rows} | {r[1] for r in rows})
    moved = {live[r[0]] for r in rows if r[0] in live}
    stmt = sa.select(Facility.id, Facility.public_id).where(Facility.id.in_(list(moved)))
    public = dict(session.execute(stmt).all()) if moved else {}
    return [
        SupplyLink(
            live.get(supplier, supplier),
            live.get(site, site),
            link,
            public.get(live.get(supplier, supplier), public_id),
        )
        for supplier, site, link, public_id in rows
    ]


def links_above(session: Session, ids: Iterable[uuid.UUID], today: date, method: Method) -> list[SupplyLink]:
    """Active ``supplies`` links into ``ids`` and, tier by tier, into their suppliers, up to
    ``max_depth`` tiers (a few queries a tier)."""
    frontier, seen = set(ids), set(ids)
    found: list[SupplyLink] = []
    for _ in range(method.upstream.max_depth):
        if not frontier:
            break
        level = _links(session, links_into(Kind.supplies, merge_store.members(session, Facility, frontier), today))
        found.extend(level)
        frontier = {link.supplier for link in level} - seen
        seen |= frontier
    return found


def all_links(session: Session, today: date) -> list[SupplyLink]:
    """Every active ``supplies`` link, between live facilities (the whole-network recompute)."""
    return _links(
        session,
        sa.and_(Relationship.kind == Kind.supplies, Relationship.to_kind == EndpointKind.facility, active(today)),
        merge_store.survivors(session, Facility),
    )


def own_of_components(components: Sequence[Mapping[str, Any]]) -> float:
    """A stored score's own points (every component but upstream)."""
    return round(sum(float(c["points"]) for c in components if c["name"] != "upstream"), 2)


def stored_own_scores(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, float]:
    """Own scores of the facilities of ``ids`` that have a stored score."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        sa.select(RiskScore.subject_id, RiskScore.components).where(
            RiskScore.subject_kind == ScoredKind.facility, RiskScore.subject_id.in_(wanted)
        )
    ).all()
    return {subject_id: own_of_components(components) for subject_id, components in rows}


def customers_within(session: Session, ids: Iterable[uuid.UUID], today: date, method: Method) -> set[uuid.UUID]:
    """Sites that ``ids`` supply, directly or through up to ``max_depth`` tiers (not ``ids`` themselves):
    the scores a change of their own scores touches."""
    frontier, seen = set(ids), set(ids)
    reached: set[uuid.UUID] = set()
    for _ in range(method.upstream.max_depth):
        if not frontier:
            break
        below = set(
            session.scalars(
                sa.select(Relationship.to_id).where(
                    Relationship.kind == Kind.supplies,
                    Relationship.from_kind == EndpointKind.facility,
                    Relationship.to_kind == EndpointKind.facility,
                    Relationship.from_id.in_(list(merge_store.members(session, Facility, frontier))),
                    active(today),
                )
            )
        )
        live = merge_store.survivors(session, Facility, below)
        frontier = {live.get(site, site) for site in below} - seen
        seen |= frontier
        reached |= frontier
    return reached
