"""Rapid risk maps: site scores aggregated by country or H3 hexagon, with k-anonymity.

Pure and vectorised (pandas): the loader hands over one row per scored site the caller's map may
include: ``lat``, ``lng`` (may be NaN), ``country``, ``score``, ``band`` and ``visible`` (may the
caller see this site individually?). A cell that holds fewer than ``k`` sites, one of which the
caller may not see, would let a reader single those sites out: an H3 cell is then merged into its
parent (coarser) cell until it holds ``k`` sites, and what is still too small, like a small
country, is suppressed (kept as a row with no figures, so the map shows "too few sites" rather
than a hole that looks like "no risk").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import h3
import numpy as np
import pandas as pd

#: Default minimum number of sites behind a published figure.
DEFAULT_K = 5
HIGH_BANDS = ("high", "severe")
COLUMNS = ("cell", "level", "resolution", "sites", "mean_score", "max_score", "share_high", "suppressed")


class Level(StrEnum):
    country = "country"
    h3 = "h3"


@dataclass(frozen=True, slots=True)
class MapSpec:
    level: Level = Level.country
    #: H3 resolution (0-15); ignored for countries.
    resolution: int = 5
    k: int = DEFAULT_K

    def __post_init__(self) -> None:
        if not 0 <= self.resolution <= 15:
            raise ValueError("H3 resolution must be between 0 and 15")
        if self.k < 1:
            raise ValueError("k must be at least 1")


def aggregate(sites: pd.DataFrame, spec: MapSpec) -> pd.DataFrame:
    """One row per cell: ``cell`` (ISO code or H3 index), ``sites``, ``mean_score``, ``max_score``,
    ``share_high`` (high or severe), ``suppressed``; figures are NaN where suppressed."""
    if sites.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    if spec.level is Level.country:
        return _finish(_summarise(sites.assign(cell=sites["country"], resolution=-1)), spec)
    located = sites.dropna(subset=["lat", "lng"])
    to_cell = h3.api.basic_int.latlng_to_cell
    cells = [to_cell(lat, lng, spec.resolution) for lat, lng in zip(located["lat"], located["lng"], strict=True)]
    summary = _merge_small_hexagons(_summarise(located.assign(cell=cells, resolution=spec.resolution)), spec)
    return _finish(summary.assign(cell=[h3.int_to_str(c) for c in summary["cell"]]), spec)


#: Additive figures per cell: a parent cell's are the sums (and max) of its children's.
_STATS = {"sites": "sum", "score_sum": "sum", "max_score": "max", "high": "sum", "hidden": "sum"}


def _summarise(frame: pd.DataFrame) -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "cell": frame["cell"].to_numpy(),
            "resolution": frame["resolution"].to_numpy(),
            "sites": 1,
            "score_sum": frame["score"].to_numpy(dtype=float),
            "max_score": frame["score"].to_numpy(dtype=float),
            "high": frame["band"].isin(HIGH_BANDS).to_numpy(dtype=int),
            "hidden": (~frame["visible"].astype(bool)).to_numpy(dtype=int),
        }
    )
    return _combine(rows)


def _combine(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.groupby(["cell", "resolution"], sort=False).agg(_STATS).reset_index()


def _too_small(summary: pd.DataFrame, k: int) -> pd.Series:
    return (summary["sites"] < k) & (summary["hidden"] > 0)


def _merge_small_hexagons(summary: pd.DataFrame, spec: MapSpec) -> pd.DataFrame:
    """Fold every too-small cell into its parent cell, one resolution at a time."""
    while True:
        small = _too_small(summary, spec.k) & (summary["resolution"] > 0)
        if not small.any():
            return summary
        moving = summary[small]
        parent = h3.api.basic_int.cell_to_parent
        parents = [parent(cell, res - 1) for cell, res in zip(moving["cell"], moving["resolution"], strict=True)]
        moved = moving.assign(cell=parents, resolution=moving["resolution"] - 1)
        summary = _combine(pd.concat([summary[~small], moved], ignore_index=True))


def _finish(summary: pd.DataFrame, spec: MapSpec) -> pd.DataFrame:
    suppressed = _too_small(summary, spec.k)
    out = summary.assign(
        level=spec.level.value,
        suppressed=suppressed,
        mean_score=(summary["score_sum"] / summary["sites"]).round(2),
        share_high=(summary["high"] / summary["sites"]).round(4),
    )
    for column in ("sites", "mean_score", "max_score", "share_high"):
        out[column] = out[column].astype(float).where(~suppressed, np.nan)
    return out[list(COLUMNS)].sort_values(["suppressed", "cell"]).reset_index(drop=True)
