"""Rapid risk maps: aggregated scores by country or H3 hexagon (GeoJSON, GeoPackage, CSV, PNG),
and the map page that shows them (`/maps`)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse

from api.conditional import NOT_MODIFIED, IfNoneMatch, etag_matches, not_modified
from api.deps import SessionDep, principal_with
from api.problems import PROBLEM_RESPONSES
from core.clock import utcnow
from core.principal import Principal
from core.text import NO_NUL_PATTERN
from policies.scopes import ApiScope
from risk import map_service
from risk.aggregation import Level, MapSpec
from risk.reference.boundaries import SHIPPED

router = APIRouter(prefix="/maps", tags=["maps"], responses=PROBLEM_RESPONSES)
page_router = APIRouter(tags=["maps"], include_in_schema=False)

Reader = Annotated[Principal, principal_with(ApiScope.maps_read)]
PAGE = Path(__file__).parents[1] / "static" / "maps.html"


@router.get(
    "/risk",
    summary="Aggregated risk map",
    response_class=Response,
    responses={
        **NOT_MODIFIED,
        200: {
            "description": "The map in the format asked for",
            "content": {media: {} for media, _ in map_service.MEDIA_TYPES.values()},
        },
    },
)
def risk_map(
    request: Request,
    session: SessionDep,
    principal: Reader,
    level: Level = Level.country,
    resolution: Annotated[int, Query(ge=0, le=15, description="H3 resolution (level=h3)")] = 5,
    sector: Annotated[str | None, Query(min_length=1, max_length=100, pattern=NO_NUL_PATTERN)] = None,
    tier: Annotated[int | None, Query(ge=1, le=10)] = None,
    corridor: Annotated[uuid.UUID | None, Query(description="Corridor id")] = None,
    format: Annotated[Literal["geojson", "gpkg", "csv", "png"], Query(description="Output format")] = "geojson",
    if_none_match: IfNoneMatch = None,
) -> Response:
    """Stored site scores aggregated by `level` (country, or H3 cell at `resolution`): per cell the
    number of sites, mean and max score, share of high or severe sites and the band of the mean.

    **k-anonymity**: a cell built from fewer than `LOOMLINE_MAP_MIN_SITES` (default 5) sites that
    you cannot see individually is folded into its parent hexagon, or else returned suppressed
    (`suppressed: true`, no figures). CTIP organisations see no site individually, so every cell
    they get holds at least that many sites. `tier` and `corridor` follow the links you may read
    (CTIP: every member's, aggregated). GeoJSON is RFC 7946; the GeoPackage has one layer `risk`;
    the PNG is a choropleth with a legend.

    The ETag changes with the scores behind the map (any recompute), the boundaries, the query,
    the format and what you may see; send it back in If-None-Match to get a 304 without the map
    being drawn again. It is weak (`W/`) for the GeoPackage, whose metadata holds the time of
    writing."""
    settings = request.app.state.settings
    spec = MapSpec(level=level, resolution=resolution, k=settings.map_min_sites)
    filters = map_service.MapFilters(sector=sector, tier=tier, corridor_id=corridor)
    prepared = map_service.prepare_map(
        session, principal, spec=spec, filters=filters, output=format, today=utcnow().date()
    )
    if etag_matches(if_none_match, prepared.etag):
        return not_modified(prepared.etag)
    rendered = map_service.render_map(session, prepared)
    headers = {"Content-Disposition": f'inline; filename="{rendered.filename}"', "ETag": rendered.etag}
    return Response(rendered.content, media_type=rendered.media_type, headers=headers)


@page_router.get("/maps")
def map_page() -> FileResponse:
    """The map page: sign in with a client id and secret, pick the level and filters."""
    return FileResponse(PAGE, media_type="text/html")


@page_router.get("/maps/countries.geojson")
def country_outlines() -> FileResponse:
    """The shipped country outlines (Natural Earth, public domain) drawn behind the map."""
    return FileResponse(SHIPPED, media_type="application/geo+json")
