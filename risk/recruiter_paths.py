"""Recruiter paths into sites, read from the database in set-based queries (one query per chain
level): each active ``recruits_for`` link into a site, followed back through active
``subcontracts`` links (agent -> sub-agent) to the top agent, weighted by the corridor the link
recruits on. The rules are in ``risk.gather``'s docstring and docs/risk-method.md."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph import merge_store
from graph.models import Corridor, EndpointKind, FeePayer, Recruiter, RecruiterCertification, Relationship
from graph.models import RelationshipKind as Kind
from graph.relationship_repository import active
from risk.inputs import RecruiterPath
from risk.reference.models import CorridorWeight, ReferenceEdition
from risk.reference.store import CORRIDOR_WEIGHTS

#: Longest recruiter chain followed back from a site (guards against cycles in stated links).
MAX_CHAIN = 6

#: Each record id, merged-away members included, to the live record its links count for
#: (``graph.merge_store.members``).
Owners = Mapping[uuid.UUID, uuid.UUID]


def links_into(kind: Kind, ids: Iterable[uuid.UUID], today: date) -> sa.ColumnElement[bool]:
    return sa.and_(
        Relationship.kind == kind,
        Relationship.to_kind == (EndpointKind.recruiter if kind is Kind.subcontracts else EndpointKind.facility),
        Relationship.to_id.in_(list(ids)),
        active(today),
    )


def paths_into(session: Session, sites: Owners, today: date) -> dict[uuid.UUID, list[RecruiterPath]]:
    """The recruiter paths into the sites (keys of ``sites``), listed under the site each counts for."""
    links = session.execute(
        sa.select(
            Relationship.to_id,
            Relationship.from_id,
            Relationship.public_id,
            Relationship.fee_payer,
            Relationship.fee_per_worker,
            Relationship.fee_currency,
            Relationship.corridor_id,
        )
        .where(links_into(Kind.recruits_for, sites, today), Relationship.from_kind == EndpointKind.recruiter)
        .order_by(Relationship.public_id)
    ).all()
    if not links:
        return {}
    placing = merge_store.survivors(session, Recruiter, {link.from_id for link in links})
    parents = _agents_above(session, {placing.get(link.from_id, link.from_id) for link in links}, today)
    recruiter_ids = set(parents) | {placing.get(link.from_id, link.from_id) for link in links}
    recruiter_ids |= {agent for above in parents.values() for agent, _ in above}
    licensed, certified = _recruiter_standing(session, recruiter_ids, today)
    weights = corridor_weights(session, {link.corridor_id for link in links if link.corridor_id is not None})
    by_site: dict[uuid.UUID, list[RecruiterPath]] = defaultdict(list)
    for link in links:
        usd = link.fee_per_worker if (link.fee_currency or "").upper() == "USD" else None
        for chain, refs in _chains(placing.get(link.from_id, link.from_id), parents):
            by_site[sites[link.to_id]].append(
                RecruiterPath(
                    ref="+".join([link.public_id, *refs]),
                    depth=len(chain),
                    fee_payer=link.fee_payer or FeePayer.unknown,
                    fee_per_worker_usd=usd,
                    licensed=all(r in licensed for r in chain),
                    certified=all(r in certified for r in chain),
                    corridor_weight=weights.get(link.corridor_id, 0.0) if link.corridor_id is not None else 0.0,
                )
            )
    return by_site


def corridor_weights(session: Session, corridor_ids: set[uuid.UUID]) -> dict[uuid.UUID, float]:
    """Each corridor's weight in the latest imported corridor-weights edition: the row of its route
    and sector (compared without case), else the route's any-sector row (sector ''); corridors with
    neither (or no edition at all) are left out, i.e. weigh 0. Two queries, whatever the count."""
    if not corridor_ids:
        return {}
    corridors = session.execute(
        sa.select(Corridor.id, Corridor.origin_country, Corridor.destination_country, Corridor.sector).where(
            Corridor.id.in_(list(corridor_ids))
        )
    ).all()
    latest = (
        sa.select(ReferenceEdition.id)
        .where(ReferenceEdition.kind == CORRIDOR_WEIGHTS)
        .order_by(ReferenceEdition.imported_at.desc(), ReferenceEdition.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(
            CorridorWeight.origin_country,
            CorridorWeight.destination_country,
            CorridorWeight.sector,
            CorridorWeight.weight,
        ).where(
            CorridorWeight.edition_id == latest,
            CorridorWeight.origin_country.in_(sorted({c.origin_country for c in corridors})),
            CorridorWeight.destination_country.in_(sorted({c.destination_country for c in corridors})),
        )
    ).all()
    table = {(r.origin_country, r.destination_country, r.sector.casefold()): r.weight for r in rows}
    found: dict[uuid.UUID, float] = {}
    for c in corridors:
        route = (c.origin_country, c.destination_country)
        weight = table.get((*route, c.sector.casefold()), table.get((*route, "")))
        if weight is not None:
            found[c.id] = weight
    return found


def _agents_above(
    session: Session, recruiter_ids: set[uuid.UUID], today: date
) -> dict[uuid.UUID, list[tuple[uuid.UUID, str]]]:
    """Sub-agent -> [(agent, link public id)], level by level up to ``MAX_CHAIN`` (three queries a
    level), between live recruiters: a link stated about a merged-away agency counts for its survivor."""
    parents: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = defaultdict(list)
    frontier, seen = set(recruiter_ids), set(recruiter_ids)
    for _ in range(MAX_CHAIN - 1):
        if not frontier:
            break
        owner = merge_store.members(session, Recruiter, frontier)
        rows = session.execute(
            sa.select(Relationship.to_id, Relationship.from_id, Relationship.public_id)
            .where(links_into(Kind.subcontracts, owner, today), Relationship.from_kind == EndpointKind.recruiter)
            .order_by(Relationship.public_id)
        ).all()
        live = merge_store.survivors(session, Recruiter, {agent for _, agent, _ in rows})
        for sub_agent, agent, public_id in rows:
            parents[owner[sub_agent]].append((live.get(agent, agent), public_id))
        frontier = {live.get(agent, agent) for _, agent, _ in rows} - seen
        seen |= frontier
    return parents


def _chains(
    start: uuid.UUID, parents: dict[uuid.UUID, list[tuple[uuid.UUID, str]]]
) -> list[tuple[list[uuid.UUID], list[str]]]:
    """Every chain from ``start`` up to an agent with no agent above it (cycles cut)."""
    done: list[tuple[list[uuid.UUID], list[str]]] = []
    stack: list[tuple[list[uuid.UUID], list[str]]] = [([start], [])]
    while stack:
        chain, refs = stack.pop()
        above = [(a, ref) for a, ref in parents.get(chain[-1], []) if a not in chain]
        if not above or len(chain) >= MAX_CHAIN:
            done.append((chain, refs))
            continue
        stack.extend(([*chain, agent], [*refs, ref]) for agent, ref in reversed(above))
    return done


def _recruiter_standing(
    session: Session, recruiter_ids: set[uuid.UUID], today: date
) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    ids = list(recruiter_ids)
    licensed = set(
        session.scalars(
            sa.select(Recruiter.id).where(
                Recruiter.id.in_(ids), Recruiter.licence_number.is_not(None), Recruiter.licence_number != ""
            )
        )
    )
    certified = set(
        session.scalars(
            sa.select(RecruiterCertification.recruiter_id).where(
                RecruiterCertification.recruiter_id.in_(ids),
                sa.or_(RecruiterCertification.valid_from.is_(None), RecruiterCertification.valid_from <= today),
                sa.or_(RecruiterCertification.valid_to.is_(None), RecruiterCertification.valid_to >= today),
            )
        )
    )
    return licensed, certified


def sites_served(session: Session, ids: Iterable[uuid.UUID], today: date) -> list[uuid.UUID]:
    """Sites the recruiters ``ids`` place workers at, themselves or through their sub-agents (level
    by level; links stated about a recruiter merged into one of them count)."""
    frontier = seen = set(merge_store.members(session, Recruiter, ids))
    for _ in range(MAX_CHAIN - 1):
        below = set(
            session.scalars(
                sa.select(Relationship.to_id).where(
                    Relationship.kind == Kind.subcontracts,
                    Relationship.from_kind == EndpointKind.recruiter,
                    Relationship.from_id.in_(list(frontier)),
                    active(today),
                )
            )
        )
        live = merge_store.survivors(session, Recruiter, below)
        frontier = set(merge_store.members(session, Recruiter, {live.get(r, r) for r in below})) - seen
        if not frontier:
            break
        seen = seen | frontier
    return list(
        session.scalars(
            sa.select(Relationship.to_id)
            .where(
                Relationship.kind == Kind.recruits_for,
                Relationship.from_kind == EndpointKind.recruiter,
                Relationship.to_kind == EndpointKind.facility,
                Relationship.from_id.in_(list(seen)),
                active(today),
            )
            .distinct()
        )
    )
