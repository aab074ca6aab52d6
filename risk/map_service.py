"""Rapid risk maps for a caller: the scored sites its map may include, aggregated with k-anonymity
and written in the format asked for.

Which sites, and which of them the caller "sees individually" (k-anonymity spares those):
- every live, scored facility (facility core attributes are shared with every member organisation);
  CTIP organisations see no site-level records, so for them no site is seen individually and every
  cell needs ``k`` sites;
- ``sector`` narrows to the sites of that sector (case-insensitive);
- ``tier`` and ``corridor`` narrow through links: a member's map follows the links it may read
  (its own network), a CTIP organisation's map follows every member's links, which it never sees
  except as cells of at least ``k`` sites.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import pandas as pd
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from core.principal import OrganizationKind, Principal
from graph.models import Facility, Relationship, RelationshipKind
from graph.relationship_repository import active, visible_relationships
from policies.visibility import relationship_read_scope
from risk import map_formats
from risk.aggregation import Level, MapSpec, aggregate
from risk.method import current_method
from risk.models import RiskScore, ScoredKind
from risk.reference import boundaries
from risk.reference.models import CountryBoundary, ReferenceEdition


@dataclass(frozen=True, slots=True)
class MapFilters:
    sector: str | None = None
    tier: int | None = None
    corridor_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class RenderedMap:
    content: bytes
    media_type: str
    filename: str
    etag: str


@dataclass(frozen=True, slots=True)
class PreparedMap:
    """What a caller's map is drawn from, and the ETag of the map drawn from it: a caller whose
    copy is current needs no rendering."""

    sites: pd.DataFrame
    spec: MapSpec
    output: str
    #: The boundaries edition country outlines come from (None: the shipped outlines).
    edition_id: uuid.UUID | None
    etag: str


MEDIA_TYPES = {
    "geojson": ("application/geo+json", "risk.geojson"),
    "gpkg": ("application/geopackage+sqlite3", "risk.gpkg"),
    "csv": ("text/csv; charset=utf-8", "risk.csv"),
    "png": ("image/png", "risk.png"),
}


SITE_COLUMNS = ["lat", "lng", "country", "score", "band", "computed_at", "inputs_fingerprint"]


def _linked(principal: Principal, kind: RelationshipKind, condition: sa.ColumnElement[bool], today: date) -> Any:
    """Ids of facilities at the far end of active links of ``kind`` meeting ``condition``."""
    stmt = sa.select(Relationship.to_id).where(Relationship.kind == kind, condition, active(today))
    if principal.organization_kind is not OrganizationKind.ctip:
        stmt = stmt.where(visible_relationships(relationship_read_scope(principal)))
    return stmt


def map_sites(session: Session, principal: Principal, filters: MapFilters, *, today: date) -> pd.DataFrame:
    """One row per scored live facility the map may include: lat, lng, country, score, band,
    visible, and the score's computed_at and inputs_fingerprint (its version). In facility id
    order, so the same sites give the same map, to the last byte of a float sum."""
    stmt = (
        sa.select(
            sa.func.ST_Y(Facility.location).label("lat"),
            sa.func.ST_X(Facility.location).label("lng"),
            Facility.country,
            RiskScore.score,
            RiskScore.band,
            RiskScore.computed_at,
            RiskScore.inputs_fingerprint,
        )
        .join(RiskScore, sa.and_(RiskScore.subject_kind == ScoredKind.facility, RiskScore.subject_id == Facility.id))
        .where(Facility.merged_into_id.is_(None))
        .order_by(Facility.id)
    )
    if filters.sector:
        stmt = stmt.where(sa.func.lower(Facility.sector) == filters.sector.strip().lower())
    if filters.tier is not None:
        tiered = _linked(principal, RelationshipKind.sources_from, Relationship.tier == filters.tier, today)
        stmt = stmt.where(Facility.id.in_(tiered))
    if filters.corridor_id is not None:
        on_corridor = _linked(
            principal, RelationshipKind.recruits_for, Relationship.corridor_id == filters.corridor_id, today
        )
        stmt = stmt.where(Facility.id.in_(on_corridor))
    rows = session.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=SITE_COLUMNS)
    frame["lat"] = pd.to_numeric(frame["lat"])
    frame["lng"] = pd.to_numeric(frame["lng"])
    frame["visible"] = principal.organization_kind is not OrganizationKind.ctip
    return frame


@cache
def _shipped_outlines() -> dict[str, BaseGeometry]:
    return {b.country: b.geometry for b in boundaries.parse_boundaries(boundaries.SHIPPED.read_bytes())}


@cache
def _shipped_digest() -> str:
    return hashlib.sha256(boundaries.SHIPPED.read_bytes()).hexdigest()


def boundaries_edition(session: Session) -> uuid.UUID | None:
    """The latest imported boundaries edition; None when none was imported."""
    return session.scalars(
        sa.select(ReferenceEdition.id)
        .where(ReferenceEdition.kind == "boundaries")
        .order_by(ReferenceEdition.imported_at.desc())
        .limit(1)
    ).first()


def country_outlines(session: Session, edition: uuid.UUID | None) -> Mapping[str, BaseGeometry]:
    """The outlines of boundaries ``edition``, else (None) the outlines Loomline ships."""
    if edition is None:
        return _shipped_outlines()
    rows = session.execute(
        sa.select(CountryBoundary.country, CountryBoundary.geometry).where(CountryBoundary.edition_id == edition)
    )
    return {country: to_shape(geometry) for country, geometry in rows}


def map_etag(
    principal: Principal, sites: pd.DataFrame, *, spec: MapSpec, filters: MapFilters, output: str,
    edition_id: uuid.UUID | None,
) -> str:  # fmt: skip
    """The ETag of the map drawn from ``sites``: a digest of everything its bytes depend on. The
    sites (position, country, score, band) with each score's version (computed_at, inputs), so a
    recompute changes it; the caller's organisation kind (which sites count as seen individually)
    and the query, format, k and method bands; the outlines (edition, or the shipped file). The
    sites are those this caller's filters reach through the links it may follow, so callers whose
    maps differ never share a tag. Weak for GeoPackage: its metadata holds the time of writing."""
    method = current_method()
    header = json.dumps(
        {
            "kind": principal.organization_kind.value,
            "level": spec.level.value,
            "resolution": spec.resolution if spec.level is Level.h3 else None,
            "k": spec.k,
            "sector": filters.sector,
            "tier": filters.tier,
            "corridor": str(filters.corridor_id) if filters.corridor_id else None,
            "output": output,
            "method": method.version,
            "bands": method.bands.model_dump(),
            "edition": str(edition_id) if edition_id else f"shipped:{_shipped_digest()}",
            "sites": len(sites),
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(header.encode())
    if not sites.empty:
        rows = pd.util.hash_pandas_object(sites[[*SITE_COLUMNS, "visible"]], index=False)
        digest.update(rows.to_numpy().tobytes())
    tag = f'"map-{digest.hexdigest()[:32]}"'
    return f"W/{tag}" if output == "gpkg" else tag


def prepare_map(
    session: Session, principal: Principal, *, spec: MapSpec, filters: MapFilters, output: str, today: date
) -> PreparedMap:
    """The sites of the caller's map and its ETag, without drawing it."""
    sites = map_sites(session, principal, filters, today=today)
    edition_id = boundaries_edition(session) if spec.level is Level.country else None
    etag = map_etag(principal, sites, spec=spec, filters=filters, output=output, edition_id=edition_id)
    return PreparedMap(sites, spec, output, edition_id, etag)


def render_map(session: Session, prepared: PreparedMap) -> RenderedMap:
    """The prepared map, drawn in its format."""
    spec, output, etag = prepared.spec, prepared.output, prepared.etag
    cells = aggregate(prepared.sites, spec)
    edges = current_method().bands.model_dump()
    media_type, filename = MEDIA_TYPES[output]
    country_level = spec.level is Level.country
    outlines = country_outlines(session, prepared.edition_id) if country_level else {}
    if output == "csv":
        return RenderedMap(map_formats.to_csv(cells, edges).encode(), media_type, filename, etag)
    if output == "geojson":
        body = json.dumps(map_formats.to_geojson(cells, outlines, edges), separators=(",", ":"))
        return RenderedMap(body.encode(), media_type, filename, etag)
    frame = map_formats.to_frame(cells, outlines, edges)
    if output == "gpkg":
        return RenderedMap(map_formats.to_gpkg(frame), media_type, filename, etag)
    level = "country" if country_level else f"H3 resolution {spec.resolution}"
    background = map_formats.outline_frame(_shipped_outlines())
    title = f"Forced-labour risk by {level} ({len(cells)} cells)"
    return RenderedMap(map_formats.to_png(frame, title=title, background=background), media_type, filename, etag)


def risk_map(
    session: Session,
    principal: Principal,
    *,
    spec: MapSpec,
    filters: MapFilters,
    output: str,
    today: date,
) -> RenderedMap:
    """The caller's map, drawn (``prepare_map`` then ``render_map``)."""
    prepared = prepare_map(session, principal, spec=spec, filters=filters, output=output, today=today)
    return render_map(session, prepared)
