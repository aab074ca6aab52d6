"""SQL statements of the supplier graph; readers take a policies scope object."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import ColumnElement

from core.geo import BBox, distance_m, in_bbox, within
from graph import merge_store
from graph.merge_store import MergeTables
from graph.models import (
    ClaimStatus,
    Facility,
    FacilityClaim,
    FacilityContribution,
    FacilityIdentifier,
    FacilityMatchDecision,
    FacilityMatchKey,
    FacilityMerge,
)
from policies.visibility import ClaimReadScope, FacilityReadScope


def visible_facilities(scope: FacilityReadScope) -> ColumnElement[bool]:
    return sa.true() if scope.all_facilities else sa.false()


def readable_facilities(scope: FacilityReadScope) -> sa.Select[Facility]:
    """Live (not merged-away) facilities the scope may read, with their identifiers."""
    return (
        sa.select(Facility)
        .where(visible_facilities(scope), Facility.merged_into_id.is_(None))
        .options(selectinload(Facility.identifiers))
    )


@dataclass(frozen=True, slots=True)
class FacilityFilters:
    country: str | None = None
    sector: str | None = None
    name: str | None = None
    bbox: BBox | None = None
    near: tuple[float, float, float] | None = None  # lon, lat, radius in metres
    within_wkt: str | None = None
    within_bbox: BBox | None = None  # the polygon's bounds, for the index


def apply_filters(stmt: sa.Select[Facility], filters: FacilityFilters, *, dialect: str) -> sa.Select[Facility]:
    def box(b: BBox) -> ColumnElement[bool]:
        return in_bbox(Facility.location, table=Facility.__tablename__, dialect=dialect, box=b)

    if filters.country:
        stmt = stmt.where(Facility.country == filters.country)
    if filters.sector:
        stmt = stmt.where(sa.func.lower(Facility.sector) == filters.sector.lower())
    if filters.name:
        # Each word must begin a word of the name ("weij" finds "Weijie"); a plain substring test
        # let "eijie" or a single letter match inside unrelated words.
        padded = sa.literal(" ") + Facility.normalised_name
        for token in filters.name.split():
            stmt = stmt.where(padded.contains(f" {token}", autoescape=True))
    if filters.bbox:
        stmt = stmt.where(box(filters.bbox))
    if filters.near:
        lon, lat, radius = filters.near
        stmt = stmt.where(box(BBox.around(lon, lat, radius)), distance_m(Facility.location, lon, lat) <= radius)
    if filters.within_wkt and filters.within_bbox:
        stmt = stmt.where(box(filters.within_bbox), within(Facility.location, filters.within_wkt))
    return stmt


def page(session: Session, stmt: sa.Select[Facility], *, after: uuid.UUID | None, limit: int) -> Sequence[Facility]:
    """Keyset pagination on the time-ordered id: stable while rows are added."""
    if after is not None:
        stmt = stmt.where(Facility.id > after)
    return session.scalars(stmt.order_by(Facility.id).limit(limit)).all()


def by_public_id(session: Session, scope: FacilityReadScope, public_id: str) -> Facility | None:
    """The facility with this public id, merged or not (the caller follows ``merged_into_id``)."""
    stmt = (
        sa.select(Facility)
        .where(visible_facilities(scope), Facility.public_id == public_id)
        .options(selectinload(Facility.identifiers), selectinload(Facility.contributions))
    )
    return session.scalars(stmt).first()


def by_id(session: Session, scope: FacilityReadScope, facility_id: uuid.UUID) -> Facility | None:
    stmt = (
        sa.select(Facility)
        .where(visible_facilities(scope), Facility.id == facility_id)
        .options(selectinload(Facility.identifiers), selectinload(Facility.contributions))
    )
    return session.scalars(stmt).first()


def identifier_owner(session: Session, scheme: str, value: str) -> uuid.UUID | None:
    return session.scalar(
        sa.select(FacilityIdentifier.facility_id).where(
            FacilityIdentifier.scheme == scheme, FacilityIdentifier.value == value
        )
    )


def public_id_taken(session: Session, public_id: str) -> bool:
    return session.scalar(sa.select(sa.func.count()).where(Facility.public_id == public_id)) != 0


def visible_claims(scope: ClaimReadScope) -> ColumnElement[bool]:
    if scope.all_claims:
        return sa.true()
    return FacilityClaim.claimant_organization_id == scope.own_organization_id


def readable_claims(scope: ClaimReadScope) -> sa.Select[FacilityClaim]:
    return sa.select(FacilityClaim).where(visible_claims(scope))


def pending_claims_of(session: Session, facility_id: uuid.UUID) -> Sequence[FacilityClaim]:
    stmt = sa.select(FacilityClaim).where(
        FacilityClaim.facility_id == facility_id, FacilityClaim.status == ClaimStatus.pending
    )
    return session.scalars(stmt).all()


#: At most this many candidates are scored per new record (the best-connected first): a common
#: word such as a city name can otherwise put thousands of sites in one block.
MAX_CANDIDATES = 50
#: A blocking key filed under more facilities than this is *crowded*: it tells sites apart no
#: better than the country does (a 5 km cell of an industrial district, a word like "fashion"
#: in Bangladesh), and following it would cost time growing with the registry. It makes no
#: candidates; the other keys of a row (rarer words, identifiers, quieter cells) still do.
MAX_BLOCK = 100
#: Values per IN list: far below SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
KEYS_PER_QUERY = 5_000


def key_counts(session: Session, key_hashes: set[str]) -> dict[str, int]:
    """How many facilities are filed under each of these keys (keys filed under none are absent)."""
    counts: dict[str, int] = {}
    keys = sorted(key_hashes)
    for start in range(0, len(keys), KEYS_PER_QUERY):
        stmt = (
            sa.select(FacilityMatchKey.key_hash, sa.func.count())
            .where(FacilityMatchKey.key_hash.in_(keys[start : start + KEYS_PER_QUERY]))
            .group_by(FacilityMatchKey.key_hash)
        )
        counts.update((key, int(n)) for key, n in session.execute(stmt))
    return counts


def crowded(counts: dict[str, int], key: str) -> bool:
    return counts.get(key, 0) > MAX_BLOCK


def replace_match_keys(session: Session, facility_id: uuid.UUID, key_hashes: set[str]) -> None:
    session.execute(sa.delete(FacilityMatchKey).where(FacilityMatchKey.facility_id == facility_id))
    if key_hashes:
        session.execute(
            sa.insert(FacilityMatchKey), [{"facility_id": facility_id, "key_hash": k} for k in sorted(key_hashes)]
        )


def facilities_sharing_keys(
    session: Session, scope: FacilityReadScope, key_hashes: set[str], *, exclude: uuid.UUID | None = None
) -> Sequence[Facility]:
    """Live visible facilities filed under any of these keys (crowded keys left out), most keys
    shared first."""
    counts = key_counts(session, key_hashes)
    key_hashes = {key for key in key_hashes if not crowded(counts, key)}
    if not key_hashes:
        return []
    shared = (
        sa.select(FacilityMatchKey.facility_id, sa.func.count().label("shared"))
        .where(FacilityMatchKey.key_hash.in_(sorted(key_hashes)))
        .group_by(FacilityMatchKey.facility_id)
        .subquery()
    )
    stmt = (
        readable_facilities(scope)
        .join(shared, shared.c.facility_id == Facility.id)
        .order_by(shared.c.shared.desc(), Facility.id)
        .limit(MAX_CANDIDATES)
    )
    if exclude is not None:
        stmt = stmt.where(Facility.id != exclude)
    return session.scalars(stmt).all()


#: The facility tables a merge moves statements in (see graph/merge_store.py).
FACILITY_TABLES = MergeTables(
    record=Facility,
    statements=(FacilityContribution, FacilityIdentifier),
    contributions=FacilityContribution,
    record_column="facility_id",
    origin_column="origin_facility_id",
    merges=FacilityMerge,
    decisions=FacilityMatchDecision,
    decision_columns=("facility_id", "candidate_facility_id"),
)


def contributor_ids(session: Session, facility_id: uuid.UUID) -> set[uuid.UUID]:
    """Organisations that stated something about this facility (moved statements included)."""
    return merge_store.contributor_ids(session, FACILITY_TABLES, facility_id)
