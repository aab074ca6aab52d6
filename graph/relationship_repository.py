"""SQL statements of relationships; readers take a policies scope object."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from graph.models import EndpointKind, Facility, Recruiter, Relationship, RelationshipKind, RelationshipVersion
from policies.models import Organization
from policies.visibility import RelationshipReadScope


def owned_facility_ids(organization_id: uuid.UUID) -> sa.Select[uuid.UUID]:
    """The live facilities the organisation owns and the records merged into them (links stated
    about a site before its merge are about the owned site)."""
    owned = sa.select(Facility.id).where(
        Facility.owner_organization_id == organization_id, Facility.merged_into_id.is_(None)
    )
    return sa.select(Facility.id).where(sa.or_(Facility.id.in_(owned), Facility.merged_into_id.in_(owned)))


def visible_relationships(scope: RelationshipReadScope) -> ColumnElement[bool]:
    """Contributed by the scope's organisation, or touching a facility it owns (operators: all)."""
    if scope.all_relationships:
        return sa.true()
    owned = owned_facility_ids(scope.own_organization_id)
    return sa.or_(
        Relationship.contributor_organization_id == scope.own_organization_id,
        sa.and_(Relationship.from_kind == EndpointKind.facility, Relationship.from_id.in_(owned)),
        sa.and_(Relationship.to_kind == EndpointKind.facility, Relationship.to_id.in_(owned)),
    )


def in_force(day: date) -> ColumnElement[bool]:
    """Is the link valid on ``day`` (open ends count as valid)?"""
    return sa.and_(
        sa.or_(Relationship.valid_from.is_(None), Relationship.valid_from <= day),
        sa.or_(Relationship.valid_to.is_(None), Relationship.valid_to >= day),
    )


def active(today: date) -> ColumnElement[bool]:
    """Not ended and valid today."""
    return sa.and_(Relationship.ended_at.is_(None), in_force(today))


def readable_relationships(scope: RelationshipReadScope) -> sa.Select[Relationship]:
    return sa.select(Relationship).where(visible_relationships(scope))


@dataclass(frozen=True, slots=True)
class RelationshipFilters:
    kind: RelationshipKind | None = None
    facility_id: uuid.UUID | None = None  # touching this facility (either end)
    recruiter_id: uuid.UUID | None = None  # touching this recruiter (either end)
    active: bool | None = None  # True: not ended and valid ``today``; False: the others
    as_of: date | None = None  # valid on that day (ended or not)
    today: date | None = None


def _touching(kind: EndpointKind, node_id: uuid.UUID) -> ColumnElement[bool]:
    """Either end is the record or one merged into it (a link stated before the merge)."""
    record = Facility if kind is EndpointKind.facility else Recruiter
    members = sa.select(record.id).where(sa.or_(record.id == node_id, record.merged_into_id == node_id))
    return sa.or_(
        sa.and_(Relationship.from_kind == kind, Relationship.from_id.in_(members)),
        sa.and_(Relationship.to_kind == kind, Relationship.to_id.in_(members)),
    )


def apply_filters(stmt: sa.Select[Relationship], filters: RelationshipFilters) -> sa.Select[Relationship]:
    if filters.kind is not None:
        stmt = stmt.where(Relationship.kind == filters.kind)
    if filters.facility_id is not None:
        stmt = stmt.where(_touching(EndpointKind.facility, filters.facility_id))
    if filters.recruiter_id is not None:
        stmt = stmt.where(_touching(EndpointKind.recruiter, filters.recruiter_id))
    if filters.active is not None and filters.today is not None:
        in_effect = active(filters.today)
        stmt = stmt.where(in_effect if filters.active else sa.not_(in_effect))
    if filters.as_of is not None:
        stmt = stmt.where(in_force(filters.as_of))
    return stmt


def page(
    session: Session, stmt: sa.Select[Relationship], *, after: uuid.UUID | None, limit: int
) -> Sequence[Relationship]:
    """Keyset pagination on the time-ordered id."""
    if after is not None:
        stmt = stmt.where(Relationship.id > after)
    return session.scalars(stmt.order_by(Relationship.id).limit(limit)).all()


def by_public_id(session: Session, scope: RelationshipReadScope, public_id: str) -> Relationship | None:
    stmt = readable_relationships(scope).where(Relationship.public_id == public_id)
    return session.scalars(stmt).first()


def public_id_taken(session: Session, public_id: str) -> bool:
    return session.scalar(sa.select(sa.func.count()).where(Relationship.public_id == public_id)) != 0


def active_duplicate(
    session: Session,
    *,
    kind: RelationshipKind,
    from_id: uuid.UUID,
    to_id: uuid.UUID,
    contributor_id: uuid.UUID,
    today: date,
) -> Relationship | None:
    """The contributor's active link of this kind between these ends, if it has one."""
    stmt = sa.select(Relationship).where(
        Relationship.kind == kind,
        Relationship.from_id == from_id,
        Relationship.to_id == to_id,
        Relationship.contributor_organization_id == contributor_id,
        active(today),
    )
    return session.scalars(stmt).first()


def next_hops(
    session: Session, scope: RelationshipReadScope, *, kind: RelationshipKind, from_ids: set[uuid.UUID], today: date
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(from, to) of the visible active links of ``kind`` leaving any of ``from_ids``."""
    stmt = sa.select(Relationship.from_id, Relationship.to_id).where(
        Relationship.kind == kind,
        Relationship.from_id.in_(from_ids),
        visible_relationships(scope),
        active(today),
    )
    return [(a, b) for a, b in session.execute(stmt)]


def brand_tiers(session: Session, brand_id: uuid.UUID, *, today: date) -> dict[uuid.UUID, int]:
    """The tier per facility of a brand's own active sources_from links."""
    stmt = sa.select(Relationship.to_id, Relationship.tier).where(
        Relationship.kind == RelationshipKind.sources_from,
        Relationship.contributor_organization_id == brand_id,
        Relationship.tier.is_not(None),
        active(today),
    )
    return {facility_id: tier for facility_id, tier in session.execute(stmt) if tier is not None}


def supplies_stated_by(
    session: Session, organization_id: uuid.UUID, *, today: date
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(supplier, customer) of the organisation's own active supplies links."""
    stmt = sa.select(Relationship.from_id, Relationship.to_id).where(
        Relationship.kind == RelationshipKind.supplies,
        Relationship.contributor_organization_id == organization_id,
        active(today),
    )
    return [(a, b) for a, b in session.execute(stmt)]


def versions_of(session: Session, relationship_id: uuid.UUID) -> Sequence[RelationshipVersion]:
    stmt = (
        sa.select(RelationshipVersion)
        .where(RelationshipVersion.relationship_id == relationship_id)
        .order_by(RelationshipVersion.version)
    )
    return session.scalars(stmt).all()


def last_version(session: Session, relationship_id: uuid.UUID) -> int:
    stmt = sa.select(sa.func.max(RelationshipVersion.version)).where(
        RelationshipVersion.relationship_id == relationship_id
    )
    return session.scalar(stmt) or 0


def endpoint_labels(
    session: Session, ends: Iterable[tuple[EndpointKind, uuid.UUID]]
) -> dict[tuple[EndpointKind, uuid.UUID], tuple[str, str]]:
    """(public id, name) of each end, one query per kind. Facilities and recruiters are visible to
    every member; organisation ends are only ever shown on links the reader may see."""
    wanted: dict[EndpointKind, set[uuid.UUID]] = {}
    for kind, node_id in ends:
        wanted.setdefault(kind, set()).add(node_id)
    labels: dict[tuple[EndpointKind, uuid.UUID], tuple[str, str]] = {}
    if ids := wanted.get(EndpointKind.facility):
        for fid, public_id, name in session.execute(
            sa.select(Facility.id, Facility.public_id, Facility.name).where(Facility.id.in_(ids))
        ):
            labels[(EndpointKind.facility, fid)] = (public_id, name)
    if ids := wanted.get(EndpointKind.recruiter):
        for rid, public_id, name in session.execute(
            sa.select(Recruiter.id, Recruiter.public_id, Recruiter.name).where(Recruiter.id.in_(ids))
        ):
            labels[(EndpointKind.recruiter, rid)] = (public_id, name)
    if ids := wanted.get(EndpointKind.organization):
        for oid, name in session.execute(
            sa.select(Organization.id, Organization.display_name).where(Organization.id.in_(ids))
        ):
            labels[(EndpointKind.organization, oid)] = (str(oid), name)
    return labels
