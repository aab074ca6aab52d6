"""Map outputs open in real readers: GDAL (pyogrio) reads the GeoJSON and the GeoPackage, Pillow
the PNG, whose pixels show the bands' colours."""

from __future__ import annotations

import io
import itertools
import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
from PIL import Image
from shapely.geometry.base import BaseGeometry

from risk.aggregation import Level, MapSpec, aggregate
from risk.map_formats import BAND_COLOURS, SUPPRESSED_COLOUR, to_csv, to_frame, to_geojson, to_gpkg, to_png
from risk.reference.boundaries import SHIPPED, parse_boundaries

EDGES = {"medium": 25.0, "high": 50.0, "severe": 75.0}


@cache
def outlines() -> dict[str, BaseGeometry]:
    return {b.country: b.geometry for b in parse_boundaries(SHIPPED.read_bytes())}


def cells(level: Level = Level.country) -> pd.DataFrame:
    rows = (
        [(23.99, 90.42, "BD", 82.0, "severe", True)] * 3
        + [(11.06, 106.67, "VN", 30.0, "medium", True)] * 2
        + [(11.52, 104.87, "KH", 55.0, "high", False)]  # one unseen site: suppressed with k=5
        + [(3.0, 101.5, "MY", 10.0, "low", True)]
    )
    frame = pd.DataFrame(rows, columns=["lat", "lng", "country", "score", "band", "visible"])
    return aggregate(frame, MapSpec(level, resolution=5, k=5))


class TestGeoJson:
    @pytest.mark.parametrize("level", [Level.country, Level.h3])
    def test_gdal_reads_it_with_every_cell(self, level: Level) -> None:
        collection = to_geojson(cells(level), outlines(), EDGES)
        frame = pyogrio.read_dataframe(io.BytesIO(json.dumps(collection).encode()))
        assert len(frame) == len(collection["features"]) == len(cells(level))
        assert frame.crs.to_epsg() == 4326
        assert frame.geometry.is_valid.all()

    def test_rings_follow_the_right_hand_rule_and_suppressed_cells_carry_no_figures(self) -> None:
        collection = to_geojson(cells(), outlines(), EDGES)
        by_cell = {f["properties"]["cell"]: f for f in collection["features"]}
        assert by_cell["BD"]["properties"]["band"] == "severe"
        assert by_cell["KH"]["properties"] | {"cell": None} == {
            "cell": None,
            "level": "country",
            "resolution": -1,
            "sites": None,
            "mean_score": None,
            "max_score": None,
            "share_high": None,
            "suppressed": True,
            "band": None,
        }
        ring = by_cell["VN"]["geometry"]["coordinates"][0][0]
        area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
        assert area2 > 0  # counter-clockwise exterior (RFC 7946 section 3.1.6)


def test_the_geopackage_opens_in_gdal(tmp_path: Path) -> None:
    path = tmp_path / "risk.gpkg"
    path.write_bytes(to_gpkg(to_frame(cells(), outlines(), EDGES)))
    assert pyogrio.list_layers(path)[0][0] == "risk"
    frame = pyogrio.read_dataframe(path)
    assert sorted(frame["cell"]) == ["BD", "KH", "MY", "VN"]
    assert frame.loc[frame["cell"] == "BD", "mean_score"].item() == 82.0


def test_csv_lists_every_cell_with_its_band() -> None:
    text = to_csv(cells(), EDGES)
    lines = text.splitlines()
    assert lines[0] == "cell,level,resolution,sites,mean_score,max_score,share_high,suppressed,band"
    assert "BD,country,-1,3,82.0,82.0,1.0,False,severe" in lines


def test_the_png_shows_the_bands_in_colour_with_a_legend() -> None:
    frame = to_frame(cells(), outlines(), EDGES)
    image = Image.open(io.BytesIO(to_png(frame, title="Risk by country"))).convert("RGB")
    colours = {tuple(int(v) for v in pixel) for pixel in np.asarray(image).reshape(-1, 3)}

    def rgb(hex_colour: str) -> tuple[int, int, int]:
        return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))

    for colour in (*BAND_COLOURS.values(), SUPPRESSED_COLOUR):
        assert rgb(colour) in colours
    assert image.width > 400
