"""SQL statements of bulk registration (graph/bulk.py): a few queries per chunk of rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from graph.models import Facility, FacilityIdentifier, FacilityMatchKey
from graph.repository import visible_facilities
from policies.visibility import FacilityReadScope

#: Values per IN list: far below SQLite's 32,766 bound parameters and PostgreSQL's 65,535.
BATCH = 5_000


def _batches(values: Iterable[object]) -> Iterator[list[object]]:
    items = sorted(values)  # type: ignore[type-var]
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _hex(column: InstrumentedAttribute[uuid.UUID]) -> sa.ColumnElement[str]:
    """A UUID column as 32 hex digits: the same text on both dialects, read without building UUID
    objects (tens of thousands per chunk), and in the same order as the UUIDs."""
    return sa.func.lower(sa.func.replace(sa.cast(column, sa.String), "-", ""))


def filed_under(session: Session, scope: FacilityReadScope, key_hashes: set[str]) -> list[tuple[str, str]]:
    """(facility id as hex, key) for every live visible facility filed under one of these keys.

    Two steps: joining facilities in the first query made SQLite's planner walk every facility
    (its merged_into_id index matches them all) instead of the key index."""
    pairs: list[tuple[str, str]] = []
    for batch in _batches(key_hashes):
        stmt = sa.select(_hex(FacilityMatchKey.facility_id), FacilityMatchKey.key_hash).where(
            FacilityMatchKey.key_hash.in_(batch)
        )
        pairs.extend((row[0], row[1]) for row in session.execute(stmt))
    live: set[str] = set()
    for ids in _batches({uuid.UUID(hex=facility_id) for facility_id, _ in pairs}):
        live.update(
            session.scalars(
                sa.select(_hex(Facility.id)).where(
                    Facility.id.in_(ids), visible_facilities(scope), Facility.merged_into_id.is_(None)
                )
            )
        )
    return [(facility_id, key) for facility_id, key in pairs if facility_id in live]


def facilities_by_id(session: Session, ids: Iterable[uuid.UUID]) -> Sequence[Facility]:
    """The facilities with these ids and their identifiers (the ids come from ``filed_under``)."""
    found: list[Facility] = []
    for batch in _batches(ids):
        stmt = sa.select(Facility).where(Facility.id.in_(batch)).options(selectinload(Facility.identifiers))
        found.extend(session.scalars(stmt))
    return found


def identifier_owners(session: Session, identifiers: set[tuple[str, str]]) -> dict[tuple[str, str], uuid.UUID]:
    owners: dict[tuple[str, str], uuid.UUID] = {}
    values = {value for _, value in identifiers}
    for batch in _batches(values):
        stmt = sa.select(FacilityIdentifier.scheme, FacilityIdentifier.value, FacilityIdentifier.facility_id).where(
            FacilityIdentifier.value.in_(batch)
        )
        for scheme, value, facility_id in session.execute(stmt):
            if (scheme, value) in identifiers:
                owners[(scheme, value)] = facility_id
    return owners


def public_ids_taken(session: Session, public_ids: set[str]) -> set[str]:
    taken: set[str] = set()
    for batch in _batches(public_ids):
        taken.update(session.scalars(sa.select(Facility.public_id).where(Facility.public_id.in_(batch))))
    return taken


def replace_match_keys(session: Session, keys: dict[uuid.UUID, set[str]]) -> None:
    """File each facility under exactly these keys (its old keys are removed)."""
    for batch in _batches(keys):
        session.execute(sa.delete(FacilityMatchKey).where(FacilityMatchKey.facility_id.in_(batch)))
    rows = [{"facility_id": f, "key_hash": k} for f, hashes in keys.items() for k in sorted(hashes)]
    for start in range(0, len(rows), BATCH):
        session.execute(sa.insert(FacilityMatchKey), rows[start : start + BATCH])
