"""Verdicts on potential matches, merges that keep every statement, splits that undo them (both dialects)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.principal import OrganizationKind
from policies.scopes import ALL_SCOPES
from tests.conftest import bearer, fetch_token, make_organization_with_client

pytestmark = pytest.mark.anyio

BASE = "/v1/facilities"


def word() -> str:
    return "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:9]).capitalize()


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
    response = await api.post(BASE, json=body, headers=bearer(token))
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def two_units(api: httpx.AsyncClient, tokens: dict[str, str]) -> tuple[dict[str, object], dict[str, object]]:
    """Two registrations the matcher cannot decide alone: a potential match of each other."""
    company = word()
    cutting = await register(
        api,
        tokens["first"],
        name=f"{company} Choloma Cutting",
        country="HN",
        lat=15.61,
        lng=-87.95,
        identifiers=[{"scheme": "x-first", "value": uuid.uuid4().hex}],
        number_of_workers=300,
    )
    sewing = await register(
        api,
        tokens["second"],
        name=f"{company} Choloma Sewing 2",
        country="HN",
        lat=15.612,
        lng=-87.951,
        identifiers=[{"scheme": "x-second", "value": uuid.uuid4().hex}],
        number_of_workers=500,
    )
    assert [p["id"] for p in sewing["match"]["potential_matches"]] == [cutting["id"]]  # type: ignore[index]
    return cutting, sewing


async def decide(
    api: httpx.AsyncClient, token: str, facility: object, candidate: object, decision: str
) -> httpx.Response:
    return await api.post(
        f"{BASE}/{facility}/match-decisions",
        json={"candidate_id": candidate, "decision": decision},
        headers=bearer(token),
    )


class TestReject:
    async def test_a_rejected_pair_is_never_proposed_again(
        self, api: httpx.AsyncClient, tokens: dict[str, str]
    ) -> None:
        cutting, sewing = await two_units(api, tokens)
        listed = await api.get(f"{BASE}/{sewing['id']}/potential-matches", headers=bearer(tokens["second"]))
        assert [p["id"] for p in listed.json()["items"]] == [cutting["id"]]

        rejected = await decide(api, tokens["second"], sewing["id"], cutting["id"], "reject")
        assert rejected.status_code == 200, rejected.text
        assert rejected.json()["merged"] is False
        for facility in (sewing, cutting):  # the pair, from either side
            again = await api.get(f"{BASE}/{facility['id']}/potential-matches", headers=bearer(tokens["first"]))
            assert again.json()["items"] == []
        patched = await api.patch(
            f"{BASE}/{sewing['id']}", json={"sector": "Apparel"}, headers=bearer(tokens["second"])
        )
        assert patched.json()["potential_matches"] == []


class TestConfirm:
    async def test_confirming_merges_and_keeps_every_statement(
        self, api: httpx.AsyncClient, tokens: dict[str, str]
    ) -> None:
        cutting, sewing = await two_units(api, tokens)
        confirmed = await decide(api, tokens["second"], sewing["id"], cutting["id"], "confirm")
        assert confirmed.status_code == 200, confirmed.text
        merged = confirmed.json()
        survivor = merged["facility"]
        assert (merged["merged"], survivor["id"]) == (True, cutting["id"])  # the older one survives
        assert {i["scheme"] for i in survivor["identifiers"]} == {"x-first", "x-second"}
        stated = {(c["attribute"], c["value"]) for c in survivor["contributions"] if c["attribute"] != "location"}
        assert {("number_of_workers", 300), ("number_of_workers", 500)} <= stated

        alias = await api.get(f"{BASE}/{sewing['id']}", headers=bearer(tokens["bystander"]))
        assert (alias.json()["id"], alias.json()["resolved_from"]) == (cutting["id"], sewing["id"])

    async def test_only_a_contributor_or_an_operator_decides(
        self, api: httpx.AsyncClient, tokens: dict[str, str]
    ) -> None:
        cutting, sewing = await two_units(api, tokens)
        refused = await decide(api, tokens["bystander"], sewing["id"], cutting["id"], "confirm")
        assert refused.status_code == 403, refused.text
        assert (await decide(api, tokens["operator"], sewing["id"], cutting["id"], "confirm")).status_code == 200

    async def test_a_member_cannot_merge_unrelated_sites(self, api: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        one = await register(api, tokens["first"], name=f"{word()} Spinning Mill", country="IN")
        other = await register(api, tokens["first"], name=f"{word()} Dye House", country="IN")
        refused = await decide(api, tokens["first"], one["id"], other["id"], "confirm")
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["location"] == ["body", "candidate_id"]
        unknown = await decide(api, tokens["first"], one["id"], "LL-0000-0000-0", "reject")
        assert unknown.status_code == 422
        assert (await decide(api, tokens["operator"], one["id"], other["id"], "confirm")).status_code == 200

    async def test_an_unknown_facility_is_a_404(self, api: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        one = await register(api, tokens["first"], name=f"{word()} Spinning Mill", country="IN")
        assert (await decide(api, tokens["first"], "LL-0000-0000-0", one["id"], "reject")).status_code == 404


class TestSplit:
    async def test_a_split_restores_both_sites_as_they_were(
        self, api: httpx.AsyncClient, tokens: dict[str, str]
    ) -> None:
        cutting, sewing = await two_units(api, tokens)
        await decide(api, tokens["second"], sewing["id"], cutting["id"], "confirm")
        after_merge = await api.patch(
            f"{BASE}/{cutting['id']}", json={"sector": "Apparel"}, headers=bearer(tokens["first"])
        )
        assert after_merge.status_code == 200

        split = await api.post(
            f"{BASE}/{cutting['id']}/split", json={"merged_id": sewing["id"]}, headers=bearer(tokens["second"])
        )
        assert split.status_code == 200, split.text
        survivor, restored = split.json()["facility"], split.json()["restored"]
        assert restored["id"] == sewing["id"]
        assert (restored["number_of_workers"], survivor["number_of_workers"]) == (500, 300)
        assert [i["scheme"] for i in restored["identifiers"]] == ["x-second"]
        assert [i["scheme"] for i in survivor["identifiers"]] == ["x-first"]
        assert survivor["sector"] == "Apparel"  # stated after the merge: stays with the survivor
        fetched = await api.get(f"{BASE}/{sewing['id']}", headers=bearer(tokens["bystander"]))
        assert (fetched.json()["id"], fetched.json()["resolved_from"]) == (sewing["id"], None)
        proposed = await api.get(f"{BASE}/{sewing['id']}/potential-matches", headers=bearer(tokens["second"]))
        assert proposed.json()["items"] == []  # a split pair is a rejected pair

    async def test_a_nested_merge_splits_back_with_what_was_merged_into_it(
        self, api: httpx.AsyncClient, tokens: dict[str, str]
    ) -> None:
        company = word()
        a = await register(api, tokens["operator"], name=f"{company} Weaving", country="PK", number_of_workers=10)
        b = await register(api, tokens["operator"], name=f"{word()} Knits", country="PK", number_of_workers=20)
        c = await register(api, tokens["operator"], name=f"{word()} Denim", country="PK", number_of_workers=30)
        await decide(api, tokens["operator"], c["id"], b["id"], "confirm")  # b survives, holds c
        await decide(api, tokens["operator"], b["id"], a["id"], "confirm")  # a survives, holds b and c
        split = await api.post(
            f"{BASE}/{a['id']}/split", json={"merged_id": b["id"]}, headers=bearer(tokens["operator"])
        )
        assert split.status_code == 200, split.text
        workers = {
            (c2["value"]) for c2 in split.json()["restored"]["contributions"] if c2["attribute"] == "number_of_workers"
        }
        assert workers == {20, 30}
        assert split.json()["facility"]["number_of_workers"] == 10
        still_merged = await api.get(f"{BASE}/{c['id']}", headers=bearer(tokens["first"]))
        assert still_merged.json()["id"] == b["id"]

    async def test_splitting_what_was_not_merged_is_a_404(self, api: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        cutting, sewing = await two_units(api, tokens)
        response = await api.post(
            f"{BASE}/{cutting['id']}/split", json={"merged_id": sewing["id"]}, headers=bearer(tokens["first"])
        )
        assert response.status_code == 404

    async def test_a_bystander_may_not_split(self, api: httpx.AsyncClient, tokens: dict[str, str]) -> None:
        cutting, sewing = await two_units(api, tokens)
        await decide(api, tokens["second"], sewing["id"], cutting["id"], "confirm")
        response = await api.post(
            f"{BASE}/{cutting['id']}/split", json={"merged_id": sewing["id"]}, headers=bearer(tokens["bystander"])
        )
        assert response.status_code == 403


class TestMatchingOnUpdate:
    async def test_new_values_that_look_like_another_site_are_offered_not_merged(
        self, api: httpx.AsyncClient, tokens: dict[str, str]
    ) -> None:
        name = word()
        existing = await register(api, tokens["first"], name=f"{name} Leather Works", country="ET", lat=9.0, lng=38.7)
        mine = await register(api, tokens["second"], name=f"{word()} Tannery", country="ET")
        patched = await api.patch(
            f"{BASE}/{mine['id']}",
            json={"name": f"{name} Leather Works", "lat": 9.0001, "lng": 38.7001},
            headers=bearer(tokens["second"]),
        )
        assert patched.status_code == 200, patched.text
        assert [p["id"] for p in patched.json()["potential_matches"]] == [existing["id"]]
        assert patched.json()["id"] == mine["id"]
