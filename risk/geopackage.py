"""A minimal OGC GeoPackage 1.3 writer (one feature layer, WGS 84) on Python's own sqlite3.

Written here rather than through GDAL: GDAL's GeoPackage driver brings its own SQLite into the
API process, which already runs SpatiaLite in another, and the two crashed the process under load
(a segmentation fault seen in the API contract test). The format is small: three metadata tables,
one feature table, and geometries as a "GP" header + envelope + WKB (GeoPackage spec, 2.1.3).
"""

from __future__ import annotations

import math
import sqlite3
import struct
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

_WGS84 = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],'
    'UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]'
)
_SRS = (
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
    ("WGS 84 geodetic", 4326, "EPSG", 4326, _WGS84, "longitude/latitude coordinates in decimal degrees"),
)


def geometry_blob(geometry: BaseGeometry | None, srs_id: int = 4326) -> bytes | None:
    """A GeoPackage geometry: magic, version 0, flags (little-endian, xy envelope), srs id, envelope, WKB."""
    if geometry is None:
        return None
    if geometry.is_empty:
        return b"GP" + bytes([0, 0b00010001]) + struct.pack("<i", srs_id) + shapely.to_wkb(geometry, byte_order=1)
    west, south, east, north = geometry.bounds
    header = b"GP" + bytes([0, 0b00000011]) + struct.pack("<i", srs_id) + struct.pack("<4d", west, east, south, north)
    return header + shapely.to_wkb(geometry, byte_order=1)


def _sql_type(values: Sequence[Any]) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "BOOLEAN"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "INTEGER"
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "DOUBLE"
    return "TEXT"


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def write_geopackage(
    records: Sequence[Mapping[Any, Any]], geometries: Sequence[BaseGeometry | None], *, layer: str, geometry_type: str
) -> bytes:
    """One feature table ``layer`` with the records' columns and their geometries; the file's bytes."""
    keys = list(records[0]) if records else []
    columns = [str(k) for k in keys]
    rows = [[_plain(r[k]) for k in keys] for r in records]
    types = {c: _sql_type([row[i] for row in rows]) for i, c in enumerate(columns)}
    shapes = [g for g in geometries if g is not None and not g.is_empty]
    bounds = shapely.total_bounds(shapes) if shapes else (None,) * 4
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{layer}.gpkg"
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
            connection.execute("PRAGMA user_version = 10300")
            connection.execute(
                "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, "
                "organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, "
                "description TEXT)"
            )
            connection.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", _SRS)
            connection.execute(
                "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, "
                "identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL, min_x DOUBLE, "
                "min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER REFERENCES gpkg_spatial_ref_sys(srs_id))"
            )
            connection.execute(
                "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, "
                "geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, "
                "PRIMARY KEY (table_name, column_name))"
            )
            fields = "".join(f', "{c}" {types[c]}' for c in columns)
            connection.execute(
                f'CREATE TABLE "{layer}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {geometry_type}{fields})'
            )
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            connection.execute(
                "INSERT INTO gpkg_contents VALUES (?, 'features', ?, '', ?, ?, ?, ?, ?, 4326)",
                (layer, layer, now, *bounds),
            )
            connection.execute(
                "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)", (layer, geometry_type)
            )
            marks = ", ".join("?" for _ in range(len(columns) + 1))
            names = "".join(f', "{c}"' for c in columns)
            connection.executemany(
                f'INSERT INTO "{layer}" (geom{names}) VALUES ({marks})',  # noqa: S608 - names from code, not input
                [[geometry_blob(g), *row] for g, row in zip(geometries, rows, strict=True)],
            )
            connection.commit()
        finally:
            connection.close()
        return path.read_bytes()
