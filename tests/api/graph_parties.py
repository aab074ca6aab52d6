"""Small factories for relationship and graph tests: organisations with tokens, sites,
recruiters, corridors and links, all made through the real API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from core.principal import OrganizationKind
from policies.scopes import ALL_SCOPES
from tests.conftest import Credentials, bearer, fetch_token, make_organization_with_client

WRITE = "graph:read graph:write"
OPERATOR_SCOPES = " ".join(sorted(ALL_SCOPES))


@dataclass(frozen=True)
class Party:
    creds: Credentials
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)

    @property
    def org(self) -> dict[str, str]:
        """This organisation as the start of a sources_from link."""
        return {"kind": "organization", "id": str(self.creds.organization_id)}


async def party(
    api: httpx.AsyncClient,
    sessions: sessionmaker[Session],
    kind: OrganizationKind = OrganizationKind.brand,
    scopes: str = WRITE,
) -> Party:
    creds = make_organization_with_client(sessions, kind=kind, scopes=scopes)
    return Party(creds, await fetch_token(api, creds))


def fac(public_id: str) -> dict[str, str]:
    return {"kind": "facility", "id": public_id}


def rec(public_id: str) -> dict[str, str]:
    return {"kind": "recruiter", "id": public_id}


def _unique_name(word: str) -> str:
    # Distinct random words: two test sites must never look like one site to the matcher.
    return f"{word} {uuid.uuid4().hex[:12]} {uuid.uuid4().hex[:12]}"


async def facility(api: httpx.AsyncClient, who: Party, **fields: object) -> str:
    body = {"name": _unique_name("Mill"), "country": "BD"} | fields
    response = await api.post("/v1/facilities", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def recruiter(api: httpx.AsyncClient, who: Party, **fields: object) -> str:
    body = {"name": _unique_name("Agency"), "country": "NP"} | fields
    response = await api.post("/v1/recruiters", json=body, headers=who.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def corridor(api: httpx.AsyncClient, who: Party, origin: str = "NP", destination: str = "MY") -> str:
    body = {"origin_country": origin, "destination_country": destination, "sector": uuid.uuid4().hex[:10]}
    response = await api.post("/v1/corridors", json=body, headers=who.headers)
    assert response.status_code in (200, 201), response.text
    return str(response.json()["id"])


async def link(
    api: httpx.AsyncClient, who: Party, kind: str, start: dict[str, str], end: dict[str, str], **attrs: Any
) -> httpx.Response:
    body = {"kind": kind, "from": start, "to": end} | attrs
    return await api.post("/v1/relationships", json=body, headers=who.headers)


async def made(
    api: httpx.AsyncClient, who: Party, kind: str, start: dict[str, str], end: dict[str, str], **attrs: Any
) -> str:
    response = await link(api, who, kind, start, end, **attrs)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def own(api: httpx.AsyncClient, supplier: Party, operator: Party, facility_id: str) -> None:
    """Make ``supplier`` the owner of a facility (a claim an operator approves)."""
    claim = await api.post(f"/v1/facilities/{facility_id}/claims", json={}, headers=supplier.headers)
    assert claim.status_code == 201, claim.text
    decided = await api.post(
        f"/v1/facility-claims/{claim.json()['id']}/decision", json={"decision": "approve"}, headers=operator.headers
    )
    assert decided.status_code == 200, decided.text
