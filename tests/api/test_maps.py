"""GET /v1/maps/risk: aggregated scores in every format, k-anonymity for what the caller may not
see individually, filters that follow only the caller's own links (both dialects)."""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pyogrio
import pytest
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.principal import OrganizationKind
from graph.models import Facility
from risk.models import RiskScore, ScoredKind
from tests.conftest import Credentials, bearer, fetch_token, make_organization_with_client

pytestmark = pytest.mark.anyio
BASE = "/v1/maps/risk"


def word() -> str:
    return "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:10]).capitalize()


async def site(api: httpx.AsyncClient, token: str, *, country: str, lat: float, lng: float, sector: str) -> str:
    body = {"name": f"{word()} {word()} Mills", "country": country, "lat": lat, "lng": lng, "sector": sector}
    response = await api.post("/v1/facilities", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def score(factory: sessionmaker[Session], public_ids: list[str], value: float, band: str) -> None:
    with transaction(factory) as s:
        for public_id in public_ids:
            facility = s.query(Facility).filter_by(public_id=public_id).one()
            s.add(
                RiskScore(
                    subject_kind=ScoredKind.facility, subject_id=facility.id, score=value, band=band, confidence=0.5,
                    components=[], method_version="test", inputs_fingerprint="0" * 64,
                )
            )  # fmt: skip


@pytest.fixture
def ctip(committing_sessions: sessionmaker[Session]) -> Credentials:
    return make_organization_with_client(committing_sessions, kind=OrganizationKind.ctip)


@dataclass(frozen=True)
class Network:
    token: str
    sector: str
    bd: list[str]
    vn: list[str]


@pytest.fixture
async def network(api: httpx.AsyncClient, brand: Credentials, committing_sessions: sessionmaker[Session]) -> Network:
    """Three severe sites in Bangladesh and five medium ones in Viet Nam, in a sector of their own."""
    token = await fetch_token(api, brand)
    sector = f"Sector {word()}"
    bd = [await site(api, token, country="BD", lat=23.9 + i / 50, lng=90.4, sector=sector) for i in range(3)]
    vn = [await site(api, token, country="VN", lat=10.9 + i / 50, lng=106.7, sector=sector) for i in range(5)]
    score(committing_sessions, bd, 80.0, "severe")
    score(committing_sessions, vn, 30.0, "medium")
    return Network(token, sector, bd, vn)


async def cells(api: httpx.AsyncClient, token: str, **params: str | int) -> dict[str, dict[str, Any]]:
    query: dict[str, str | int] = {"format": "geojson", **params}
    response = await api.get(BASE, params=query, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    return {f["properties"]["cell"]: f for f in response.json()["features"]}


class TestCountries:
    async def test_a_member_sees_the_figures_of_sites_it_may_see(
        self, api: httpx.AsyncClient, network: Network
    ) -> None:
        found = await cells(api, network.token, sector=network.sector)
        assert found["BD"]["properties"]["sites"] == 3
        assert found["BD"]["properties"]["band"] == "severe"
        assert found["VN"]["properties"]["mean_score"] == 30.0
        assert found["BD"]["geometry"]["type"] in ("Polygon", "MultiPolygon")

    async def test_ctip_organisations_get_no_cell_of_fewer_than_k_sites(
        self, api: httpx.AsyncClient, network: Network, ctip: Credentials
    ) -> None:
        found = await cells(api, await fetch_token(api, ctip), sector=network.sector)
        assert found["BD"]["properties"]["suppressed"] is True
        assert found["BD"]["properties"]["sites"] is None
        assert found["BD"]["properties"]["mean_score"] is None
        assert found["VN"]["properties"]["sites"] == 5


class TestHexagons:
    async def test_ctip_hexagons_are_folded_until_they_hold_k_sites(
        self, api: httpx.AsyncClient, network: Network, ctip: Credentials
    ) -> None:
        found = await cells(api, await fetch_token(api, ctip), sector=network.sector, level="h3", resolution=7)
        published = [f["properties"] for f in found.values() if not f["properties"]["suppressed"]]
        assert all(p["sites"] >= 5 for p in published)
        assert sum(p["sites"] for p in published) == 5  # the Viet Nam sites, at a coarser resolution
        assert all(p["resolution"] < 7 for p in published)


class TestFormats:
    async def test_gpkg_csv_and_png(self, api: httpx.AsyncClient, network: Network, tmp_path: Path) -> None:
        token, sector = network.token, network.sector
        gpkg = await api.get(BASE, params={"format": "gpkg", "sector": sector}, headers=bearer(token))
        path = tmp_path / "risk.gpkg"
        path.write_bytes(gpkg.content)
        assert sorted(pyogrio.read_dataframe(path)["cell"]) == ["BD", "VN"]

        csv = await api.get(BASE, params={"format": "csv", "sector": sector}, headers=bearer(token))
        assert csv.headers["content-type"].startswith("text/csv")
        assert csv.text.splitlines()[0].startswith("cell,level,resolution,sites")

        png = await api.get(BASE, params={"format": "png", "sector": sector}, headers=bearer(token))
        image = np.asarray(Image.open(io.BytesIO(png.content)).convert("RGB")).reshape(-1, 3)
        assert {(0xE3, 0x1A, 0x1C), (0xFE, 0xCC, 0x5C)} <= {tuple(int(v) for v in p) for p in image}

    async def test_geojson_opens_in_gdal(self, api: httpx.AsyncClient, network: Network) -> None:
        response = await api.get(BASE, params={"sector": network.sector}, headers=bearer(network.token))
        frame = pyogrio.read_dataframe(io.BytesIO(response.content))
        assert len(frame) == 2
        assert json.loads(response.content)["type"] == "FeatureCollection"


class TestFilters:
    async def test_tier_follows_only_the_callers_own_links(
        self,
        api: httpx.AsyncClient,
        network: Network,
        committing_sessions: sessionmaker[Session],
    ) -> None:
        token, sector = network.token, network.sector
        other = await fetch_token(api, make_organization_with_client(committing_sessions))
        me = (await api.get("/v1/organizations/me", headers=bearer(token))).json()["organization"]["id"]
        them = (await api.get("/v1/organizations/me", headers=bearer(other))).json()["organization"]["id"]
        bd, vn = network.bd, network.vn
        for caller, org, target in ((token, me, bd[0]), (other, them, vn[0])):
            link = {
                "kind": "sources_from",
                "from": {"kind": "organization", "id": org},
                "to": {"kind": "facility", "id": target},
                "tier": 2,
            }
            response = await api.post("/v1/relationships", json=link, headers=bearer(caller))
            assert response.status_code == 201, response.text

        mine = await cells(api, token, sector=sector, tier=2)
        assert set(mine) == {"BD"}  # the other member's tier-2 site in Viet Nam stays out
        assert mine["BD"]["properties"]["sites"] == 1
        tags = {(await api.get(BASE, params={"sector": sector, "tier": 2}, headers=bearer(t))).headers["etag"]
                for t in (token, other)}  # fmt: skip
        assert len(tags) == 2  # each member's map follows its own links: never one shared tag

    async def test_bad_parameters_and_missing_scope(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        creds = make_organization_with_client(committing_sessions, scopes="graph:read")
        token = await fetch_token(api, creds)
        assert (await api.get(BASE, headers=bearer(token))).status_code == 403
        assert (await api.get(BASE)).status_code == 401
        full = await fetch_token(api, make_organization_with_client(committing_sessions))
        bad = await api.get(BASE, params={"level": "province"}, headers=bearer(full))
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["location"] == ["query", "level"]


async def map_response(api: httpx.AsyncClient, token: str, **params: str | int) -> httpx.Response:
    response = await api.get(BASE, params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    return response


class TestEtag:
    async def test_the_same_request_gets_the_same_tag_and_bytes(self, api: httpx.AsyncClient, network: Network) -> None:
        for output in ("geojson", "csv", "png"):
            first = await map_response(api, network.token, sector=network.sector, format=output)
            second = await map_response(api, network.token, sector=network.sector, format=output)
            assert first.headers["etag"] == second.headers["etag"]
            assert first.headers["etag"].startswith('"')  # strong: the same bytes
            assert first.content == second.content

    async def test_a_matching_if_none_match_gets_a_304(self, api: httpx.AsyncClient, network: Network) -> None:
        etag = (await map_response(api, network.token, sector=network.sector)).headers["etag"]
        for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            headers = bearer(network.token) | {"If-None-Match": sent}
            response = await api.get(BASE, params={"sector": network.sector}, headers=headers)
            assert response.status_code == 304, sent
            assert response.headers["etag"] == etag
            assert response.content == b""
        stale = await api.get(
            BASE, params={"sector": network.sector}, headers=bearer(network.token) | {"If-None-Match": '"stale"'}
        )
        assert stale.status_code == 200

    async def test_a_changed_score_changes_the_tag(
        self, api: httpx.AsyncClient, network: Network, committing_sessions: sessionmaker[Session]
    ) -> None:
        before = (await map_response(api, network.token, sector=network.sector)).headers["etag"]
        with transaction(committing_sessions) as s:
            facility = s.query(Facility).filter_by(public_id=network.vn[0]).one()
            stored = s.query(RiskScore).filter_by(subject_id=facility.id).one()
            stored.inputs_fingerprint = "1" * 64  # recomputed from new inputs, to the same score
        recomputed = (await map_response(api, network.token, sector=network.sector)).headers["etag"]
        with transaction(committing_sessions) as s:
            s.query(RiskScore).filter_by(subject_id=facility.id).one().score = 31.0
        rescored = (await map_response(api, network.token, sector=network.sector)).headers["etag"]
        assert len({before, recomputed, rescored}) == 3

    async def test_format_level_and_caller_kind_change_the_tag(
        self, api: httpx.AsyncClient, network: Network, ctip: Credentials
    ) -> None:
        token, sector = network.token, network.sector
        tags = [
            (await map_response(api, token, sector=sector, **params)).headers["etag"]
            for params in ({}, {"format": "csv"}, {"format": "png"}, {"level": "h3"}, {"level": "h3", "resolution": 4})
        ]  # fmt: skip
        tags.append((await map_response(api, await fetch_token(api, ctip), sector=sector)).headers["etag"])
        assert len(set(tags)) == len(tags)

    async def test_the_geopackage_tag_is_weak(self, api: httpx.AsyncClient, network: Network) -> None:
        etag = (await map_response(api, network.token, sector=network.sector, format="gpkg")).headers["etag"]
        assert etag.startswith('W/"')
        headers = bearer(network.token) | {"If-None-Match": etag}
        response = await api.get(BASE, params={"sector": network.sector, "format": "gpkg"}, headers=headers)
        assert response.status_code == 304
