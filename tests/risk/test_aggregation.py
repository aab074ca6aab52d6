"""Risk maps aggregate by country and H3 cell and never publish a figure from fewer than k sites
the caller may not see individually."""

from __future__ import annotations

from collections.abc import Sequence

import h3
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.aggregation import Level, MapSpec, aggregate


def sites(rows: Sequence[tuple[float | None, float | None, str, float, str, bool]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["lat", "lng", "country", "score", "band", "visible"])


class TestCountry:
    def test_figures_per_country(self) -> None:
        frame = sites(
            [
                (None, None, "BD", 80, "severe", True),
                (None, None, "BD", 40, "medium", True),
                (1, 1, "VN", 10, "low", True),
            ]
        )
        out = aggregate(frame, MapSpec(Level.country, k=1)).set_index("cell")
        assert list(out.loc["BD", ["sites", "mean_score", "max_score", "share_high"]]) == [2, 60, 80, 0.5]
        assert out.loc["VN", "sites"] == 1

    def test_a_country_of_too_few_unseen_sites_is_suppressed_not_dropped(self) -> None:
        frame = sites([(None, None, "BD", 80, "severe", False)] * 4 + [(None, None, "KH", 50, "high", False)] * 5)
        out = aggregate(frame, MapSpec(Level.country, k=5)).set_index("cell")
        assert bool(out.loc["BD", "suppressed"])
        assert out.loc["BD", ["sites", "mean_score", "max_score", "share_high"]].isna().all()
        assert not bool(out.loc["KH", "suppressed"])
        assert out.loc["KH", "sites"] == 5

    def test_sites_the_caller_sees_need_no_hiding(self) -> None:
        out = aggregate(sites([(None, None, "BD", 80, "severe", True)]), MapSpec(Level.country, k=5))
        assert out["sites"].tolist() == [1]


class TestHexagons:
    def test_small_cells_merge_into_their_parent(self) -> None:
        # Six sites within a few hundred metres: at resolution 9 they fall in a few small cells.
        points = [(23.99 + i * 0.002, 90.42 + i * 0.002) for i in range(6)]
        frame = sites([(lat, lng, "BD", 60, "high", False) for lat, lng in points])
        out = aggregate(frame, MapSpec(Level.h3, resolution=9, k=6))
        assert out["suppressed"].tolist() == [False]
        assert out["sites"].tolist() == [6]
        assert out["resolution"].tolist()[0] < 9
        assert all(h3.is_valid_cell(c) for c in out["cell"])

    def test_sites_without_coordinates_are_left_out(self) -> None:
        frame = sites([(None, None, "BD", 60, "high", True), (23.9, 90.4, "BD", 20, "low", True)])
        assert aggregate(frame, MapSpec(Level.h3, resolution=5, k=1))["sites"].sum() == 1

    def test_a_bad_resolution_is_refused(self) -> None:
        with pytest.raises(ValueError, match="resolution"):
            MapSpec(Level.h3, resolution=16)


site_rows = st.lists(
    st.tuples(
        st.floats(-60, 70),
        st.floats(-180, 180),
        st.sampled_from(["BD", "VN", "KH", "IN"]),
        st.floats(0, 100),
        st.sampled_from(["low", "medium", "high", "severe"]),
        st.booleans(),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(site_rows, st.sampled_from([Level.country, Level.h3]), st.integers(0, 8), st.integers(1, 6))
def test_no_published_figure_rests_on_fewer_than_k_unseen_sites(
    rows: list[tuple[float, float, str, float, str, bool]], level: Level, resolution: int, k: int
) -> None:
    frame = sites(list(rows))
    out = aggregate(frame, MapSpec(level, resolution=resolution, k=k))
    published = out[~out["suppressed"]]
    assert (published["sites"] >= 1).all()
    # Every published cell either holds k sites or only sites the caller may see.
    for _, cell in published[published["sites"] < k].iterrows():
        if level is Level.country:
            members = frame[frame["country"] == cell["cell"]]
        else:
            res = int(cell["resolution"])
            inside = [
                h3.latlng_to_cell(lat, lng, res) == cell["cell"]
                for lat, lng in zip(frame["lat"], frame["lng"], strict=True)
            ]
            members = frame[inside]
        assert len(members) == cell["sites"]
        assert members["visible"].all()
    assert published["sites"].sum() <= len(frame)
    if level is Level.country:
        assert set(out["cell"]) == set(frame["country"])
