"""Visibility proof for risk and maps: random networks (brands, suppliers, auditors, recruiters and
CTIP organisations; sites in a few countries; sourcing, supply, recruitment and sub-agent links
by different members, some ended or expired; site owners; assessments with findings, pooled or
not; grants, revocations, expiries), scored by the real recompute jobs, then every risk and map
endpoint checked through the API against a plain Python oracle of the sharing rules, on both
dialects:

- an explanation names a finding only when its assessment is visible to the caller, and a
  recruiter path only when every link of it is (its contributor, or the owner of the site it
  touches); the rest is one pooled item per component; the total is the same for every member;
- exposure follows only the caller's visible active links, from its own sourcing links upstream;
- training priorities count the other brands of a shared site and name only those that consented;
- map cells aggregate the sites the caller's links reach; a CTIP organisation's cells with fewer
  than k sites are suppressed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import anyio
import httpx
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from core.db import transaction
from core.principal import OrganizationKind
from core.settings import Settings
from policies.models import SharingGrant
from tests.api.risk_oracle import (
    Network,
    assert_cells,
    check_explanation,
    check_exposure,
    check_training,
    expected_cells,
    load_network,
    parse_map,
    stored_refs_are_pooled_evidence,
)
from tests.api.risk_world import Built, Grant, World, build, countries, score_everything, worlds
from tests.conftest import app_client, bearer, fetch_token

# --- the checks, member by member ------------------------------------------------------------------


async def check_risk(client: httpx.AsyncClient, world: World, built: Built, headers: list[dict[str, str]]) -> None:
    for index, org in enumerate(built.orgs):
        ctip = world.kinds[index] is OrganizationKind.ctip
        for site_id, public_id in built.sites:
            response = await client.get(f"/v1/risk/facilities/{public_id}", headers=headers[index])
            if ctip:  # CTIP organisations see no site-level record
                assert response.status_code == 404, response.text
                continue
            assert response.status_code == 200, response.text
            check_explanation(org, site_id, response.json(), built)
        for agent_id, public_id in built.agents:
            response = await client.get(f"/v1/risk/recruiters/{public_id}", headers=headers[index])
            assert response.status_code == 200, response.text
            check_explanation(org, agent_id, response.json(), built)


async def check_networks(client: httpx.AsyncClient, built: Built, headers: list[dict[str, str]]) -> None:
    for index, org in enumerate(built.orgs):
        exposure = await client.get("/v1/risk/exposure", headers=headers[index])
        assert exposure.status_code == 200, exposure.text
        check_exposure(org, exposure.json(), built)
        training = await client.get("/v1/risk/training-priorities", headers=headers[index])
        assert training.status_code == 200, training.text
        check_training(org, training.json(), built)


async def check_maps(
    client: httpx.AsyncClient, world: World, built: Built, headers: list[dict[str, str]], network: Network, k: int
) -> None:
    tier = world.links[0].tier
    for index, org in enumerate(built.orgs):
        ctip = world.kinds[index] is OrganizationKind.ctip
        asks: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
            ("geojson", {"tier": tier}, {"tier": tier}),
            ("csv", {"corridor": str(built.corridors[0])}, {"corridor": built.corridors[0]}),
            ("geojson", {}, {}),
        ]
        # A CTIP organisation's map is the one k-anonymity guards: every ask; a member: one filter.
        asks = asks if ctip else [asks[index % 2]]
        for output, params, filters in asks:
            response = await client.get(
                "/v1/maps/risk", params={"level": "country", "format": output, **params}, headers=headers[index]
            )
            got = parse_map(response, output)
            assert_cells(got, expected_cells(network, org, ctip, k, **filters))
            if ctip:
                assert all(cell[4] or (cell[0] or 0) >= k for cell in got.values())


def revoke_all(factory: sessionmaker[Session], built: Built) -> None:
    with transaction(factory) as s:
        for grant in s.scalars(sa.select(SharingGrant).where(SharingGrant.id.in_(built.grant_ids))):
            grant.revoked_at = grant.revoked_at or datetime.now(UTC)
    built.grants = [Grant(g.subject_id, g.grantee, in_force=False) for g in built.grants]


hypothesis_settings = settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def test_risk_and_maps_show_only_what_the_sharing_rules_allow(
    settings: Settings, committing_sessions: sessionmaker[Session], db_url: str
) -> None:
    app = create_app(settings)

    @hypothesis_settings
    @given(world=worlds())
    def holds(world: World) -> None:
        built = build(committing_sessions, world, countries(db_url))
        score_everything(committing_sessions, built)
        stored_refs_are_pooled_evidence(built)
        network = load_network(committing_sessions)

        async def run() -> None:
            async with app_client(settings, app) as client:
                headers = [bearer(await fetch_token(client, creds)) for creds in built.members]
                await check_risk(client, world, built, headers)
                await check_networks(client, built, headers)
                await check_maps(client, world, built, headers, network, settings.map_min_sites)
                revoke_all(committing_sessions, built)  # revocation applies on the next request
                await check_risk(client, world, built, headers)

        anyio.run(run)

    holds()
