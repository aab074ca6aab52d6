"""Migration corridors through the API, on both dialects."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.principal import OrganizationKind
from tests.conftest import Credentials, bearer, fetch_token, make_organization_with_client

pytestmark = pytest.mark.anyio

BASE = "/v1/corridors"


def sector() -> str:
    """A sector name no other test uses, so each test has its own corridors."""
    return f"Sector {uuid.uuid4().hex[:10]}"


@pytest.fixture
async def token(api: httpx.AsyncClient, brand: Credentials) -> str:
    return await fetch_token(api, brand)


class TestCreateAndGet:
    async def test_a_route_is_one_corridor(self, api: httpx.AsyncClient, token: str) -> None:
        name = sector()
        created = await api.post(
            BASE, json={"origin_country": "np", "destination_country": "MY", "sector": name}, headers=bearer(token)
        )
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["origin_country"], body["destination_country"], body["sector"]) == ("NP", "MY", name)
        again = await api.post(
            BASE,
            json={"origin_country": "NP", "destination_country": "MY", "sector": name.upper()},
            headers=bearer(token),
        )
        assert again.status_code == 200
        assert again.json()["id"] == body["id"]
        fetched = await api.get(f"{BASE}/{body['id']}", headers=bearer(token))
        assert fetched.json() == body

    async def test_without_a_sector_it_is_every_sector(self, api: httpx.AsyncClient, token: str) -> None:
        route = {"origin_country": "KH", "destination_country": "TH"}
        first = await api.post(BASE, json=route, headers=bearer(token))
        assert first.status_code in (200, 201)
        assert first.json()["sector"] is None
        second = await api.post(BASE, json=route | {"sector": sector()}, headers=bearer(token))
        assert second.status_code == 201
        assert second.json()["id"] != first.json()["id"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"origin_country": "XX", "destination_country": "MY"}, "origin_country"),
            ({"origin_country": "NP", "destination_country": "Malaysia"}, "destination_country"),
            ({"origin_country": "NP", "destination_country": "np"}, "destination_country"),
            ({"destination_country": "MY"}, "origin_country"),
            ({"origin_country": "NP", "destination_country": "MY", "sector": "a\u0000b"}, "sector"),
        ],
    )
    async def test_bad_routes_are_named(
        self, api: httpx.AsyncClient, token: str, body: dict[str, str], field: str
    ) -> None:
        response = await api.post(BASE, json=body, headers=bearer(token))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert ["body", field] in [e["location"] for e in response.json()["errors"]]

    async def test_unknown_corridor_is_404(self, api: httpx.AsyncClient, token: str) -> None:
        response = await api.get(f"{BASE}/{uuid.uuid4()}", headers=bearer(token))
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_writing_needs_graph_write(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        reader = make_organization_with_client(committing_sessions, scopes="graph:read")
        body = {"origin_country": "NP", "destination_country": "MY"}
        response = await api.post(BASE, json=body, headers=bearer(await fetch_token(api, reader)))
        assert response.status_code == 403

    async def test_every_member_reads_corridors(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        created = await api.post(
            BASE, json={"origin_country": "ET", "destination_country": "SA", "sector": sector()}, headers=bearer(token)
        )
        ctip = make_organization_with_client(committing_sessions, kind=OrganizationKind.ctip, scopes="graph:read")
        fetched = await api.get(f"{BASE}/{created.json()['id']}", headers=bearer(await fetch_token(api, ctip)))
        assert fetched.status_code == 200


class TestList:
    async def test_filters_and_pagination(self, api: httpx.AsyncClient, token: str) -> None:
        name = sector()
        routes = [("NP", "MY"), ("BD", "MY"), ("MM", "TH"), ("PH", "TW"), ("VN", "TW")]
        made = {}
        for origin, destination in routes:
            body = {"origin_country": origin, "destination_country": destination, "sector": name}
            made[(origin, destination)] = (await api.post(BASE, json=body, headers=bearer(token))).json()["id"]

        async def ids(**params: str | int) -> list[object]:
            found: list[object] = []
            cursor: str | None = None
            while True:
                query: dict[str, str | int] = {"sector": name, "limit": 2}
                query.update(params)
                if cursor:
                    query["cursor"] = cursor
                response = await api.get(BASE, params=query, headers=bearer(token))
                assert response.status_code == 200, response.text
                found += [item["id"] for item in response.json()["items"]]
                cursor = response.json()["next_cursor"]
                if cursor is None:
                    return found

        assert sorted(map(str, await ids())) == sorted(made.values())
        assert await ids(destination_country="my") == [made[("NP", "MY")], made[("BD", "MY")]]
        assert await ids(origin_country="VN") == [made[("VN", "TW")]]

    async def test_bad_cursor_is_named(self, api: httpx.AsyncClient, token: str) -> None:
        response = await api.get(BASE, params={"cursor": "%%%"}, headers=bearer(token))
        assert response.status_code == 422
        assert response.json()["errors"][0]["location"] == ["query", "cursor"]
