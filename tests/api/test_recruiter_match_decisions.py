"""Recruiters follow the facilities' merge rules: verdicts on potential matches, merges that keep
every statement (certifications and licences included), splits that undo them (both dialects)."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.principal import OrganizationKind
from policies.scopes import ALL_SCOPES
from tests.conftest import bearer, fetch_token, make_organization_with_client

pytestmark = pytest.mark.anyio

BASE = "/v1/recruiters"


def word() -> str:
    return "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:9]).capitalize()


def licence() -> str:
    return f"{uuid.uuid4().int % 10_000}/{uuid.uuid4().int % 100:02d}"


@pytest.fixture
async def tokens(api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]) -> dict[str, str]:
    made = {
        "first": make_organization_with_client(committing_sessions),
        "second": make_organization_with_client(committing_sessions),
        "bystander": make_organization_with_client(committing_sessions),
        "operator": make_organization_with_client(
            committing_sessions, kind=OrganizationKind.platform, scopes=" ".join(sorted(ALL_SCOPES))
        ),
    }
    return {role: await fetch_token(api, creds) for role, creds in made.items()}


async def register(api: httpx.AsyncClient, token: str, **body: object) -> dict[str, object]:
    response = await api.post(BASE, json={"country": "NP"} | body, headers=bearer(token))
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def two_licences(api: httpx.AsyncClient, tokens: dict[str, str]) -> tuple[dict[str, object], dict[str, object]]:
    """One agency name under two licence numbers: the matcher only proposes the pair."""
    name = f"{word()} Manpower Services"
    cert = {"scheme": "iris", "certificate_id": word(), "valid_from": str(date(2025, 1, 1))}
    first = await register(api, tokens["first"], name=name, licence_number=licence(), certifications=[cert])
    second = await register(
        api,
        tokens["second"],
        name=name,
        licence_number=licence(),
        identifiers=[{"scheme": "x-second", "value": uuid.uuid4().hex}],
    )
    assert [p["id"] for p in second["match"]["potential_matches"]] == [first["id"]]  # type: ignore[index]
    return first, second


async def decide(
    api: httpx.AsyncClient, token: str, recruiter: object, candidate: object, decision: str
) -> httpx.Response:
    return await api.post(
        f"{BASE}/{recruiter}/match-decisions",
        json={"candidate_id": candidate, "decision": decision},
        headers=bearer(token),
    )


async def potential(api: httpx.AsyncClient, token: str, recruiter: object) -> list[object]:
    response = await api.get(f"{BASE}/{recruiter}/potential-matches", headers=bearer(token))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


class TestReject:
    async def test_a_rejected_pair_is_never_proposed_again(
        self, api: httpx.AsyncClient, tokens: dict[str, str]
    ) -> None:
        first, second = await two_licences(api, tokens)
        assert await potential(api, tokens["second"], second["id"]) == [first["id"]]

        response = await decide(api, tokens["second"], second["id"], first["id"], "reject")

        assert response.status_code == 200, response.text
        assert response.json()["merged"] is False
        assert await potential(api, tokens["second"], second["id"]) == []
        assert await potential(api, tokens["first"], first["id"]) == []


class TestConfirm:
    async def test_confirming_merges_and_keeps_every_statement(
        self, api: httpx.AsyncClient, tokens: dict[str, str]
    ) -> None:
        first, second = await two_licences(api, tokens)

        response = await decide(api, tokens["second"], second["id"], first["id"], "confirm")

        assert response.status_code == 200, response.text
        merged = response.json()
        survivor = merged["recruiter"]
        assert merged["merged"] is True
        assert survivor["id"] == first["id"]  # the older record survives
        assert {i["scheme"] for i in survivor["identifiers"]} >= {"x-second"}
        assert [c["scheme"] for c in survivor["certifications"]] == ["iris"]
        licences = [c["value"] for c in survivor["contributions"] if c["attribute"] == "licence"]
        assert len(licences) == 2  # both members' licence statements are kept
        alias = (await api.get(f"{BASE}/{second['id']}", headers=bearer(tokens["bystander"]))).json()
        assert alias["id"] == first["id"]
        assert alias["resolved_from"] == second["id"]

    async def test_only_a_contributor_or_an_operator_decides(
        self, api: httpx.AsyncClient, tokens: dict[str, str]
    ) -> None:
        first, second = await two_licences(api, tokens)
        assert (await decide(api, tokens["bystander"], second["id"], first["id"], "confirm")).status_code == 403
        assert (await decide(api, tokens["operator"], second["id"], first["id"], "confirm")).status_code == 200

    async def test_a_member_cannot_merge_unrelated_agencies(
        self, api: httpx.AsyncClient, tokens: dict[str, str]
    ) -> None:
        one = await register(api, tokens["first"], name=f"{word()} Overseas Employment")
        other = await register(api, tokens["first"], name=f"{word()} Global Placement", country="NP")

        response = await decide(api, tokens["first"], one["id"], other["id"], "confirm")

        assert response.status_code == 422
        assert response.json()["errors"][0]["location"] == ["body", "candidate_id"]
        assert (await decide(api, tokens["operator"], one["id"], other["id"], "confirm")).status_code == 200

    async def test_an_unknown_recruiter_is_a_404_and_an_unknown_candidate_a_422(
        self, api: httpx.AsyncClient, tokens: dict[str, str]
    ) -> None:
        one = await register(api, tokens["first"], name=f"{word()} Manpower")
        assert (await decide(api, tokens["first"], "LR-0000-0000-0", one["id"], "reject")).status_code == 404
        assert (await decide(api, tokens["first"], one["id"], "LR-0000-0000-0", "reject")).status_code == 422
        missing = await api.get(f"{BASE}/LR-0000-0000-0/potential-matches", headers=bearer(tokens["first"]))
        assert missing.status_code == 404


class TestSplit:
    async def test_a_split_restores_both_agencies_with_their_licences(
        self, api: httpx.AsyncClient, tokens: dict[str, str]
    ) -> None:
        first, second = await two_licences(api, tokens)
        await decide(api, tokens["second"], second["id"], first["id"], "confirm")

        response = await api.post(
            f"{BASE}/{first['id']}/split", json={"merged_id": second["id"]}, headers=bearer(tokens["second"])
        )

        assert response.status_code == 200, response.text
        body = response.json()
        survivor, restored = body["recruiter"], body["restored"]
        assert restored["id"] == second["id"]
        assert (survivor["licence_number"], restored["licence_number"]) == (
            first["licence_number"],
            second["licence_number"],
        )
        assert [c["scheme"] for c in survivor["certifications"]] == ["iris"]
        assert restored["certifications"] == []
        assert {i["scheme"] for i in restored["identifiers"]} == {"x-second"}
        assert "x-second" not in {i["scheme"] for i in survivor["identifiers"]}
        # A split is a verdict: the pair is not proposed again.
        assert await potential(api, tokens["second"], second["id"]) == []
        back = (await api.get(f"{BASE}/{second['id']}", headers=bearer(tokens["second"]))).json()
        assert back["id"] == second["id"]
        assert back["resolved_from"] is None

    async def test_splitting_what_was_not_merged_is_a_404(self, api: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        first, second = await two_licences(api, tokens)
        response = await api.post(
            f"{BASE}/{first['id']}/split", json={"merged_id": second["id"]}, headers=bearer(tokens["first"])
        )
        assert response.status_code == 404

    async def test_a_bystander_may_not_split(self, api: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        first, second = await two_licences(api, tokens)
        await decide(api, tokens["second"], second["id"], first["id"], "confirm")
        response = await api.post(
            f"{BASE}/{first['id']}/split", json={"merged_id": second["id"]}, headers=bearer(tokens["bystander"])
        )
        assert response.status_code == 403
