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
        frame = sites.assign(cell=sites["country"], resolution=-1)
        return _finish(_summarise(frame), spec)
    located = sites.dropna(subset=["lat", "lng"])
    cells = [
        h3.latlng_to_cell(lat, lng, spec.resolution) for lat, lng in zip(located["lat"], located["lng"], strict=True)
    ]
    frame = located.assign(cell=cells, resolution=spec.resolution)
    return _finish(_merge_small_hexagons(frame, spec), spec)


def _summarise(frame: pd.DataFrame) -> pd.DataFrame:
    high = frame["band"].isin(HIGH_BANDS)
    grouped = frame.assign(high=high.astype(float)).groupby(["cell", "resolution"], sort=True)
    return grouped.agg(
        sites=("score", "size"),
        mean_score=("score", "mean"),
        max_score=("score", "max"),
        share_high=("high", "mean"),
        hidden=("visible", lambda v: int((~v.astype(bool)).sum())),
    ).reset_index()


def _too_small(summary: pd.DataFrame, k: int) -> pd.Series:
    return (summary["sites"] < k) & (summary["hidden"] > 0)


def _merge_small_hexagons(frame: pd.DataFrame, spec: MapSpec) -> pd.DataFrame:
    """Move the sites of every too-small cell to its parent cell, one resolution at a time."""
    for _ in range(spec.resolution):
        summary = _summarise(frame)
        small = summary.loc[_too_small(summary, spec.k) & (summary["resolution"] > 0), ["cell", "resolution"]]
        if small.empty:
            return summary
        moving = frame.set_index(["cell", "resolution"]).index.isin(pd.MultiIndex.from_frame(small))
        parents = [
            h3.cell_to_parent(cell, res - 1)
            for cell, res in zip(frame.loc[moving, "cell"], frame.loc[moving, "resolution"], strict=True)
        ]
        frame = frame.copy()
        frame.loc[moving, "cell"] = parents
        frame.loc[moving, "resolution"] = frame.loc[moving, "resolution"] - 1
    return _summarise(frame)


def _finish(summary: pd.DataFrame, spec: MapSpec) -> pd.DataFrame:
    suppressed = _too_small(summary, spec.k)
    out = summary.assign(level=spec.level.value, suppressed=suppressed)
    for column in ("sites", "mean_score", "max_score", "share_high"):
        out[column] = out[column].astype(float).where(~suppressed, np.nan)
    out["mean_score"] = out["mean_score"].round(2)
    out["share_high"] = out["share_high"].round(4)
    return out[list(COLUMNS)].sort_values(["suppressed", "cell"]).reset_index(drop=True)
