"""The vectorised whole-network recompute computes exactly what ``scoring.score`` does, per site."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.inputs import RiskInputs
from risk.method import current_method
from risk.scoring import score
from risk.vectorised import COMPONENTS, frames_of, score_frames
from tests.risk.test_scoring import assessments, findings, paths, sites, suppliers

METHOD = current_method()

inputs = st.builds(
    RiskInputs,
    site=sites,
    findings=st.lists(findings, max_size=5).map(tuple),
    assessments=st.lists(assessments, max_size=3).map(tuple),
    recruitment=st.lists(paths, max_size=4).map(tuple),
    upstream=st.lists(suppliers, max_size=7).map(tuple),
)


class TestScoreFrames:
    @settings(max_examples=150, deadline=None)
    @given(st.lists(inputs, min_size=1, max_size=8))
    def test_equals_score_for_every_site(self, batch: list[RiskInputs]) -> None:
        result = score_frames(frames_of(batch), METHOD)
        for n, site_inputs in enumerate(batch):
            expected = score(site_inputs, METHOD)
            row = result.totals.iloc[n]
            assert row["total"] == pytest.approx(expected.total, abs=1e-9)
            assert row["band"] == expected.band.value
            assert row["confidence"] == pytest.approx(expected.confidence, abs=1e-9)
            for component, name in zip(expected.components, COMPONENTS, strict=True):
                assert row[f"{name}_points"] == pytest.approx(component.points, abs=1e-9)
                assert row[f"{name}_raw"] == pytest.approx(component.raw, rel=1e-9, abs=1e-12)
                mine = result.items[(result.items["site"] == n) & (result.items["component"] == name)]
                assert list(mine["ref"]) == [i.ref for i in component.items]
                assert list(mine["points"]) == pytest.approx([i.points for i in component.items], abs=1e-9)

    def test_an_empty_site_scores_zero(self) -> None:
        result = score_frames(frames_of([RiskInputs()]), METHOD)
        assert result.totals.iloc[0]["total"] == 0.0
        assert result.items.empty
