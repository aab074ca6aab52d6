"""SQL of merges and splits, for every kind of record that two members may name twice (facilities,
recruiters): one mechanism, told by a ``MergeTables`` value which tables and columns to use.

A merge moves the merged record's statements (contributions, identifiers...) to the survivor and
remembers on each row where it was first stated (``origin_*`` column); a split moves exactly those
back. A person's verdicts on pairs live in a decisions table (either order of the pair).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph.models import MatchVerdict


@dataclass(frozen=True, slots=True)
class MergeTables:
    """Where one kind of record keeps what a merge moves and what people decided."""

    #: The record table (has ``id`` and ``merged_into_id``).
    record: Any
    #: Tables whose rows are statements about a record and move with a merge.
    statements: tuple[Any, ...]
    #: The statements table that says which organisation stated something (``organization_id``).
    contributions: Any
    #: Column naming the record on statement rows ("facility_id") and where it was first stated.
    record_column: str
    origin_column: str
    #: Merge history (``survivor_id``, ``merged_id``, ``split_at``...).
    merges: Any
    #: Verdicts on pairs: the record decided on and the candidate (column names).
    decisions: Any
    decision_columns: tuple[str, str]


def move_statements(session: Session, tables: MergeTables, *, from_id: uuid.UUID, to_id: uuid.UUID) -> None:
    """Move a merged record's statements to the survivor, remembering where each was first stated."""
    for table in tables.statements:
        origin = getattr(table, tables.origin_column)
        session.execute(
            sa.update(table)
            .where(getattr(table, tables.record_column) == from_id)
            .values({tables.record_column: to_id, tables.origin_column: sa.func.coalesce(origin, from_id)})
        )


def return_statements(
    session: Session, tables: MergeTables, *, survivor_id: uuid.UUID, merged_id: uuid.UUID, origins: set[uuid.UUID]
) -> None:
    """Undo ``move_statements``: what was first stated about ``origins`` goes back to ``merged_id``."""
    for table in tables.statements:
        origin = getattr(table, tables.origin_column)
        session.execute(
            sa.update(table)
            .where(getattr(table, tables.record_column) == survivor_id, origin.in_(sorted(origins)))
            .values(
                {
                    tables.record_column: merged_id,
                    tables.origin_column: sa.case((origin == merged_id, None), else_=origin),
                }
            )
        )


def merged_into(session: Session, tables: MergeTables, record_id: uuid.UUID) -> set[uuid.UUID]:
    """The records merged, directly or through others, into this one."""
    return set(members(session, tables.record, [record_id])) - {record_id}


#: Ids per ``IN (...)`` list when following merges (well under SQLite's bound on parameters).
_CHUNK = 5000


def _merged_rows(session: Session, record: Any, column: Any, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """``id -> merged_into_id`` of the merged-away records whose ``column`` is one of ``ids``."""
    wanted = sorted(set(ids))
    found: dict[uuid.UUID, uuid.UUID] = {}
    for start in range(0, len(wanted), _CHUNK):
        stmt = sa.select(record.id, record.merged_into_id).where(
            column.in_(wanted[start : start + _CHUNK]), record.merged_into_id.is_not(None)
        )
        found.update(session.execute(stmt).all())
    return found


def members(session: Session, record: Any, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Each of the live records ``ids`` to itself, and each record merged into one of them (directly
    or through a chain of merges) to that one: what was stated about any member counts for it."""
    owner = {record_id: record_id for record_id in ids}
    frontier = set(owner)
    while frontier:
        children = _merged_rows(session, record, record.merged_into_id, frontier)
        frontier = set(children) - owner.keys()
        owner.update({child: owner[children[child]] for child in frontier})
    return owner


def survivors(session: Session, record: Any, ids: Iterable[uuid.UUID] | None = None) -> dict[uuid.UUID, uuid.UUID]:
    """Each merged-away record of ``ids`` (of the whole table if None) to the live record it now is,
    following chains of merges; live records are left out (``.get(id, id)`` reads the map)."""
    step: dict[uuid.UUID, uuid.UUID] = {}
    if ids is None:
        stmt = sa.select(record.id, record.merged_into_id).where(record.merged_into_id.is_not(None))
        step.update(session.execute(stmt).all())
    else:
        frontier = set(ids)
        while frontier:
            found = _merged_rows(session, record, record.id, frontier)
            step.update(found)
            frontier = set(found.values()) - step.keys()
    resolved: dict[uuid.UUID, uuid.UUID] = {}
    for merged in step if ids is None else set(ids) & step.keys():
        live = step[merged]
        while live in step:  # merges cannot form a cycle: only live records merge
            live = step[live]
        resolved[merged] = live
    return resolved


def active_merge(session: Session, tables: MergeTables, *, survivor_id: uuid.UUID, merged_id: uuid.UUID) -> Any:
    """The merge of ``merged_id`` into ``survivor_id`` that has not been split, if any."""
    merges = tables.merges
    stmt = sa.select(merges).where(
        merges.survivor_id == survivor_id, merges.merged_id == merged_id, merges.split_at.is_(None)
    )
    return session.scalars(stmt).first()


def rejected_partners(session: Session, tables: MergeTables, record_id: uuid.UUID) -> set[uuid.UUID]:
    """Records a person said are not the same as this one (either side of the pair)."""
    decisions = tables.decisions
    subject, candidate = (getattr(decisions, name) for name in tables.decision_columns)
    rejected = decisions.verdict == MatchVerdict.rejected
    stmt = sa.union(
        sa.select(candidate).where(rejected, subject == record_id),
        sa.select(subject).where(rejected, candidate == record_id),
    )
    return set(session.scalars(stmt))


def contributor_ids(session: Session, tables: MergeTables, record_id: uuid.UUID) -> set[uuid.UUID]:
    """Organisations that stated something about this record (moved statements included)."""
    table = tables.contributions
    stmt = sa.select(table.organization_id).where(
        sa.or_(getattr(table, tables.record_column) == record_id, getattr(table, tables.origin_column) == record_id)
    )
    return set(session.scalars(stmt.distinct()))
