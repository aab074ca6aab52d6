"""Graph queries through the API, on both dialects: what they answer, and that another member's
links never show (only the shared-supplier counts cross members)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import networkx as nx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.principal import OrganizationKind
from tests.api.graph_parties import (
    OPERATOR_SCOPES,
    Party,
    corridor,
    fac,
    facility,
    made,
    own,
    party,
    rec,
    recruiter,
)

pytestmark = pytest.mark.anyio

G = "/v1/graph"


@dataclass(frozen=True)
class Network:
    a: Party
    b: Party
    c: Party
    owner: Party
    factory: str
    mill: str
    gin: str
    farm: str
    other_mill: str
    agent: str
    sub_agent: str
    broker: str
    broker2: str
    route: str
    a_links: set[str]
    b_links: set[str]


@pytest.fixture
async def net(api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]) -> Network:
    """Brand A: factory (tier 1) <- mill (tier 2) <- gin <- farm, and a recruitment chain into the
    factory. Brand B (named when sharing) and brand C (not named) also source from the factory;
    B states its own supplier, C also sources from the mill. A supplier owns the factory."""
    a, b, c = [await party(api, committing_sessions) for _ in range(3)]
    owner = await party(api, committing_sessions, OrganizationKind.supplier)
    operator = await party(api, committing_sessions, OrganizationKind.platform, OPERATOR_SCOPES)
    assert (await api.patch("/v1/organizations/me", json={"disclose_sourcing": True}, headers=b.headers)).is_success
    factory, mill, gin, farm, other_mill = [await facility(api, a) for _ in range(5)]
    agent, sub_agent, broker, broker2 = [await recruiter(api, a) for _ in range(4)]
    route = await corridor(api, a)
    await own(api, owner, operator, factory)
    a_links = {
        await made(api, a, "sources_from", a.org, fac(factory), tier=1),
        await made(api, a, "supplies", fac(mill), fac(factory), material="fabric"),
        await made(api, a, "sources_from", a.org, fac(mill), tier=2),
        await made(api, a, "supplies", fac(gin), fac(mill), material="cotton lint"),
        await made(api, a, "supplies", fac(farm), fac(gin), material="seed cotton"),
        await made(
            api,
            a,
            "recruits_for",
            rec(agent),
            fac(factory),
            corridor_id=route,
            workers_placed=80,
            fee_per_worker=1200,
            fee_currency="MYR",
            fee_payer="worker",
        ),
        await made(api, a, "subcontracts", rec(agent), rec(sub_agent)),
        await made(api, a, "subcontracts", rec(sub_agent), rec(broker)),
        await made(api, a, "subcontracts", rec(sub_agent), rec(broker2)),
    }
    b_links = {
        await made(api, b, "sources_from", b.org, fac(factory), tier=1),
        await made(api, b, "supplies", fac(other_mill), fac(factory)),
        await made(api, b, "recruits_for", rec(broker), fac(factory)),
    }
    await made(api, c, "sources_from", c.org, fac(factory), tier=1)
    await made(api, c, "sources_from", c.org, fac(mill), tier=1)
    return Network(
        a, b, c, owner, factory, mill, gin, farm, other_mill, agent, sub_agent, broker, broker2, route, a_links, b_links
    )


def ids(body: dict[str, list[dict[str, object]]]) -> set[object]:
    return {n["id"] for n in body["nodes"]}


class TestUpstreamAndDownstream:
    async def test_upstream_follows_supplies_and_recruitment(self, api: httpx.AsyncClient, net: Network) -> None:
        response = await api.get(f"{G}/facilities/{net.factory}/upstream", headers=net.a.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        distances = {n["id"]: n["distance"] for n in body["nodes"]}
        assert distances == {
            net.factory: 0,
            net.mill: 1,
            net.agent: 1,
            net.gin: 2,
            net.sub_agent: 2,
            net.farm: 3,
            net.broker: 3,
            net.broker2: 3,
        }
        assert {e["id"] for e in body["edges"]} <= net.a_links
        shallow = (await api.get(f"{G}/facilities/{net.factory}/upstream?depth=1", headers=net.a.headers)).json()
        assert ids(shallow) == {net.factory, net.mill, net.agent}

    async def test_downstream_reaches_the_brand(self, api: httpx.AsyncClient, net: Network) -> None:
        body = (await api.get(f"{G}/facilities/{net.farm}/downstream", headers=net.a.headers)).json()
        assert ids(body) == {net.farm, net.gin, net.mill, net.factory, str(net.a.creds.organization_id)}

    async def test_another_members_links_never_show(self, api: httpx.AsyncClient, net: Network) -> None:
        body = (await api.get(f"{G}/facilities/{net.factory}/upstream", headers=net.b.headers)).json()
        assert ids(body) == {net.factory, net.other_mill, net.broker}
        edges = {e["id"] for e in body["edges"]}
        assert edges < net.b_links
        assert len(edges) == 2  # B's supplier and recruiter; its own sourcing link flows downstream
        assert not {e["id"] for e in body["edges"]} & net.a_links
        mine = (await api.get(f"{G}/facilities/{net.factory}/upstream", headers=net.a.headers)).json()
        assert net.other_mill not in ids(mine)

    async def test_unknown_sites_and_depths(self, api: httpx.AsyncClient, net: Network) -> None:
        assert (await api.get(f"{G}/facilities/LL-0000-0000-0/upstream", headers=net.a.headers)).status_code == 404
        too_deep = await api.get(f"{G}/facilities/{net.factory}/upstream?depth=11", headers=net.a.headers)
        assert too_deep.status_code == 422


class TestNetwork:
    async def test_json_and_graphml_hold_the_same_visible_links(self, api: httpx.AsyncClient, net: Network) -> None:
        body = (await api.get(f"{G}/network", headers=net.a.headers)).json()
        assert {e["id"] for e in body["edges"]} == net.a_links
        assert str(net.b.creds.organization_id) not in ids(body)
        assert net.other_mill not in ids(body)
        graphml = await api.get(f"{G}/network", params={"format": "graphml"}, headers=net.a.headers)
        assert graphml.status_code == 200
        assert graphml.headers["content-type"].startswith("application/graphml+xml")
        parsed = nx.parse_graphml(graphml.text, force_multigraph=True)
        assert isinstance(parsed, nx.MultiDiGraph)
        assert {key for _, _, key in parsed.edges(keys=True)} == net.a_links
        assert {data["id"] for _, data in parsed.nodes(data=True)} == ids(body)

    async def test_a_site_owner_sees_the_links_touching_its_site(self, api: httpx.AsyncClient, net: Network) -> None:
        body = (await api.get(f"{G}/network", headers=net.owner.headers)).json()
        assert all(net.factory in (e["source"].split(":")[1], e["target"].split(":")[1]) for e in body["edges"])
        assert net.farm not in ids(body)
        assert len(body["edges"]) == 7  # A: 3, B: 3, C: 1


class TestSharedSuppliers:
    async def test_counts_other_members_and_names_only_those_who_allow_it(
        self, api: httpx.AsyncClient, net: Network
    ) -> None:
        body = (await api.get(f"{G}/shared-suppliers", headers=net.a.headers)).json()
        rows = {i["facility_id"]: i for i in body["items"]}
        assert set(rows) == {net.factory, net.mill}
        b_name = (await api.get("/v1/organizations/me", headers=net.b.headers)).json()["organization"]["display_name"]
        assert (rows[net.factory]["sharing_members"], rows[net.factory]["named_members"]) == (2, [b_name])
        assert (rows[net.factory]["your_tier"], rows[net.mill]["your_tier"]) == (1, 2)
        assert (rows[net.mill]["sharing_members"], rows[net.mill]["named_members"]) == (1, [])
        for_b = (await api.get(f"{G}/shared-suppliers", headers=net.b.headers)).json()["items"]
        assert [(i["facility_id"], i["sharing_members"], i["named_members"]) for i in for_b] == [(net.factory, 2, [])]

    async def test_an_ended_link_is_no_longer_shared(self, api: httpx.AsyncClient, net: Network) -> None:
        listed = (await api.get("/v1/relationships", params={"facility": net.mill}, headers=net.c.headers)).json()[
            "items"
        ]
        assert (await api.post(f"/v1/relationships/{listed[0]['id']}/end", json={}, headers=net.c.headers)).is_success
        body = (await api.get(f"{G}/shared-suppliers", headers=net.a.headers)).json()
        assert [i["facility_id"] for i in body["items"]] == [net.factory]


class TestRecruitmentChains:
    async def test_every_chain_with_depth_corridor_and_fee(self, api: httpx.AsyncClient, net: Network) -> None:
        body = (await api.get(f"{G}/facilities/{net.factory}/recruitment-chains", headers=net.a.headers)).json()
        assert body["facility_id"] == net.factory
        chains = [[r["id"] for r in chain["recruiters"]] for chain in body["chains"]]
        assert sorted(chains) == sorted(
            [[net.broker, net.sub_agent, net.agent], [net.broker2, net.sub_agent, net.agent]]
        )
        first = body["chains"][0]
        assert (first["depth"], first["corridor_id"], first["fee_per_worker"]) == (3, net.route, 1200)
        assert (first["fee_currency"], first["fee_payer"], first["workers_placed"]) == ("MYR", "worker", 80)

    async def test_only_your_own_chains(self, api: httpx.AsyncClient, net: Network) -> None:
        body = (await api.get(f"{G}/facilities/{net.factory}/recruitment-chains", headers=net.b.headers)).json()
        assert [[r["id"] for r in chain["recruiters"]] for chain in body["chains"]] == [[net.broker]]


class TestPath:
    async def test_the_shortest_visible_path(self, api: httpx.AsyncClient, net: Network) -> None:
        brand = str(net.a.creds.organization_id)
        response = await api.get(f"{G}/path", params={"from": brand, "to": net.farm}, headers=net.a.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert [n["id"] for n in body["nodes"]] == [brand, net.mill, net.gin, net.farm]
        assert body["length"] == 3
        assert [e["kind"] for e in body["edges"]] == ["sources_from", "supplies", "supplies"]

    async def test_no_path_through_another_members_links(self, api: httpx.AsyncClient, net: Network) -> None:
        brand_b = str(net.b.creds.organization_id)
        hidden = await api.get(f"{G}/path", params={"from": brand_b, "to": net.farm}, headers=net.b.headers)
        assert hidden.status_code == 404
        own_path = await api.get(f"{G}/path", params={"from": brand_b, "to": net.other_mill}, headers=net.b.headers)
        assert [n["id"] for n in own_path.json()["nodes"]] == [brand_b, net.factory, net.other_mill]
        other_brand = await api.get(
            f"{G}/path", params={"from": str(net.a.creds.organization_id), "to": net.farm}, headers=net.b.headers
        )
        assert other_brand.status_code == 404
        assert ["query", "from"] in [e["location"] for e in other_brand.json()["errors"]]


class TestMergedSites:
    async def test_links_stated_before_a_merge_follow_the_survivor(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        brand = await party(api, committing_sessions)
        operator = await party(api, committing_sessions, OrganizationKind.platform, OPERATOR_SCOPES)
        x, y, supplier_site = await facility(api, brand), await facility(api, brand), await facility(api, brand)
        agent = await recruiter(api, brand)
        await made(api, brand, "supplies", fac(supplier_site), fac(x))
        await made(api, brand, "supplies", fac(supplier_site), fac(y))
        await made(api, brand, "recruits_for", rec(agent), fac(x))
        merged = await api.post(
            f"/v1/facilities/{x}/match-decisions",
            json={"candidate_id": y, "decision": "confirm"},
            headers=operator.headers,
        )
        assert merged.status_code == 200, merged.text
        survivor = (await api.get(f"/v1/facilities/{x}", headers=brand.headers)).json()["id"]
        body = (await api.get(f"{G}/facilities/{survivor}/upstream", headers=brand.headers)).json()
        assert ids(body) == {survivor, supplier_site, agent}
        assert len(body["edges"]) == 3
        chains = (await api.get(f"{G}/facilities/{survivor}/recruitment-chains", headers=brand.headers)).json()
        assert [[r["id"] for r in c["recruiters"]] for c in chains["chains"]] == [[agent]]
        whole = (await api.get(f"{G}/network", headers=brand.headers)).json()
        assert ids(whole) == {survivor, supplier_site, agent}

    async def test_two_members_who_named_the_same_site_twice_share_it_once_merged(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        a, b = await party(api, committing_sessions), await party(api, committing_sessions)
        owner = await party(api, committing_sessions, OrganizationKind.supplier)
        operator = await party(api, committing_sessions, OrganizationKind.platform, OPERATOR_SCOPES)
        x, y = await facility(api, a), await facility(api, b)
        await own(api, owner, operator, x)  # the claimed record survives the merge
        a_link = await made(api, a, "sources_from", a.org, fac(x), tier=1)
        b_link = await made(api, b, "sources_from", b.org, fac(y), tier=2)
        assert (await api.get(f"{G}/shared-suppliers", headers=a.headers)).json()["items"] == []
        merged = await api.post(
            f"/v1/facilities/{x}/match-decisions",
            json={"candidate_id": y, "decision": "confirm"},
            headers=operator.headers,
        )
        assert merged.status_code == 200, merged.text
        assert (await api.get(f"/v1/facilities/{y}", headers=a.headers)).json()["id"] == x

        for member, tier in ((a, 1), (b, 2)):
            items = (await api.get(f"{G}/shared-suppliers", headers=member.headers)).json()["items"]
            assert [(i["facility_id"], i["sharing_members"], i["your_tier"]) for i in items] == [(x, 1, tier)]
        listed = {}
        for who in (a, b, owner):
            response = await api.get("/v1/relationships", params={"facility": x}, headers=who.headers)
            listed[who.org["id"]] = {i["id"] for i in response.json()["items"]}
        # Each member sees its own link into the site under the survivor's id; the owner sees both.
        assert [listed[who.org["id"]] for who in (a, b, owner)] == [{a_link}, {b_link}, {a_link, b_link}]
