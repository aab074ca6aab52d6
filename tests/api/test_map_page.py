"""The map page (`/maps`) in a real headless Chromium against `loomline serve`: it signs in with the
token in the URL fragment, fetches the GeoJSON layer and paints the countries in their band colours."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from core.db import create_sessionmaker, transaction
from graph.models import Facility
from risk.models import RiskScore, ScoredKind
from tests.conftest import make_organization_with_client, make_settings, migrate
from tests.live_server import running_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def word() -> str:
    return "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:10]).capitalize()


@pytest.fixture
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chromium is not installed: .ci/run installs it (apt package chromium).")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return CHROMIUM


def test_the_map_page_paints_scored_countries(chromium: str, fresh_db_url: str, tmp_path: Path) -> None:
    engine = migrate(make_settings(fresh_db_url))
    try:
        sessions = create_sessionmaker(engine)
        creds = make_organization_with_client(sessions, scopes="graph:write maps:read")
        with running_server(fresh_db_url, tmp_path / "server.log") as base_url:
            token = httpx.post(
                f"{base_url}/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(creds.client_id, creds.client_secret),
            ).json()["access_token"]
            for country, lat, lng in (("BD", 23.9, 90.4), ("BD", 23.7, 90.3), ("VN", 10.9, 106.7)):
                body = {"name": f"{word()} {word()} Mills", "country": country, "lat": lat, "lng": lng}
                created = httpx.post(
                    f"{base_url}/v1/facilities", json=body, headers={"Authorization": f"Bearer {token}"}
                )
                assert created.status_code == 201, created.text
            with transaction(sessions) as s:
                for facility in s.query(Facility).all():
                    in_bangladesh = facility.country == "BD"
                    s.add(
                        RiskScore(
                            subject_kind=ScoredKind.facility, subject_id=facility.id,
                            score=90.0 if in_bangladesh else 10.0,
                            band="severe" if in_bangladesh else "low", confidence=0.5, components=[],
                            method_version="test", inputs_fingerprint="0" * 64,
                        )
                    )  # fmt: skip
            shot = tmp_path / "map.png"
            subprocess.run(  # noqa: S603 - the system's chromium, our own URL
                [
                    chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=1000,700", "--virtual-time-budget=10000", f"--screenshot={shot}",
                    f"{base_url}/maps#token={token}",
                ],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
    finally:
        engine.dispose()
    pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3).astype(int)
    red, green, blue = pixels[:, 0], pixels[:, 1], pixels[:, 2]
    severe = (red > 190) & (green < 90) & (blue < 90)  # Bangladesh, band severe (#e31a1c)
    low = (red > 230) & (green > 230) & (blue > 140) & (blue < 200)  # Viet Nam, band low (#ffffb2)
    assert np.count_nonzero(severe) > 200, "no country painted in the severe colour"
    assert np.count_nonzero(low) > 200, "no country painted in the low colour"
