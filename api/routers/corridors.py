"""Migration corridors: origin country -> destination country, optionally for one sector."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import SessionDep, principal_with
from api.problems import PROBLEM_RESPONSES
from api.routers.facilities import CURSOR_PATTERN
from core.principal import Principal
from core.text import NO_NUL_PATTERN
from graph import corridors as corridor_service
from graph import recruiter_repository
from graph.models import Corridor
from graph.recruiter_schemas import CorridorCreate, CorridorPage, CorridorRead
from policies.scopes import ApiScope

router = APIRouter(prefix="/corridors", tags=["corridors"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, principal_with(ApiScope.graph_read)]
Writer = Annotated[Principal, principal_with(ApiScope.graph_write)]


def _read(corridor: Corridor) -> CorridorRead:
    return CorridorRead(
        id=corridor.id,
        origin_country=corridor.origin_country,
        destination_country=corridor.destination_country,
        sector=corridor.sector or None,
        created_at=corridor.created_at,
    )


@router.post(
    "",
    response_model=CorridorRead,
    status_code=status.HTTP_201_CREATED,
    summary="Name a migration corridor",
    responses={200: {"model": CorridorRead, "description": "The corridor already existed"}},
)
def create_corridor(session: SessionDep, principal: Writer, body: CorridorCreate, response: Response) -> CorridorRead:
    """A corridor from `origin_country` to `destination_country` (ISO 3166-1 alpha-2, different
    countries), optionally for one sector. A route is one corridor: naming it again returns the
    existing corridor with 200 (the sector is compared without case)."""
    outcome = corridor_service.create_corridor(session, principal, body=body)
    if not outcome.created:
        response.status_code = status.HTTP_200_OK
    return _read(outcome.corridor)


@router.get("/{corridor_id}", response_model=CorridorRead, summary="One corridor")
def get_corridor(session: SessionDep, principal: Reader, corridor_id: uuid.UUID) -> CorridorRead:
    """A corridor by its id."""
    return _read(corridor_service.get_corridor_or_raise(session, principal, corridor_id=corridor_id))


@router.get("", response_model=CorridorPage, summary="List corridors")
def list_corridors(
    session: SessionDep,
    principal: Reader,
    origin_country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO alpha-2")] = None,
    destination_country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO alpha-2")] = None,
    sector: Annotated[
        str | None, Query(max_length=100, pattern=NO_NUL_PATTERN, description="Only this sector ('' = every sector)")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=64, pattern=CURSOR_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=corridor_service.MAX_PAGE)] = 50,
) -> CorridorPage:
    """Corridors oldest first, `limit` a page; pass `next_cursor` back as `cursor` for the next page."""
    filters = recruiter_repository.CorridorFilters(
        origin_country=origin_country, destination_country=destination_country, sector=sector
    )
    items, next_cursor = corridor_service.list_corridors(
        session, principal, filters=filters, cursor=cursor, limit=limit
    )
    return CorridorPage(items=[_read(c) for c in items], next_cursor=next_cursor)
