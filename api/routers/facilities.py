"""The facility registry: register, read, update and search sites."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from api.deps import SessionDep, principal_with
from api.problems import PROBLEM_RESPONSES
from core.principal import Principal
from core.text import NO_NUL_PATTERN
from graph import service as graph_service
from graph import shared_sites
from graph.filters import BBOX_PATTERN, NEAR_PATTERN, build_filters
from graph.models import Facility
from graph.schemas import (
    FacilityCreate,
    FacilityCreated,
    FacilityDetail,
    FacilityPage,
    FacilityRead,
    FacilityUpdate,
    FacilityUpdated,
    IdentifierRead,
    MatchRead,
    PotentialMatchRead,
)
from policies.scopes import ApiScope

router = APIRouter(prefix="/facilities", tags=["facilities"], responses=PROBLEM_RESPONSES)

#: A public id as typed by a person (case, spaces and confusable letters are forgiven).
FacilityId = Annotated[str, Path(max_length=64, pattern=NO_NUL_PATTERN, description="Public id LL-XXXX-XXXX-C")]
#: Opaque page cursor (URL-safe base 64).
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"

Reader = Annotated[Principal, principal_with(ApiScope.graph_read)]
Writer = Annotated[Principal, principal_with(ApiScope.graph_write)]


def _read(facility: Facility, resolved_from: str | None = None) -> FacilityRead:
    lat, lng = facility.coordinates
    return FacilityRead(
        id=facility.public_id,
        name=facility.name,
        address=facility.address,
        country=facility.country,
        admin1=facility.admin1,
        lat=lat,
        lng=lng,
        sector=facility.sector,
        product_type=facility.product_type,
        number_of_workers=facility.number_of_workers,
        migrant_worker_share=facility.migrant_worker_share,
        female_worker_share=facility.female_worker_share,
        identifiers=[IdentifierRead.model_validate(i) for i in facility.identifiers],
        claimed=facility.owner_organization_id is not None,
        created_at=facility.created_at,
        updated_at=facility.updated_at,
        resolved_from=resolved_from,
    )


def facility_detail(principal: Principal, facility: Facility, resolved_from: str | None = None) -> FacilityDetail:
    contributions = graph_service.visible_contributions(principal, facility)
    return FacilityDetail(**_read(facility, resolved_from).model_dump(), contributions=contributions)


def potential_match(candidate: shared_sites.Candidate) -> PotentialMatchRead:
    facility = candidate.facility
    return PotentialMatchRead(
        id=facility.public_id, name=facility.name, country=facility.country, score=candidate.score.total
    )


@router.post(
    "",
    response_model=FacilityCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Register a facility",
    responses={200: {"model": FacilityCreated, "description": "Matched: the site was already registered"}},
)
def create_facility(
    session: SessionDep, principal: Writer, body: FacilityCreate, response: Response
) -> FacilityCreated:
    """Register a site as your organisation's contribution.

    If a member already registered the same site (same identifier, or name, address and place
    agree closely), your statements attach to that facility: 200 with `match.outcome = matched`.
    Otherwise a new facility with a stable public id (`LL-XXXX-XXXX-C`) is created (201), and
    `match.potential_matches` lists facilities that may be the same site, for you to check.
    An external identifier already used by another facility is a 409."""
    outcome = graph_service.create_facility(session, principal, body=body)
    if outcome.matched is not None:
        response.status_code = status.HTTP_200_OK
        match = MatchRead(
            outcome="matched", score=outcome.matched.score.total, components=outcome.matched.score.components
        )
    else:
        match = MatchRead(outcome="created", potential_matches=[potential_match(c) for c in outcome.potential])
    return FacilityCreated(**facility_detail(principal, outcome.facility).model_dump(), match=match)


@router.get("/{facility_id}", response_model=FacilityDetail, summary="One facility")
def get_facility(session: SessionDep, principal: Reader, facility_id: FacilityId) -> FacilityDetail:
    """A facility with its canonical values and the contributions behind them. The id of a
    merged facility resolves to the surviving one (`resolved_from` says which id you asked for).
    Who contributed is shown only for your own organisation's contributions."""
    resolved = graph_service.get_facility_or_raise(session, principal, public_id=facility_id)
    return facility_detail(principal, resolved.facility, resolved.resolved_from)


@router.patch("/{facility_id}", response_model=FacilityUpdated, summary="State new values for a facility")
def update_facility(
    session: SessionDep, principal: Writer, facility_id: FacilityId, body: FacilityUpdate
) -> FacilityUpdated:
    """Partial update: the fields you send become your contributions; canonical values are
    derived again (the claimed owner's word first, then what most members state). The new values
    are matched against the other facilities: `potential_matches` lists those that now look like
    the same site (never merged automatically: confirm with `match-decisions`)."""
    outcome = graph_service.update_facility(session, principal, public_id=facility_id, body=body)
    return FacilityUpdated(
        **facility_detail(principal, outcome.facility).model_dump(),
        potential_matches=[potential_match(c) for c in outcome.potential],
    )


@router.get("", response_model=FacilityPage, summary="Search facilities")
def list_facilities(
    session: SessionDep,
    principal: Reader,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")] = None,
    sector: Annotated[str | None, Query(max_length=100, pattern=NO_NUL_PATTERN)] = None,
    name: Annotated[
        str | None, Query(min_length=1, max_length=200, pattern=NO_NUL_PATTERN, description="Words of the name")
    ] = None,
    bbox: Annotated[str | None, Query(pattern=BBOX_PATTERN, description="west,south,east,north in degrees")] = None,
    near: Annotated[str | None, Query(pattern=NEAR_PATTERN, description="lat,lng; with radius_km")] = None,
    radius_km: Annotated[float | None, Query(gt=0, le=2000)] = None,
    within: Annotated[
        str | None, Query(max_length=500_000, pattern=NO_NUL_PATTERN, description="GeoJSON Polygon/MultiPolygon")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=64, pattern=CURSOR_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=graph_service.MAX_PAGE)] = 50,
) -> FacilityPage:
    """Facilities oldest first, `limit` a page; pass `next_cursor` back as `cursor` for the next page.
    Filters combine with AND; spatial filters use the spatial index on both databases."""
    filters = build_filters(
        country=country, sector=sector, name=name, bbox=bbox, near=near, radius_km=radius_km, within=within
    )
    items, next_cursor = graph_service.list_facilities(session, principal, filters=filters, cursor=cursor, limit=limit)
    return FacilityPage(items=[_read(f) for f in items], next_cursor=next_cursor)
