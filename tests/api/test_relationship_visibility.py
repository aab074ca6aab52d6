"""Another member's links are invisible: 404 for one link and its history, absent from lists,
filters and every page; a site owner sees the links touching its site; operators see all."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.principal import OrganizationKind
from tests.api.graph_parties import OPERATOR_SCOPES, Party, fac, facility, made, own, party, rec, recruiter

pytestmark = pytest.mark.anyio

BASE = "/v1/relationships"


async def every_page(api: httpx.AsyncClient, who: Party, **params: str | int | bool) -> list[str]:
    seen, cursor = [], None
    while True:
        query = params | {"limit": 1} | ({"cursor": cursor} if cursor else {})
        response = await api.get(BASE, params=query, headers=who.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [item["id"] for item in page["items"]]
        if not (cursor := page["next_cursor"]):
            return seen


@dataclass(frozen=True)
class World:
    a: Party
    b: Party
    supplier: Party
    operator: Party
    site: str
    mill: str
    agent: str
    links: dict[str, str]


@pytest.fixture
async def world(api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]) -> World:
    """Brand A sources from a site a supplier owns and states a supply and a recruitment link;
    brand B shares the site with its own link."""
    a = await party(api, committing_sessions)
    b = await party(api, committing_sessions)
    supplier = await party(api, committing_sessions, OrganizationKind.supplier)
    operator = await party(api, committing_sessions, OrganizationKind.platform, OPERATOR_SCOPES)
    site, mill, elsewhere = await facility(api, a), await facility(api, a), await facility(api, a)
    agent = await recruiter(api, a)
    await own(api, supplier, operator, site)
    links = {
        "a_sources": await made(api, a, "sources_from", a.org, fac(site), tier=1),
        "a_supplies": await made(api, a, "supplies", fac(mill), fac(site)),
        "a_recruits": await made(api, a, "recruits_for", rec(agent), fac(site)),
        "a_elsewhere": await made(api, a, "supplies", fac(mill), fac(elsewhere)),
        "b_sources": await made(api, b, "sources_from", b.org, fac(site), tier=1),
    }
    return World(a, b, supplier, operator, site, mill, agent, links)


class TestAnotherMembersLinks:
    async def test_are_404_to_read_change_end_and_trace(self, api: httpx.AsyncClient, world: World) -> None:
        b = world.b
        for rid in (world.links["a_sources"], world.links["a_supplies"]):
            assert (await api.get(f"{BASE}/{rid}", headers=b.headers)).status_code == 404
            assert (await api.get(f"{BASE}/{rid}/history", headers=b.headers)).status_code == 404
            assert (await api.patch(f"{BASE}/{rid}", json={}, headers=b.headers)).status_code == 404
            assert (await api.post(f"{BASE}/{rid}/end", json={}, headers=b.headers)).status_code == 404

    async def test_are_absent_from_lists_filters_and_pages(self, api: httpx.AsyncClient, world: World) -> None:
        b = world.b
        own_link = world.links["b_sources"]
        assert await every_page(api, b, facility=world.site) == [own_link]
        assert await every_page(api, b, facility=world.mill) == []
        assert await every_page(api, b, recruiter=world.agent) == []
        assert await every_page(api, b, facility=world.site, kind="supplies") == []
        assert await every_page(api, b, facility=world.site, active=True) == [own_link]
        assert await every_page(api, b, facility=world.site, active=False) == []
        assert set(world.links.values()) & set(await every_page(api, b)) == {own_link}

    async def test_do_not_close_cycles_for_others(self, api: httpx.AsyncClient, world: World) -> None:
        # A states mill -> site; B may state site -> mill without learning of A's link.
        b = world.b
        await made(api, b, "supplies", fac(world.site), fac(world.mill))


class TestSiteOwner:
    async def test_sees_the_links_touching_its_site_and_cannot_change_them(
        self, api: httpx.AsyncClient, world: World
    ) -> None:
        supplier = world.supplier
        links = world.links
        seen = await every_page(api, supplier)
        assert set(seen) == {links["a_sources"], links["a_supplies"], links["a_recruits"], links["b_sources"]}
        body = (await api.get(f"{BASE}/{links['a_sources']}", headers=supplier.headers)).json()
        assert (body["by_you"], body["contributor_organization_id"]) == (False, None)
        assert (await api.get(f"{BASE}/{links['a_elsewhere']}", headers=supplier.headers)).status_code == 404
        patched = await api.patch(f"{BASE}/{links['a_sources']}", json={"tier": 2}, headers=supplier.headers)
        assert patched.status_code == 403


class TestOperators:
    async def test_see_every_link(self, api: httpx.AsyncClient, world: World) -> None:
        operator = world.operator
        for rid in world.links.values():
            response = await api.get(f"{BASE}/{rid}", headers=operator.headers)
            assert response.status_code == 200
            assert response.json()["contributor_organization_id"] is not None
