"""Claims through the API: suppliers claim, operators decide, owners' statements win."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.principal import OrganizationKind
from policies.scopes import ALL_SCOPES
from tests.conftest import Credentials, bearer, fetch_token, make_organization_with_client

pytestmark = pytest.mark.anyio

WRITE = "graph:read graph:write"


@pytest.fixture
async def parties(
    api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
) -> dict[str, tuple[Credentials, str]]:
    kinds = {
        "brand": (OrganizationKind.brand, WRITE),
        "supplier": (OrganizationKind.supplier, WRITE),
        "rival": (OrganizationKind.supplier, WRITE),
        "operator": (OrganizationKind.platform, " ".join(sorted(ALL_SCOPES))),
    }
    made = {}
    for role, (kind, scopes) in kinds.items():
        creds = make_organization_with_client(committing_sessions, kind=kind, scopes=scopes)
        made[role] = (creds, await fetch_token(api, creds))
    return made


async def site(api: httpx.AsyncClient, token: str, **fields: object) -> str:
    body = {"name": f"Claimable Mill {uuid.uuid4().hex[:8]}", "country": "VN"} | fields
    response = await api.post("/v1/facilities", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


class TestClaims:
    async def test_approved_claim_makes_the_owner_word_win(
        self, api: httpx.AsyncClient, parties: dict[str, tuple[Credentials, str]]
    ) -> None:
        (_, brand), (supplier_creds, supplier), (_, operator) = (
            parties["brand"],
            parties["supplier"],
            parties["operator"],
        )
        facility = await site(api, brand, number_of_workers=300)
        claim = await api.post(
            f"/v1/facilities/{facility}/claims", json={"evidence": "licence 42"}, headers=bearer(supplier)
        )
        assert claim.status_code == 201, claim.text
        again = await api.post(f"/v1/facilities/{facility}/claims", json={}, headers=bearer(supplier))
        assert (again.status_code, again.json()["id"]) == (200, claim.json()["id"])

        await api.patch(f"/v1/facilities/{facility}", json={"number_of_workers": 1250}, headers=bearer(supplier))
        await api.patch(f"/v1/facilities/{facility}", json={"number_of_workers": 300}, headers=bearer(brand))
        before = (await api.get(f"/v1/facilities/{facility}", headers=bearer(brand))).json()
        assert before["claimed"] is False

        decided = await api.post(
            f"/v1/facility-claims/{claim.json()['id']}/decision", json={"decision": "approve"}, headers=bearer(operator)
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "approved"
        after = (await api.get(f"/v1/facilities/{facility}", headers=bearer(brand))).json()
        assert after["claimed"] is True
        assert after["number_of_workers"] == 1250
        assert decided.json()["claimant_organization_id"] == str(supplier_creds.organization_id)

    async def test_approval_closes_rival_claims_and_blocks_new_ones(
        self, api: httpx.AsyncClient, parties: dict[str, tuple[Credentials, str]]
    ) -> None:
        (_, brand), (_, supplier), (_, rival), (_, operator) = (
            parties["brand"],
            parties["supplier"],
            parties["rival"],
            parties["operator"],
        )
        facility = await site(api, brand)
        mine = (await api.post(f"/v1/facilities/{facility}/claims", json={}, headers=bearer(supplier))).json()
        theirs = (await api.post(f"/v1/facilities/{facility}/claims", json={}, headers=bearer(rival))).json()
        await api.post(
            f"/v1/facility-claims/{mine['id']}/decision", json={"decision": "approve"}, headers=bearer(operator)
        )
        closed = (await api.get(f"/v1/facility-claims/{theirs['id']}", headers=bearer(rival))).json()
        assert closed["status"] == "rejected"
        late = await api.post(f"/v1/facilities/{facility}/claims", json={}, headers=bearer(rival))
        assert late.status_code == 409
        twice = await api.post(
            f"/v1/facility-claims/{mine['id']}/decision", json={"decision": "reject"}, headers=bearer(operator)
        )
        assert twice.status_code == 409

    async def test_who_may_do_what(self, api: httpx.AsyncClient, parties: dict[str, tuple[Credentials, str]]) -> None:
        (_, brand), (_, supplier), (_, rival) = parties["brand"], parties["supplier"], parties["rival"]
        facility = await site(api, brand)
        assert (await api.post(f"/v1/facilities/{facility}/claims", json={}, headers=bearer(brand))).status_code == 403
        claim = (await api.post(f"/v1/facilities/{facility}/claims", json={}, headers=bearer(supplier))).json()
        # Another organisation cannot see the claim at all: 404, not 403.
        assert (await api.get(f"/v1/facility-claims/{claim['id']}", headers=bearer(rival))).status_code == 404
        listed = (await api.get("/v1/facility-claims", headers=bearer(rival))).json()
        assert claim["id"] not in {c["id"] for c in listed}
        # A supplier cannot decide, even its own claim (no admin scope: 403 before anything else).
        decided = await api.post(
            f"/v1/facility-claims/{claim['id']}/decision", json={"decision": "approve"}, headers=bearer(supplier)
        )
        assert decided.status_code == 403
        assert (await api.get(f"/v1/facility-claims/{uuid.uuid4()}", headers=bearer(supplier))).status_code == 404
