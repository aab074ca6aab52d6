"""GET /v1/risk/facilities/{id}: one pooled total for every member; evidence named only for those
who may see it, everything else one aggregate item per component."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.principal import OrganizationKind
from ingest.assessments.models import Assessment
from policies.models import Organization, SharingGrant
from policies.visibility import ASSESSMENT_GRANT
from tests.conftest import Credentials, bearer, fetch_token, make_organization_with_client
from tests.risk.network import make_network

pytestmark = pytest.mark.anyio
BASE = "/v1/risk/facilities"


@dataclass(frozen=True)
class World:
    site: str
    finding: str
    assessment: str
    path: str
    agent: str
    tokens: dict[str, str]


async def _world(api: httpx.AsyncClient, sessions: sessionmaker[Session]) -> World:
    kinds = {
        "brand": OrganizationKind.brand,  # stated the links
        "other": OrganizationKind.brand,  # sees neither links nor the audit
        "granted": OrganizationKind.brand,  # the audit was shared with it
        "auditor": OrganizationKind.auditor,  # ran the audit
        "ctip": OrganizationKind.ctip,
    }
    creds: dict[str, Credentials] = {name: make_organization_with_client(sessions, kind=k) for name, k in kinds.items()}
    with transaction(sessions) as s:
        net = make_network(
            s,
            brand=s.get_one(Organization, creds["brand"].organization_id),
            auditor=s.get_one(Organization, creds["auditor"].organization_id),
        )
        s.add(
            SharingGrant(
                grantor_organization_id=creds["auditor"].organization_id,
                grantee_organization_id=creds["granted"].organization_id,
                subject_kind=ASSESSMENT_GRANT,
                subject_id=net.finding.assessment_id,
            )
        )
        world = World(
            site=net.site.public_id,
            finding=str(net.finding.id),
            assessment=s.get_one(Assessment, net.finding.assessment_id).public_id,
            path=f"{net.placing.public_id}+{net.subcontract.public_id}",
            agent=net.agent.public_id,
            tokens={},
        )
    for name, c in creds.items():
        world.tokens[name] = await fetch_token(api, c)
    return world


async def _get(api: httpx.AsyncClient, world: World, who: str, **headers: str) -> httpx.Response:
    return await api.get(f"{BASE}/{world.site}", headers=bearer(world.tokens[who]) | headers)


def _items(body: dict[str, Any], component: str) -> list[dict[str, Any]]:
    (found,) = [c for c in body["components"] if c["name"] == component]
    items: list[dict[str, Any]] = found["items"]
    return items


class TestFacilityRisk:
    async def test_names_evidence_only_for_those_who_may_see_it(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        world = await _world(api, committing_sessions)
        bodies = {}
        for who in ("brand", "other", "granted", "auditor"):
            response = await _get(api, world, who)
            assert response.status_code == 200, response.text
            bodies[who] = response.json()
        # The total is the pooled score: the same for every member.
        assert len({(b["score"], b["band"], b["confidence"]) for b in bodies.values()}) == 1
        assert bodies["brand"]["score"] > 0

        for who in ("brand", "other"):
            # Another member's confidential finding never appears as a finding, only in the aggregate.
            assert world.finding not in str(bodies[who])
            assert world.assessment not in str(bodies[who])
            (pooled,) = _items(bodies[who], "evidence")
            assert (pooled["kind"], pooled["count"], pooled["ref"]) == ("pooled_signal", 1, None)
            assert pooled["label"] == "pooled signal from 1 assessments you cannot see"
        for who in ("granted", "auditor"):
            (finding,) = _items(bodies[who], "evidence")
            assert (finding["kind"], finding["ref"], finding["assessment"]) == (
                "finding",
                world.finding,
                world.assessment,
            )

        # The recruiter chain is the brand's own statement: named for it, pooled for the others.
        (path,) = _items(bodies["brand"], "recruitment")
        assert (path["kind"], path["ref"], path["links"]) == ("recruiter_path", world.path, world.path.split("+"))
        (hidden,) = _items(bodies["other"], "recruitment")
        assert hidden["kind"] == "pooled_signal"
        assert world.path.split("+")[0] not in str(bodies["other"])
        # Reference rows and the site profile are always named; points add up to each component.
        kinds = {i["kind"] for i in _items(bodies["other"], "inherent")}
        assert {"sector", "migrant_share", "tier"} <= kinds
        for body in bodies.values():
            for component in body["components"]:
                assert sum(i["points"] for i in component["items"]) == pytest.approx(component["points"], abs=0.01)

    async def test_etag_gives_304_and_differs_with_what_the_caller_sees(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        world = await _world(api, committing_sessions)
        first = await _get(api, world, "brand")
        etag = first.headers["ETag"]
        again = await _get(api, world, "brand", **{"If-None-Match": etag})
        assert again.status_code == 304
        assert again.headers["ETag"] == etag
        assert (await _get(api, world, "brand", **{"If-None-Match": '"stale"'})).status_code == 200
        assert (await _get(api, world, "granted")).headers["ETag"] != etag

    async def test_ctip_unknown_and_malformed_ids_are_404(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        world = await _world(api, committing_sessions)
        assert (await _get(api, world, "ctip")).status_code == 404
        for missing in ("LL-AAAA-AAAA-A", "nope"):
            response = await api.get(f"{BASE}/{missing}", headers=bearer(world.tokens["brand"]))
            assert response.status_code == 404
            assert response.headers["content-type"].startswith("application/problem+json")

    async def test_needs_the_risk_read_scope(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        world = await _world(api, committing_sessions)
        creds = make_organization_with_client(committing_sessions, scopes="graph:read")
        response = await api.get(f"{BASE}/{world.site}", headers=bearer(await fetch_token(api, creds)))
        assert response.status_code == 403


class TestRecruiterRisk:
    async def test_scores_the_paths_through_it_the_same_for_everyone_named_only_for_their_contributor(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        world = await _world(api, committing_sessions)
        bodies = {}
        for who in ("brand", "other", "ctip"):
            response = await api.get(f"/v1/risk/recruiters/{world.agent}", headers=bearer(world.tokens[who]))
            assert response.status_code == 200, response.text
            bodies[who] = response.json()
        assert len({b["score"] for b in bodies.values()}) == 1
        assert bodies["brand"]["subject_kind"] == "recruiter"
        (path,) = _items(bodies["brand"], "recruitment")
        assert (path["kind"], path["ref"]) == ("recruiter_path", world.path)
        for who in ("other", "ctip"):
            (pooled,) = _items(bodies[who], "recruitment")
            assert (pooled["kind"], pooled["count"]) == ("pooled_signal", 1)
            assert world.path.split("+")[0] not in str(bodies[who])
        assert _items(bodies["brand"], "inherent") == []

    async def test_unknown_recruiters_and_facility_ids_are_404(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        world = await _world(api, committing_sessions)
        for missing in ("LR-AAAA-AAAA-A", world.site):
            response = await api.get(f"/v1/risk/recruiters/{missing}", headers=bearer(world.tokens["brand"]))
            assert response.status_code == 404
