"""Use cases of migration corridors: origin country -> destination country, optionally one sector."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.principal import Principal
from graph import recruiter_repository as repository
from graph.cursors import decode_cursor, encode_cursor
from graph.models import Corridor
from graph.recruiter_schemas import CorridorCreate
from policies import audit
from policies.visibility import corridor_read_scope

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class CorridorOutcome:
    corridor: Corridor
    created: bool


def create_corridor(session: Session, principal: Principal, *, body: CorridorCreate) -> CorridorOutcome:
    """The corridor of this route, created when no member named it before (a route is one corridor:
    the sector is compared without case)."""
    sector = body.sector or ""
    existing = repository.corridor_by_route(
        session, origin=body.origin_country, destination=body.destination_country, sector=sector
    )
    if existing is not None:
        return CorridorOutcome(existing, created=False)
    corridor = Corridor(
        origin_country=body.origin_country,
        destination_country=body.destination_country,
        sector=sector,
        created_by_organization_id=principal.organization_id,
    )
    try:
        with session.begin_nested():  # another request may create the same route meanwhile
            session.add(corridor)
    except IntegrityError:
        raced = repository.corridor_by_route(
            session, origin=body.origin_country, destination=body.destination_country, sector=sector
        )
        if raced is None:
            raise
        return CorridorOutcome(raced, created=False)
    audit.record(
        session,
        principal,
        action="corridor.created",
        subject_kind="corridor",
        subject_id=corridor.id,
        details={"route": f"{corridor.origin_country}->{corridor.destination_country}", "sector": sector},
    )
    return CorridorOutcome(corridor, created=True)


def get_corridor_or_raise(session: Session, principal: Principal, *, corridor_id: uuid.UUID) -> Corridor:
    corridor = repository.corridor_by_id(session, corridor_read_scope(principal), corridor_id)
    if corridor is None:
        raise NotFound(f"No corridor {corridor_id}.")
    return corridor


def list_corridors(
    session: Session,
    principal: Principal,
    *,
    filters: repository.CorridorFilters,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[Corridor], str | None]:
    """A page of corridors (oldest first) and the cursor of the next page, if any."""
    limit = min(limit, MAX_PAGE)
    after = decode_cursor(cursor) if cursor else None
    rows = repository.corridor_page(session, corridor_read_scope(principal), filters, after=after, limit=limit + 1)
    items = rows[:limit]
    return items, (encode_cursor(items[-1].id) if len(rows) > limit and items else None)
