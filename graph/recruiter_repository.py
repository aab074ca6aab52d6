"""SQL statements of the recruiter registry and the corridors; readers take a policies scope object."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import ColumnElement

from core.clock import utcnow
from graph.models import Corridor, Recruiter, RecruiterCertification, RecruiterIdentifier, RecruiterMatchKey
from policies.visibility import CorridorReadScope, RecruiterReadScope

#: At most this many candidates are scored per new record (the best-connected first).
MAX_CANDIDATES = 200


def visible_recruiters(scope: RecruiterReadScope) -> ColumnElement[bool]:
    return sa.true() if scope.all_recruiters else sa.false()


def readable_recruiters(scope: RecruiterReadScope) -> sa.Select[Recruiter]:
    """Live (not merged-away) recruiters the scope may read, with identifiers and certifications."""
    return (
        sa.select(Recruiter)
        .where(visible_recruiters(scope), Recruiter.merged_into_id.is_(None))
        .options(selectinload(Recruiter.identifiers), selectinload(Recruiter.certifications))
    )


@dataclass(frozen=True, slots=True)
class RecruiterFilters:
    country: str | None = None
    operating_country: str | None = None
    fee_policy: str | None = None
    certified: str | None = None  # a scheme with a certification in force on ``today``
    name: str | None = None  # normalised words, each the start of a word of the name
    today: date | None = None


def in_force(today: date) -> ColumnElement[bool]:
    """Is a certification valid on ``today`` (an open end is in force)?"""
    return sa.and_(
        sa.or_(RecruiterCertification.valid_from.is_(None), RecruiterCertification.valid_from <= today),
        sa.or_(RecruiterCertification.valid_to.is_(None), RecruiterCertification.valid_to >= today),
    )


def apply_filters(stmt: sa.Select[Recruiter], filters: RecruiterFilters) -> sa.Select[Recruiter]:
    if filters.country:
        stmt = stmt.where(Recruiter.country == filters.country.upper())
    if filters.operating_country:
        # The JSON list as text, on both dialects: '["MY", "NP"]'. A quoted two-letter code cannot
        # occur inside another one.
        code = f'"{filters.operating_country.upper()}"'
        stmt = stmt.where(sa.cast(Recruiter.countries_of_operation, sa.Text).contains(code, autoescape=True))
    if filters.fee_policy:
        stmt = stmt.where(Recruiter.fee_policy == filters.fee_policy)
    if filters.certified:
        held = sa.select(RecruiterCertification.id).where(
            RecruiterCertification.recruiter_id == Recruiter.id,
            sa.func.lower(RecruiterCertification.scheme) == filters.certified.lower(),
            in_force(filters.today or utcnow().date()),
        )
        stmt = stmt.where(held.exists())
    if filters.name:
        padded = sa.literal(" ") + Recruiter.normalised_name
        for token in filters.name.split():
            stmt = stmt.where(padded.contains(f" {token}", autoescape=True))
    return stmt


def page(session: Session, stmt: sa.Select[Recruiter], *, after: uuid.UUID | None, limit: int) -> Sequence[Recruiter]:
    """Keyset pagination on the time-ordered id: stable while rows are added."""
    if after is not None:
        stmt = stmt.where(Recruiter.id > after)
    return session.scalars(stmt.order_by(Recruiter.id).limit(limit)).all()


def _one(session: Session, scope: RecruiterReadScope, condition: ColumnElement[bool]) -> Recruiter | None:
    stmt = (
        sa.select(Recruiter)
        .where(visible_recruiters(scope), condition)
        .options(
            selectinload(Recruiter.identifiers),
            selectinload(Recruiter.certifications),
            selectinload(Recruiter.contributions),
        )
    )
    return session.scalars(stmt).first()


def by_public_id(session: Session, scope: RecruiterReadScope, public_id: str) -> Recruiter | None:
    """The recruiter with this public id, merged or not (the caller follows ``merged_into_id``)."""
    return _one(session, scope, Recruiter.public_id == public_id)


def by_id(session: Session, scope: RecruiterReadScope, recruiter_id: uuid.UUID) -> Recruiter | None:
    return _one(session, scope, Recruiter.id == recruiter_id)


def licence_holder(session: Session, key: str) -> uuid.UUID | None:
    return session.scalar(sa.select(Recruiter.id).where(Recruiter.licence_key == key))


def identifier_owner(session: Session, scheme: str, value: str) -> uuid.UUID | None:
    return session.scalar(
        sa.select(RecruiterIdentifier.recruiter_id).where(
            RecruiterIdentifier.scheme == scheme, RecruiterIdentifier.value == value
        )
    )


def public_id_taken(session: Session, public_id: str) -> bool:
    return session.scalar(sa.select(sa.func.count()).where(Recruiter.public_id == public_id)) != 0


def replace_match_keys(session: Session, recruiter_id: uuid.UUID, key_hashes: set[str]) -> None:
    session.execute(sa.delete(RecruiterMatchKey).where(RecruiterMatchKey.recruiter_id == recruiter_id))
    if key_hashes:
        session.execute(
            sa.insert(RecruiterMatchKey), [{"recruiter_id": recruiter_id, "key_hash": k} for k in sorted(key_hashes)]
        )


def recruiters_sharing_keys(
    session: Session, scope: RecruiterReadScope, key_hashes: set[str], *, exclude: uuid.UUID | None = None
) -> Sequence[Recruiter]:
    """Live visible recruiters filed under any of these keys, most keys shared first."""
    if not key_hashes:
        return []
    shared = (
        sa.select(RecruiterMatchKey.recruiter_id, sa.func.count().label("shared"))
        .where(RecruiterMatchKey.key_hash.in_(sorted(key_hashes)))
        .group_by(RecruiterMatchKey.recruiter_id)
        .subquery()
    )
    stmt = (
        readable_recruiters(scope)
        .join(shared, shared.c.recruiter_id == Recruiter.id)
        .order_by(shared.c.shared.desc(), Recruiter.id)
        .limit(MAX_CANDIDATES)
    )
    if exclude is not None:
        stmt = stmt.where(Recruiter.id != exclude)
    return session.scalars(stmt).all()


# --- corridors ------------------------------------------------------------------------------------


def visible_corridors(scope: CorridorReadScope) -> ColumnElement[bool]:
    return sa.true() if scope.all_corridors else sa.false()


def readable_corridors(scope: CorridorReadScope) -> sa.Select[Corridor]:
    return sa.select(Corridor).where(visible_corridors(scope))


def corridor_by_id(session: Session, scope: CorridorReadScope, corridor_id: uuid.UUID) -> Corridor | None:
    return session.scalars(readable_corridors(scope).where(Corridor.id == corridor_id)).first()


def corridor_by_route(session: Session, *, origin: str, destination: str, sector: str) -> Corridor | None:
    """The corridor of this route, the sector compared without case ("" = every sector)."""
    stmt = sa.select(Corridor).where(
        Corridor.origin_country == origin,
        Corridor.destination_country == destination,
        sa.func.lower(Corridor.sector) == sector.lower(),
    )
    return session.scalars(stmt).first()


@dataclass(frozen=True, slots=True)
class CorridorFilters:
    origin_country: str | None = None
    destination_country: str | None = None
    sector: str | None = None


def corridor_page(
    session: Session,
    scope: CorridorReadScope,
    filters: CorridorFilters,
    *,
    after: uuid.UUID | None,
    limit: int,
) -> Sequence[Corridor]:
    stmt = readable_corridors(scope)
    if filters.origin_country:
        stmt = stmt.where(Corridor.origin_country == filters.origin_country.upper())
    if filters.destination_country:
        stmt = stmt.where(Corridor.destination_country == filters.destination_country.upper())
    if filters.sector is not None:
        stmt = stmt.where(sa.func.lower(Corridor.sector) == filters.sector.lower())
    if after is not None:
        stmt = stmt.where(Corridor.id > after)
    return session.scalars(stmt.order_by(Corridor.id).limit(limit)).all()
