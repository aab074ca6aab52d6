"""Registering a site another member already registered attaches to it (both dialects)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials, bearer, fetch_token, make_organization_with_client

pytestmark = pytest.mark.anyio

BASE = "/v1/facilities"


def word() -> str:
    """A made-up distinctive name word, so tests never meet each other's facilities."""
    return "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:9])


@pytest.fixture
async def two_brands(
    api: httpx.AsyncClient, brand: Credentials, committing_sessions: sessionmaker[Session]
) -> tuple[str, str]:
    other = make_organization_with_client(committing_sessions)
    return await fetch_token(api, brand), await fetch_token(api, other)


async def register(api: httpx.AsyncClient, token: str, **body: object) -> httpx.Response:
    return await api.post(BASE, json=body, headers=bearer(token))


class TestMatchingOnCreate:
    async def test_the_same_site_written_differently_attaches(
        self, api: httpx.AsyncClient, two_brands: tuple[str, str]
    ) -> None:
        first, second = two_brands
        name = word().capitalize()
        created = await register(
            api,
            first,
            name=f"Shanghai {name} Garment Co., Ltd.",
            country="CN",
            lat=31.03,
            lng=121.22,
            address="No. 8, Lane 100, Songjiang District",
        )
        assert created.status_code == 201, created.text
        assert created.json()["match"] == {
            "outcome": "created",
            "score": None,
            "components": None,
            "potential_matches": [],
        }

        again = await register(
            api,
            second,
            name=f"{name} Garment (Shanghai) Co Ltd",
            country="cn",
            lat=31.031,
            lng=121.221,
            address="Lane 100 No 8 Songjiang",
            number_of_workers=800,
        )
        assert again.status_code == 200, again.text
        body = again.json()
        assert body["id"] == created.json()["id"]
        assert body["match"]["outcome"] == "matched"
        assert body["match"]["score"] >= 0.9
        mine = [c for c in body["contributions"] if c["by_you"]]
        theirs = [c for c in body["contributions"] if not c["by_you"]]
        assert mine
        assert theirs
        assert {c["organization_id"] for c in theirs} == {None}

    async def test_a_shared_identifier_attaches_even_under_another_name(
        self, api: httpx.AsyncClient, two_brands: tuple[str, str]
    ) -> None:
        first, second = two_brands
        os_id = {"scheme": "os_id", "value": f"VN{uuid.uuid4().hex[:12].upper()}"}
        created = (await register(api, first, name=f"{word()} Textiles", country="VN", identifiers=[os_id])).json()
        renamed = await register(api, second, name=f"{word()} Apparel Vietnam", country="VN", identifiers=[os_id])
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()["id"] == created["id"]

    async def test_another_unit_of_the_same_company_is_only_a_potential_match(
        self, api: httpx.AsyncClient, two_brands: tuple[str, str]
    ) -> None:
        first, second = two_brands
        company = word().capitalize()
        cutting = (
            await register(api, first, name=f"{company} Choloma Cutting", country="HN", lat=15.61, lng=-87.95)
        ).json()
        sewing = await register(api, second, name=f"{company} Choloma Sewing 2", country="HN", lat=15.612, lng=-87.951)
        assert sewing.status_code == 201, sewing.text
        assert sewing.json()["id"] != cutting["id"]
        potential = sewing.json()["match"]["potential_matches"]
        assert [p["id"] for p in potential] == [cutting["id"]]

    async def test_a_renamed_site_is_found_under_its_new_name(
        self, api: httpx.AsyncClient, two_brands: tuple[str, str]
    ) -> None:
        first, second = two_brands
        old, new = word().capitalize(), word().capitalize()
        created = (await register(api, first, name=f"{old} Knitting Mills", country="BD")).json()
        patched = await api.patch(
            f"{BASE}/{created['id']}", json={"name": f"{new} Knitting Mills"}, headers=bearer(first)
        )
        assert patched.json()["name"] == f"{new} Knitting Mills"
        found = await register(api, second, name=f"{new} Knitting Mills Ltd.", country="BD")
        assert (found.status_code, found.json()["id"]) == (200, created["id"])

    async def test_different_countries_never_match(self, api: httpx.AsyncClient, two_brands: tuple[str, str]) -> None:
        first, second = two_brands
        name = f"{word().capitalize()} Footwear"
        one = (await register(api, first, name=name, country="VN")).json()
        other = await register(api, second, name=name, country="KH")
        assert other.status_code == 201
        assert other.json()["id"] != one["id"]
        assert other.json()["match"]["potential_matches"] == []
