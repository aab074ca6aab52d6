"""``loomline map``: write a rapid risk map to a file, as an organisation would get it from
``GET /v1/maps/risk`` (its visibility, k-anonymity included)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import session_scope
from cli.upload import find_organization
from core.clock import utcnow
from core.principal import Principal
from core.settings import get_settings
from policies.scopes import ApiScope
from risk import map_service
from risk.aggregation import Level, MapSpec

FORMATS = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".csv": "csv", ".png": "png"}


def map_command(
    out: Annotated[Path, typer.Option(help="Output file: .geojson, .gpkg, .csv or .png (the suffix picks the format)")],
    org: Annotated[str, typer.Option(help="Draw the map as this organisation sees it (id or name slug)")],
    level: Annotated[Level, typer.Option(help="country or h3")] = Level.country,
    resolution: Annotated[int, typer.Option(min=0, max=15, help="H3 resolution (level h3)")] = 5,
    sector: Annotated[str | None, typer.Option(help="Only sites of this sector")] = None,
    tier: Annotated[int | None, typer.Option(min=1, max=10, help="Only sites at this tier")] = None,
) -> None:
    """Aggregate the stored risk scores by country or H3 cell and write them to OUT."""
    output = FORMATS.get(out.suffix.casefold())
    if output is None:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--out")
    spec = MapSpec(level=level, resolution=resolution, k=get_settings().map_min_sites)
    with session_scope() as session:
        organization = find_organization(session, org)
        principal = Principal(
            organization_id=organization.id,
            organization_kind=organization.kind,
            client_id="cli",
            scopes=frozenset({ApiScope.maps_read}),
            token_id="cli-map",  # noqa: S106 - a label for the audit trail, not a secret
        )
        rendered = map_service.risk_map(
            session,
            principal,
            spec=spec,
            filters=map_service.MapFilters(sector=sector, tier=tier),
            output=output,
            today=utcnow().date(),
        )
    out.write_bytes(rendered.content)
    typer.echo(f"wrote {out} ({rendered.media_type}, {len(rendered.content):,} bytes)")
