"""Rapid risk maps: aggregate N site scores to countries and to H3 cells (k-anonymity included).

    uv run python benchmarks/map_aggregation.py [-n 1000000] [--repeat 3] [--seed 7]

Points are scattered around real manufacturing regions (a normal spread of about 1 degree), a
tenth of them without coordinates, a third not visible to the caller; prints the median and
best wall time of each aggregation and the number of cells it produced.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from risk.aggregation import Level, MapSpec, aggregate

#: (country, lat, lng) of manufacturing regions.
REGIONS = (
    ("BD", 23.9, 90.4),
    ("VN", 10.9, 106.7),
    ("KH", 11.5, 104.9),
    ("IN", 11.1, 77.3),
    ("CN", 23.1, 113.3),
    ("MY", 3.1, 101.6),
    ("TH", 13.7, 100.5),
    ("TR", 41.0, 28.9),
    ("ET", 9.0, 38.7),
    ("HN", 15.5, -88.0),
)


def sites(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    which = rng.integers(0, len(REGIONS), n)
    countries = np.array([r[0] for r in REGIONS])[which]
    lat = np.array([r[1] for r in REGIONS])[which] + rng.normal(0, 1.0, n)
    lng = np.array([r[2] for r in REGIONS])[which] + rng.normal(0, 1.0, n)
    missing = rng.random(n) < 0.1
    lat[missing], lng[missing] = np.nan, np.nan
    score = rng.uniform(0, 100, n)
    band = pd.cut(score, [-1, 25, 50, 75, 101], labels=["low", "medium", "high", "severe"]).astype(str)
    return pd.DataFrame(
        {"lat": lat, "lng": lng, "country": countries, "score": score, "band": band, "visible": rng.random(n) > 0.33}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    frame = sites(args.n, args.seed)
    print(f"{args.n:,} sites ({int(frame['lat'].isna().sum()):,} without coordinates), k=5")
    for spec in (MapSpec(Level.country), MapSpec(Level.h3, resolution=5), MapSpec(Level.h3, resolution=7)):
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            out = aggregate(frame, spec)
            times.append(time.perf_counter() - started)
        label = "country" if spec.level is Level.country else f"h3 res {spec.resolution}"
        print(
            f"{label:<10} median {statistics.median(times):6.2f} s  best {min(times):6.2f} s  "
            f"{len(out):,} cells ({int(out['suppressed'].sum()):,} suppressed)"
        )


if __name__ == "__main__":
    main()
