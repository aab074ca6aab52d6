"""Parse the facility list's spatial query parameters into filters, naming the bad parameter."""

from __future__ import annotations

import json

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from core.errors import ErrorItem, InvalidInput
from core.geo import BBox
from graph.repository import FacilityFilters

_NUMBER = r"-?[0-9]+(\.[0-9]+)?"
#: The shape of the spatial query parameters, for the OpenAPI document; ranges are checked here.
BBOX_PATTERN = rf"^{_NUMBER}(,{_NUMBER}){{3}}$"
NEAR_PATTERN = rf"^{_NUMBER},{_NUMBER}$"
MAX_RADIUS_KM = 2_000.0
MAX_POLYGON_VERTICES = 10_000


def _bad(parameter: str, message: str) -> InvalidInput:
    return InvalidInput(f"Invalid {parameter}: {message}", errors=[ErrorItem(("query", parameter), message)])


def _floats(text: str, count: int, parameter: str) -> list[float]:
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != count or any(v != v or v in (float("inf"), float("-inf")) for v in values):
        raise _bad(parameter, f"expected {count} comma-separated numbers")
    return values


def parse_bbox(text: str) -> BBox:
    west, south, east, north = _floats(text, 4, "bbox")
    try:
        return BBox(west, south, east, north)
    except ValueError as exc:
        raise _bad("bbox", str(exc)) from exc


def parse_near(text: str, radius_km: float | None) -> tuple[float, float, float]:
    lat, lng = _floats(text, 2, "near")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise _bad("near", "lat must be in [-90, 90] and lng in [-180, 180]")
    if radius_km is None:
        raise _bad("radius_km", "required with near")
    if not 0 < radius_km <= MAX_RADIUS_KM:
        raise _bad("radius_km", f"must be > 0 and <= {MAX_RADIUS_KM:g}")
    return lng, lat, radius_km * 1000.0


def parse_within(text: str) -> tuple[str, BBox]:
    """A GeoJSON Polygon or MultiPolygon (geometry or Feature): its WKT and its bounds."""
    try:
        document = json.loads(text)
        geometry: BaseGeometry = shape(document.get("geometry", document))
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise _bad("within", "not a GeoJSON Polygon or MultiPolygon") from exc
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        raise _bad("within", "not a GeoJSON Polygon or MultiPolygon")
    if not geometry.is_valid:
        raise _bad("within", "the polygon is not valid (self-intersecting or unclosed)")
    if shapely.get_num_coordinates(geometry) > MAX_POLYGON_VERTICES:
        raise _bad("within", f"more than {MAX_POLYGON_VERTICES} vertices")
    try:
        bounds = BBox(*geometry.bounds)
    except ValueError as exc:
        raise _bad("within", "coordinates must be longitude, latitude in degrees") from exc
    return geometry.wkt, bounds


def build_filters(
    *,
    country: str | None,
    sector: str | None,
    name: str | None,
    bbox: str | None,
    near: str | None,
    radius_km: float | None,
    within: str | None,
) -> FacilityFilters:
    polygon = parse_within(within) if within else None
    return FacilityFilters(
        country=country.upper() if country else None,
        sector=sector,
        name=name,
        bbox=parse_bbox(bbox) if bbox else None,
        near=parse_near(near, radius_km) if near else None,
        within_wkt=polygon[0] if polygon else None,
        within_bbox=polygon[1] if polygon else None,
    )
