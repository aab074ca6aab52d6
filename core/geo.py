"""Geometry conversion at the repository boundary (WGS 84 points, both dialects)."""

from __future__ import annotations

from geoalchemy2.elements import WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from shapely.geometry import Point

SRID = 4326


def point_element(lon: float, lat: float) -> WKTElement:
    """A POINT for a ``Geometry("POINT", 4326)`` column; longitude first, as in GeoJSON."""
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ValueError(f"coordinates out of range: lon={lon}, lat={lat}")
    return WKTElement(f"POINT({lon!r} {lat!r})", srid=SRID)


def to_point(element: WKBElement | WKTElement | None) -> Point | None:
    if element is None:
        return None
    shape = to_shape(element)
    if not isinstance(shape, Point):
        raise TypeError(f"expected a POINT, got {shape.geom_type}")
    return shape
