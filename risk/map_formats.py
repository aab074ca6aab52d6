"""Aggregated risk cells (``risk.aggregation``) written as GeoJSON, GeoPackage, CSV or a PNG map.

GeoJSON follows RFC 7946: WGS 84 longitude/latitude, polygon rings counter-clockwise outside and
clockwise inside; a country without an outline has a ``null`` geometry. Suppressed cells keep
their outline with ``suppressed: true`` and no figures, so a map shows "too few sites" in grey
instead of a blank that would read as "no risk".
"""

from __future__ import annotations

import io
import math
from collections.abc import Hashable, Mapping
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from ingest.csv_safety import write_csv
from risk.aggregation import COLUMNS
from risk.geopackage import write_geopackage

#: Band colours (low -> severe), colour-blind safe (ColorBrewer YlOrRd).
BAND_COLOURS = {"low": "#ffffb2", "medium": "#fecc5c", "high": "#fd8d3c", "severe": "#e31a1c"}
SUPPRESSED_COLOUR = "#bdbdbd"


def band_of_mean(mean: float, edges: Mapping[str, float]) -> str | None:
    if mean is None or math.isnan(mean):
        return None
    for band in ("severe", "high", "medium"):
        if mean >= edges[band]:
            return band
    return "low"


def _outline(cell: str, level: str, outlines: Mapping[str, BaseGeometry]) -> BaseGeometry | None:
    if level == "h3":
        ring = [(lng, lat) for lat, lng in h3.cell_to_boundary(cell)]
        return orient(Polygon(ring), sign=1.0)
    shape = outlines.get(cell)
    if shape is None:
        return None
    if isinstance(shape, MultiPolygon):
        return MultiPolygon([orient(p, sign=1.0) for p in shape.geoms])
    return orient(shape, sign=1.0) if isinstance(shape, Polygon) else shape


def _properties(row: Mapping[Hashable, Any], edges: Mapping[str, float]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, float) and math.isnan(value):
            return None
        return value.item() if hasattr(value, "item") else value

    properties = {column: plain(row[column]) for column in COLUMNS}
    if properties["sites"] is not None:
        properties["sites"] = int(properties["sites"])
    properties["band"] = band_of_mean(row["mean_score"], edges)
    return properties


def to_frame(cells: pd.DataFrame, outlines: Mapping[str, BaseGeometry], edges: Mapping[str, float]) -> gpd.GeoDataFrame:
    records = [_properties(row, edges) for row in cells.to_dict("records")]
    geometries = [_outline(str(r["cell"]), str(r["level"]), outlines) for r in records]
    return gpd.GeoDataFrame(records, geometry=gpd.GeoSeries(np.array(geometries, dtype=object), crs="EPSG:4326"))


def outline_frame(outlines: Mapping[str, BaseGeometry]) -> gpd.GeoDataFrame:
    """Country outlines as a plain layer (the grey world behind a PNG map)."""
    geometries = np.array(list(outlines.values()), dtype=object)
    return gpd.GeoDataFrame({"cell": list(outlines)}, geometry=gpd.GeoSeries(geometries, crs="EPSG:4326"))


def to_geojson(cells: pd.DataFrame, outlines: Mapping[str, BaseGeometry], edges: Mapping[str, float]) -> dict[str, Any]:
    features = []
    for row in cells.to_dict("records"):
        properties = _properties(row, edges)
        geometry = _outline(str(row["cell"]), str(row["level"]), outlines)
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(geometry) if geometry is not None else None,
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def to_gpkg(frame: gpd.GeoDataFrame, layer: str = "risk") -> bytes:
    records = frame.drop(columns="geometry").to_dict("records")
    return write_geopackage(records, list(frame.geometry), layer=layer, geometry_type="GEOMETRY")


def to_csv(cells: pd.DataFrame, edges: Mapping[str, float]) -> str:
    header = [*COLUMNS, "band"]
    rows = []
    for row in cells.to_dict("records"):
        properties = _properties(row, edges)
        rows.append([properties[c] for c in header])
    return write_csv(header, rows)


def to_png(frame: gpd.GeoDataFrame, *, title: str, background: gpd.GeoDataFrame | None = None) -> bytes:
    """A choropleth by band with a legend; suppressed cells grey."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    figure, axes = plt.subplots(figsize=(12, 6.5), dpi=100)
    try:
        if background is not None and not background.empty:
            background.plot(ax=axes, color="#f0f0f0", edgecolor="#999999", linewidth=0.3)
        drawn = frame[frame.geometry.notna()]
        colours = [
            SUPPRESSED_COLOUR if row["suppressed"] else BAND_COLOURS.get(str(row["band"]), SUPPRESSED_COLOUR)
            for _, row in drawn.iterrows()
        ]
        if not drawn.empty:
            drawn.plot(ax=axes, color=colours, edgecolor="#555555", linewidth=0.4)
            # Frame the cells with some of their surroundings, not the whole world.
            west, south, east, north = drawn.total_bounds
            margin = max(east - west, north - south) * 0.25 + 2.0
            axes.set_xlim(max(west - margin, -180.0), min(east + margin, 180.0))
            axes.set_ylim(max(south - margin, -90.0), min(north + margin, 90.0))
        legend = [Patch(facecolor=c, edgecolor="#555555", label=f"{band} risk") for band, c in BAND_COLOURS.items()]
        legend.append(Patch(facecolor=SUPPRESSED_COLOUR, edgecolor="#555555", label="too few sites to show"))
        axes.legend(handles=legend, loc="lower left", title="Mean score band", frameon=True)
        axes.set_title(title)
        axes.set_axis_off()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()
    finally:
        plt.close(figure)
