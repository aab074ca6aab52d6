"""`loomline demo` scores its network and `loomline map` draws it as each organisation may see it."""

from __future__ import annotations

import csv
from pathlib import Path

import pyogrio
import pytest
from sqlalchemy.engine import Engine

from cli.demo_recruiters import DEMO_RECRUITERS
from cli.demo_sites import DEMO_SITES
from core.db import create_engine
from risk.models import RiskScore
from tests.cli.test_cli import Loomline, count, failed_cleanly, succeeded
from tests.conftest import make_settings, migrate


@pytest.fixture
def loomline(fresh_db_url: str) -> Loomline:
    migrate(make_settings(fresh_db_url)).dispose()
    return Loomline(fresh_db_url)


def test_the_demo_is_scored_and_mapped(loomline: Loomline, tmp_path: Path) -> None:
    succeeded(loomline("demo"))
    engine: Engine = create_engine(make_settings(loomline.database_url))
    try:
        assert count(engine, RiskScore) == len(DEMO_SITES) + len(DEMO_RECRUITERS)
    finally:
        engine.dispose()

    gpkg = tmp_path / "risk.gpkg"
    assert "wrote" in succeeded(loomline("map", "--org", "loomline-operators-demo", "--out", str(gpkg))).stdout
    layer = pyogrio.read_dataframe(gpkg)
    assert len(layer) >= 5
    assert layer["sites"].sum() == len(DEMO_SITES)

    ctip = tmp_path / "ctip.csv"
    succeeded(loomline("map", "--org", "open-corridors-initiative-demo", "--out", str(ctip)))
    rows = list(csv.DictReader(ctip.read_text(encoding="utf-8").splitlines()))
    assert rows
    assert all(r["suppressed"] == "True" or float(r["sites"]) >= 5 for r in rows)

    assert "--out" in failed_cleanly(loomline("map", "--org", "loomline-operators-demo", "--out", "x.txt"), 2)
