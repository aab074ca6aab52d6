"""SQL of the graph queries: load only the links the caller may see, only the columns needed,
one query per step (traversals) or per kind of node (labels)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from graph import merge_store
from graph.models import EndpointKind, Facility, Recruiter, Relationship, RelationshipKind
from graph.network import AGAINST_FLOW, Label, LabelledLink, LinkRow
from graph.relationship_repository import active, visible_relationships
from policies.models import Organization
from policies.visibility import RelationshipReadScope

#: Ids per IN list (SQLite allows 32766 bound parameters per statement).
CHUNK = 5000
_ATTRIBUTES = (
    "tier",
    "material",
    "corridor_id",
    "workers_placed",
    "fee_per_worker",
    "fee_currency",
    "fee_payer",
    "valid_from",
    "valid_to",
)
_COLUMNS = (
    Relationship.public_id,
    Relationship.kind,
    Relationship.from_kind,
    Relationship.from_id,
    Relationship.to_kind,
    Relationship.to_id,
    *(getattr(Relationship, name) for name in _ATTRIBUTES),
)


def _chunks(ids: Iterable[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    pending = list(ids)
    for start in range(0, len(pending), CHUNK):
        yield pending[start : start + CHUNK]


def _json_value(value: Any) -> Any:
    if isinstance(value, bool | int | float | str):
        return value
    return value.value if isinstance(value, Enum) else str(value)  # dates (ISO), UUIDs


def _row(values: Sequence[Any]) -> LinkRow:
    """A link with its stated attributes as JSON values (unstated ones left out)."""
    public_id, kind, from_kind, from_id, to_kind, to_id, *rest = values
    attributes = {name: _json_value(v) for name, v in zip(_ATTRIBUTES, rest, strict=True) if v is not None}
    return LinkRow(public_id, kind, from_kind, from_id, to_kind, to_id, attributes)


def visible_links(
    session: Session, scope: RelationshipReadScope, *, today: date, where: ColumnElement[bool] | None = None
) -> list[LinkRow]:
    """The caller's visible active links (optionally narrowed by ``where``)."""
    stmt = sa.select(*_COLUMNS).where(visible_relationships(scope), active(today))
    if where is not None:
        stmt = stmt.where(where)
    # Core rows (not ORM): tens of thousands of links, no entities needed.
    return [_row(values) for values in session.connection().execute(stmt)]


def _flowing_into(ids: list[uuid.UUID]) -> ColumnElement[bool]:
    against = Relationship.kind.in_(AGAINST_FLOW)
    return sa.or_(
        sa.and_(sa.not_(against), Relationship.to_id.in_(ids)), sa.and_(against, Relationship.from_id.in_(ids))
    )


def _flowing_out_of(ids: list[uuid.UUID]) -> ColumnElement[bool]:
    against = Relationship.kind.in_(AGAINST_FLOW)
    return sa.or_(
        sa.and_(sa.not_(against), Relationship.from_id.in_(ids)), sa.and_(against, Relationship.to_id.in_(ids))
    )


def _flow_source(row: LinkRow) -> uuid.UUID:
    return row.to_id if row.kind in AGAINST_FLOW else row.from_id


def _flow_target(row: LinkRow) -> uuid.UUID:
    return row.from_id if row.kind in AGAINST_FLOW else row.to_id


def with_merged(session: Session, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """The ids and those of the facilities merged into them (links stated before a merge name the
    merged-away facility)."""
    return set(merge_store.members(session, Facility, ids))


def links_around(
    session: Session, scope: RelationshipReadScope, start: uuid.UUID, *, depth: int, upstream: bool, today: date
) -> list[LinkRow]:
    """Visible active links within ``depth`` flow steps of ``start`` (one query per step)."""
    seen, frontier, rows = {start}, {start}, []
    for _ in range(depth):
        found: list[LinkRow] = []
        frontier = with_merged(session, frontier)
        for ids in _chunks(frontier):
            where = _flowing_into(ids) if upstream else _flowing_out_of(ids)
            found += visible_links(session, scope, today=today, where=where)
        rows += found
        reached = {(_flow_source(r) if upstream else _flow_target(r)) for r in found}
        frontier = reached - seen
        seen |= frontier
        if not frontier:
            break
    return rows


def recruitment_links(
    session: Session, scope: RelationshipReadScope, site: uuid.UUID, *, depth: int, today: date
) -> list[LinkRow]:
    """Visible active recruits_for links into ``site`` and the subcontracts links behind them
    (agent -> sub-agent, followed from the agents outwards)."""
    rows = visible_links(
        session,
        scope,
        today=today,
        where=sa.and_(
            Relationship.kind == RelationshipKind.recruits_for,
            Relationship.to_id.in_(with_merged(session, {site})),
        ),
    )
    seen = frontier = {r.from_id for r in rows}
    for _ in range(depth):
        found: list[LinkRow] = []
        for ids in _chunks(frontier):
            where = sa.and_(Relationship.kind == RelationshipKind.subcontracts, Relationship.from_id.in_(ids))
            found += visible_links(session, scope, today=today, where=where)
        rows += found
        frontier = {r.to_id for r in found} - seen
        seen = seen | frontier
        if not frontier:
            break
    return rows


def _facility_labels(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, Label]:
    """Labels of facilities; a merged-away facility gets its survivor's label."""
    found: dict[uuid.UUID, Label] = {}
    survivors: dict[uuid.UUID, uuid.UUID] = {}
    for chunk in _chunks(ids):
        stmt = sa.select(Facility.id, Facility.public_id, Facility.name, Facility.merged_into_id)
        for fid, public_id, name, merged_into in session.execute(stmt.where(Facility.id.in_(chunk))):
            found[fid] = Label(public_id, name)
            if merged_into is not None:
                survivors[fid] = merged_into
    if survivors:
        kept = _facility_labels(session, set(survivors.values()))
        found |= {merged: kept[survivor] for merged, survivor in survivors.items() if survivor in kept}
    return found


def _recruiter_labels(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, Label]:
    found: dict[uuid.UUID, Label] = {}
    for chunk in _chunks(ids):
        stmt = sa.select(Recruiter.id, Recruiter.public_id, Recruiter.name).where(Recruiter.id.in_(chunk))
        found |= {rid: Label(public_id, name) for rid, public_id, name in session.execute(stmt)}
    return found


def _organization_labels(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, Label]:
    found: dict[uuid.UUID, Label] = {}
    for chunk in _chunks(ids):
        stmt = sa.select(Organization.id, Organization.display_name).where(Organization.id.in_(chunk))
        found |= {oid: Label(str(oid), name) for oid, name in session.execute(stmt)}
    return found


def labels(session: Session, rows: Iterable[LinkRow]) -> dict[tuple[EndpointKind, uuid.UUID], Label]:
    """Public id and name of every end, one query per kind (and one for merge survivors).
    Organisation ends only appear on links the caller may see."""
    wanted: dict[EndpointKind, set[uuid.UUID]] = {kind: set() for kind in EndpointKind}
    for row in rows:
        wanted[row.from_kind].add(row.from_id)
        wanted[row.to_kind].add(row.to_id)
    loaders = {
        EndpointKind.facility: _facility_labels,
        EndpointKind.recruiter: _recruiter_labels,
        EndpointKind.organization: _organization_labels,
    }
    return {
        (kind, node_id): label
        for kind, load in loaders.items()
        if wanted[kind]
        for node_id, label in load(session, wanted[kind]).items()
    }


@dataclass(frozen=True, slots=True)
class SharedSupplier:
    facility_id: uuid.UUID
    public_id: str
    name: str
    tier: int | None
    sharing_members: int
    named_members: list[str]


def shared_suppliers(session: Session, brand_id: uuid.UUID, *, today: date) -> list[SharedSupplier]:
    """Facilities the brand sources from that other brands source from too, with how many other
    brands do (computed here, in SQL, without loading their links) and the names of those that
    consented to be named (``disclose_sourcing``). Most shared first. A link stated about a
    facility since merged away counts for the survivor: two members who named the same site twice
    share it once the two records are merged."""
    named_site = aliased(Facility)
    site = sa.func.coalesce(named_site.merged_into_id, named_site.id)
    mine = (
        sa.select(site.label("site_id"), sa.func.min(Relationship.tier).label("tier"))
        .select_from(Relationship)
        .join(named_site, named_site.id == Relationship.to_id)
        .where(
            Relationship.kind == RelationshipKind.sources_from,
            Relationship.from_id == brand_id,
            active(today),
        )
        .group_by(site)
        .subquery()
    )
    member = aliased(Facility)  # the site itself or a record merged into it
    same_site = sa.or_(member.id == mine.c.site_id, member.merged_into_id == mine.c.site_id)
    other = sa.and_(
        Relationship.kind == RelationshipKind.sources_from,
        Relationship.to_id == member.id,
        Relationship.from_id != brand_id,
        active(today),
    )
    counted = (
        sa.select(
            Facility.id,
            Facility.public_id,
            Facility.name,
            mine.c.tier,
            sa.func.count(sa.distinct(Relationship.from_id)).label("sharing"),
        )
        .select_from(mine)
        .join(member, same_site)
        .join(Relationship, other)
        .join(Facility, Facility.id == mine.c.site_id)
        .group_by(Facility.id, Facility.public_id, Facility.name, mine.c.tier)
        .order_by(sa.desc("sharing"), Facility.public_id)
    )
    named: dict[uuid.UUID, list[str]] = {}
    names = (
        sa.select(mine.c.site_id, Organization.display_name)
        .select_from(mine)
        .join(member, same_site)
        .join(Relationship, other)
        .join(Organization, Organization.id == Relationship.from_id)
        .where(Organization.disclose_sourcing.is_(True))
        .distinct()
    )
    for fid, name in session.execute(names):
        named.setdefault(fid, []).append(name)
    return [
        SharedSupplier(fid, public_id, name, tier, sharing, sorted(named.get(fid, [])))
        for fid, public_id, name, tier, sharing in session.execute(counted)
    ]


def _end_columns(kind_column: Any, id_column: Any) -> tuple[Any, list[Any], list[Any]]:
    """Outer joins and (public id, name) columns of one end, a merged facility's survivor first."""
    facility, survivor = aliased(Facility), aliased(Facility)
    recruiter, organization = aliased(Recruiter), aliased(Organization)
    joins = [
        (facility, sa.and_(kind_column == EndpointKind.facility, facility.id == id_column)),
        (survivor, survivor.id == facility.merged_into_id),
        (recruiter, sa.and_(kind_column == EndpointKind.recruiter, recruiter.id == id_column)),
        (organization, sa.and_(kind_column == EndpointKind.organization, organization.id == id_column)),
    ]
    public_id = sa.func.coalesce(survivor.public_id, facility.public_id, recruiter.public_id)
    name = sa.func.coalesce(survivor.name, facility.name, recruiter.name, organization.display_name)
    return joins, [public_id, name], [organization.id]


def visible_labelled_links(session: Session, scope: RelationshipReadScope, *, today: date) -> list[LabelledLink]:
    """The caller's visible active links with the public id and name of both ends, in one query:
    no id lists, and no UUID converted per row but the organisations' (brands sourcing)."""
    from_joins, from_columns, from_org = _end_columns(Relationship.from_kind, Relationship.from_id)
    to_joins, to_columns, to_org = _end_columns(Relationship.to_kind, Relationship.to_id)
    kind_text = (
        sa.type_coerce(c, sa.String) for c in (Relationship.kind, Relationship.from_kind, Relationship.to_kind)
    )
    stmt = sa.select(
        Relationship.public_id,
        *kind_text,
        *from_columns,
        *from_org,
        *to_columns,
        *to_org,
        *(getattr(Relationship, name) for name in _ATTRIBUTES),
    ).select_from(Relationship)
    for target, on in (*from_joins, *to_joins):
        stmt = stmt.outerjoin(target, on)
    stmt = stmt.where(visible_relationships(scope), active(today))
    links = []
    for (
        public_id,
        kind,
        from_kind,
        to_kind,
        from_pid,
        from_name,
        from_org_id,
        to_pid,
        to_name,
        to_org_id,
        *rest,
    ) in session.connection().execute(stmt):
        attributes = {name: _json_value(v) for name, v in zip(_ATTRIBUTES, rest, strict=True) if v is not None}
        from_label = Label(from_pid if from_org_id is None else str(from_org_id), from_name or "")
        to_label = Label(to_pid if to_org_id is None else str(to_org_id), to_name or "")
        links.append(LabelledLink(public_id, kind, from_kind, from_label, to_kind, to_label, attributes))
    return links
