"""Relationships through the API, on both dialects: stating, rules, changes, ending, history."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.principal import OrganizationKind
from tests.api.graph_parties import (
    OPERATOR_SCOPES,
    Party,
    corridor,
    fac,
    facility,
    link,
    made,
    party,
    rec,
    recruiter,
)

pytestmark = pytest.mark.anyio

BASE = "/v1/relationships"


@pytest.fixture
async def brand(api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]) -> Party:
    return await party(api, committing_sessions)


def locations(response: httpx.Response) -> list[list[object]]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [e["location"] for e in response.json()["errors"]]


class TestCreate:
    async def test_each_kind_with_its_attributes(self, api: httpx.AsyncClient, brand: Party) -> None:
        mill, factory = await facility(api, brand), await facility(api, brand)
        agent, sub_agent = await recruiter(api, brand), await recruiter(api, brand)
        route = await corridor(api, brand)
        sourced = await link(api, brand, "sources_from", brand.org, fac(factory), tier=1)
        assert sourced.status_code == 201, sourced.text
        body = sourced.json()
        assert body["id"].startswith("LK-")
        assert (body["kind"], body["tier"], body["active"], body["by_you"]) == ("sources_from", 1, True, True)
        assert body["from"]["id"] == str(brand.creds.organization_id)
        assert body["to"]["id"] == factory
        supplied = await link(api, brand, "supplies", fac(mill), fac(factory), material="denim")
        assert (supplied.status_code, supplied.json()["material"]) == (201, "denim")
        recruited = await link(
            api,
            brand,
            "recruits_for",
            rec(agent),
            fac(factory),
            corridor_id=route,
            workers_placed=120,
            fee_per_worker=850.5,
            fee_currency="usd",
            fee_payer="worker",
        )
        assert recruited.status_code == 201, recruited.text
        got = recruited.json()
        assert (got["corridor_id"], got["fee_currency"], got["fee_payer"]) == (route, "USD", "worker")
        assert (await link(api, brand, "subcontracts", rec(agent), rec(sub_agent))).status_code == 201
        fetched = await api.get(f"{BASE}/{body['id']}", headers=brand.headers)
        assert fetched.json() == body

    async def test_stating_again_is_idempotent_and_a_different_tier_conflicts(
        self, api: httpx.AsyncClient, brand: Party
    ) -> None:
        site = await facility(api, brand)
        first = await link(api, brand, "sources_from", brand.org, fac(site), tier=1)
        again = await link(api, brand, "sources_from", brand.org, fac(site), tier=1)
        assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
        other = await link(api, brand, "sources_from", brand.org, fac(site), tier=2)
        assert other.status_code == 409

    async def test_self_links_are_refused(self, api: httpx.AsyncClient, brand: Party) -> None:
        site, agent = await facility(api, brand), await recruiter(api, brand)
        response = await link(api, brand, "supplies", fac(site), fac(site))
        assert response.status_code == 422
        assert ["body", "to", "id"] in locations(response)
        assert (await link(api, brand, "subcontracts", rec(agent), rec(agent))).status_code == 422

    @pytest.mark.parametrize(
        ("kind", "ends", "field"),
        [
            ("supplies", ("recruiter", "facility"), "from"),
            ("recruits_for", ("recruiter", "recruiter"), "to"),
            ("subcontracts", ("facility", "recruiter"), "from"),
            ("sources_from", ("facility", "facility"), "from"),
        ],
    )
    async def test_wrong_kinds_of_end_are_named(
        self, api: httpx.AsyncClient, brand: Party, kind: str, ends: tuple[str, str], field: str
    ) -> None:
        ids = {"facility": await facility(api, brand), "recruiter": await recruiter(api, brand)}
        start, end = ({"kind": k, "id": ids[k]} for k in ends)
        response = await link(api, brand, kind, start, end, tier=1 if kind == "sources_from" else None)
        assert response.status_code == 422
        assert ["body", field, "kind"] in locations(response)

    async def test_unknown_ends_and_corridors_are_404_naming_the_field(
        self, api: httpx.AsyncClient, brand: Party, committing_sessions: sessionmaker[Session]
    ) -> None:
        site, agent = await facility(api, brand), await recruiter(api, brand)
        missing = await link(api, brand, "supplies", fac(site), fac("LL-0000-0000-0"))
        assert missing.status_code == 404
        assert ["body", "to", "id"] in locations(missing)
        other_brand = await party(api, committing_sessions)
        foreign = await link(api, brand, "sources_from", other_brand.org, fac(site), tier=1)
        assert foreign.status_code == 404
        assert ["body", "from", "id"] in locations(foreign)
        no_route = await link(api, brand, "recruits_for", rec(agent), fac(site), corridor_id=str(uuid.uuid4()))
        assert no_route.status_code == 404
        assert ["body", "corridor_id"] in locations(no_route)

    async def test_only_a_brand_sources(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        supplier = await party(api, committing_sessions, OrganizationKind.supplier)
        site = await facility(api, supplier)
        response = await link(api, supplier, "sources_from", supplier.org, fac(site), tier=1)
        assert response.status_code == 422
        assert ["body", "from", "id"] in locations(response)

    @pytest.mark.parametrize(
        ("kind", "attrs", "field"),
        [
            ("supplies", {"tier": 1}, "tier"),
            ("sources_from", {}, "tier"),
            ("sources_from", {"tier": 1, "material": "cotton"}, "material"),
            ("supplies", {"valid_from": "2026-05-01", "valid_to": "2026-01-01"}, "valid_to"),
        ],
    )
    async def test_attributes_of_another_kind_are_named(
        self, api: httpx.AsyncClient, brand: Party, kind: str, attrs: dict[str, object], field: str
    ) -> None:
        a, b = await facility(api, brand), await facility(api, brand)
        start = brand.org if kind == "sources_from" else fac(a)
        response = await link(api, brand, kind, start, fac(b), **attrs)
        assert response.status_code == 422
        assert ["body", field] in locations(response)

    async def test_a_fee_needs_a_real_currency(self, api: httpx.AsyncClient, brand: Party) -> None:
        site, agent = await facility(api, brand), await recruiter(api, brand)
        without = await link(api, brand, "recruits_for", rec(agent), fac(site), fee_per_worker=100)
        assert ["body", "fee_currency"] in locations(without)
        bogus = await link(api, brand, "recruits_for", rec(agent), fac(site), fee_per_worker=100, fee_currency="XYZ")
        assert bogus.status_code == 422
        assert ["body", "fee_currency"] in locations(bogus)

    async def test_a_merged_facility_resolves_to_the_survivor(
        self, api: httpx.AsyncClient, brand: Party, committing_sessions: sessionmaker[Session]
    ) -> None:
        operator = await party(api, committing_sessions, OrganizationKind.platform, OPERATOR_SCOPES)
        a, b = await facility(api, brand), await facility(api, brand)
        merged = await api.post(
            f"/v1/facilities/{a}/match-decisions",
            json={"candidate_id": b, "decision": "confirm"},
            headers=operator.headers,
        )
        assert merged.status_code == 200, merged.text
        survivor = (await api.get(f"/v1/facilities/{b}", headers=brand.headers)).json()["id"]
        gone = a if survivor == b else b
        response = await link(api, brand, "sources_from", brand.org, fac(gone), tier=1)
        assert response.status_code == 201, response.text
        assert response.json()["to"]["id"] == survivor


class TestCycles:
    async def test_a_supplies_cycle_is_refused_naming_the_path(self, api: httpx.AsyncClient, brand: Party) -> None:
        farm, gin, mill = [await facility(api, brand) for _ in range(3)]
        await made(api, brand, "supplies", fac(farm), fac(gin))
        await made(api, brand, "supplies", fac(gin), fac(mill))
        response = await link(api, brand, "supplies", fac(mill), fac(farm))
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert f"{mill} -> {farm} -> {gin} -> {mill}" in detail
        assert ["body", "to", "id"] in locations(response)

    async def test_a_subcontracting_cycle_is_refused(self, api: httpx.AsyncClient, brand: Party) -> None:
        agent, sub_agent, broker = [await recruiter(api, brand) for _ in range(3)]
        await made(api, brand, "subcontracts", rec(agent), rec(sub_agent))
        await made(api, brand, "subcontracts", rec(sub_agent), rec(broker))
        assert (await link(api, brand, "subcontracts", rec(broker), rec(agent))).status_code == 422

    async def test_an_ended_link_closes_no_cycle(self, api: httpx.AsyncClient, brand: Party) -> None:
        a, b = await facility(api, brand), await facility(api, brand)
        first = await made(api, brand, "supplies", fac(a), fac(b))
        assert (await api.post(f"{BASE}/{first}/end", json={}, headers=brand.headers)).status_code == 200
        assert (await link(api, brand, "supplies", fac(b), fac(a))).status_code == 201


class TestTiers:
    async def test_a_supplier_of_a_tier_1_site_is_tier_2(self, api: httpx.AsyncClient, brand: Party) -> None:
        factory, mill = await facility(api, brand), await facility(api, brand)
        await made(api, brand, "sources_from", brand.org, fac(factory), tier=1)
        await made(api, brand, "supplies", fac(mill), fac(factory))
        wrong = await link(api, brand, "sources_from", brand.org, fac(mill), tier=3)
        assert wrong.status_code == 422
        assert ["body", "tier"] in locations(wrong)
        assert "must be tier 2" in wrong.json()["errors"][0]["message"]
        assert (await link(api, brand, "sources_from", brand.org, fac(mill), tier=2)).status_code == 201

    async def test_a_tier_1_site_may_supply_another_tier_1_site(self, api: httpx.AsyncClient, brand: Party) -> None:
        a, b = await facility(api, brand), await facility(api, brand)
        await made(api, brand, "sources_from", brand.org, fac(a), tier=1)
        await made(api, brand, "sources_from", brand.org, fac(b), tier=1)
        assert (await link(api, brand, "supplies", fac(b), fac(a))).status_code == 201

    async def test_a_supplies_link_that_contradicts_stated_tiers_is_refused(
        self, api: httpx.AsyncClient, brand: Party
    ) -> None:
        factory, spinner = await facility(api, brand), await facility(api, brand)
        await made(api, brand, "sources_from", brand.org, fac(factory), tier=1)
        await made(api, brand, "sources_from", brand.org, fac(spinner), tier=3)
        response = await link(api, brand, "supplies", fac(spinner), fac(factory))
        assert response.status_code == 422
        assert ["body", "tier"] in locations(response)

    async def test_another_members_supplies_links_do_not_constrain_tiers(
        self, api: httpx.AsyncClient, brand: Party, committing_sessions: sessionmaker[Session]
    ) -> None:
        other = await party(api, committing_sessions)
        factory, mill = await facility(api, brand), await facility(api, brand)
        await made(api, brand, "sources_from", brand.org, fac(factory), tier=1)
        await made(api, other, "supplies", fac(mill), fac(factory))
        assert (await link(api, brand, "sources_from", brand.org, fac(mill), tier=4)).status_code == 201

    async def test_changing_a_tier_is_checked_too(self, api: httpx.AsyncClient, brand: Party) -> None:
        factory, mill = await facility(api, brand), await facility(api, brand)
        await made(api, brand, "sources_from", brand.org, fac(factory), tier=1)
        await made(api, brand, "supplies", fac(mill), fac(factory))
        mill_link = await made(api, brand, "sources_from", brand.org, fac(mill), tier=2)
        response = await api.patch(f"{BASE}/{mill_link}", json={"tier": 3}, headers=brand.headers)
        assert response.status_code == 422


class TestChangeEndAndHistory:
    async def test_changes_and_the_end_are_kept_in_history(self, api: httpx.AsyncClient, brand: Party) -> None:
        site, agent = await facility(api, brand), await recruiter(api, brand)
        rid = await made(api, brand, "recruits_for", rec(agent), fac(site), workers_placed=10, fee_payer="unknown")
        changed = await api.patch(
            f"{BASE}/{rid}", json={"workers_placed": 40, "fee_payer": "employer"}, headers=brand.headers
        )
        assert changed.status_code == 200, changed.text
        assert (changed.json()["workers_placed"], changed.json()["fee_payer"]) == (40, "employer")
        ended = await api.post(f"{BASE}/{rid}/end", json={"valid_to": "2026-06-30"}, headers=brand.headers)
        assert ended.status_code == 200, ended.text
        assert (ended.json()["valid_to"], ended.json()["active"]) == ("2026-06-30", False)
        assert ended.json()["ended_at"] is not None
        history = (await api.get(f"{BASE}/{rid}/history", headers=brand.headers)).json()
        assert [v["change"] for v in history["versions"]] == ["created", "updated", "ended"]
        assert [v["version"] for v in history["versions"]] == [1, 2, 3]
        assert history["versions"][0]["state"]["workers_placed"] == 10
        assert history["versions"][1]["state"]["workers_placed"] == 40
        assert history["versions"][2]["state"]["valid_to"] == "2026-06-30"
        assert (await api.patch(f"{BASE}/{rid}", json={"workers_placed": 1}, headers=brand.headers)).status_code == 409
        assert (await api.post(f"{BASE}/{rid}/end", json={}, headers=brand.headers)).status_code == 409

    async def test_a_patch_keeps_the_kind_rules(self, api: httpx.AsyncClient, brand: Party) -> None:
        a, b = await facility(api, brand), await facility(api, brand)
        rid = await made(api, brand, "supplies", fac(a), fac(b), material="yarn")
        response = await api.patch(f"{BASE}/{rid}", json={"tier": 2}, headers=brand.headers)
        assert response.status_code == 422
        assert ["body", "tier"] in locations(response)
        assert (
            await api.patch(f"{BASE}/{rid}", json={"kind": "subcontracts"}, headers=brand.headers)
        ).status_code == 422
        history = (await api.get(f"{BASE}/{rid}/history", headers=brand.headers)).json()
        assert len(history["versions"]) == 1

    async def test_an_end_before_the_start_is_refused(self, api: httpx.AsyncClient, brand: Party) -> None:
        a, b = await facility(api, brand), await facility(api, brand)
        rid = await made(api, brand, "supplies", fac(a), fac(b), valid_from="2026-03-01")
        response = await api.post(f"{BASE}/{rid}/end", json={"valid_to": "2026-01-01"}, headers=brand.headers)
        assert response.status_code == 422
        assert ["body", "valid_to"] in locations(response)


class TestList:
    async def test_filters_and_pages(self, api: httpx.AsyncClient, brand: Party) -> None:
        hub = await facility(api, brand)
        others = [await facility(api, brand) for _ in range(3)]
        ids = [await made(api, brand, "supplies", fac(o), fac(hub)) for o in others]
        sourced = await made(api, brand, "sources_from", brand.org, fac(hub), tier=1)
        await api.post(f"{BASE}/{ids[0]}/end", json={"valid_to": "2026-01-31"}, headers=brand.headers)

        async def all_pages(**params: str | int | bool) -> list[str]:
            seen, cursor = [], None
            while True:
                query = params | {"limit": 2} | ({"cursor": cursor} if cursor else {})
                page = (await api.get(BASE, params=query, headers=brand.headers)).json()
                seen += [item["id"] for item in page["items"]]
                if not (cursor := page["next_cursor"]):
                    return seen

        assert await all_pages(facility=hub) == [*ids, sourced]
        assert await all_pages(facility=hub, kind="supplies") == ids
        assert await all_pages(facility=hub, active=True) == [*ids[1:], sourced]
        assert await all_pages(facility=hub, active=False) == ids[:1]
        assert await all_pages(facility=hub, as_of="2026-01-15") == [*ids, sourced]
        assert await all_pages(facility=others[1]) == ids[1:2]

    async def test_an_unknown_facility_filter_is_404_naming_it(self, api: httpx.AsyncClient, brand: Party) -> None:
        response = await api.get(BASE, params={"facility": "LL-0000-0000-0"}, headers=brand.headers)
        assert response.status_code == 404
        assert ["query", "facility"] in locations(response)


class TestDiscloseSourcing:
    async def test_a_brand_sets_its_consent(self, api: httpx.AsyncClient, brand: Party) -> None:
        me = (await api.get("/v1/organizations/me", headers=brand.headers)).json()
        assert me["organization"]["disclose_sourcing"] is False
        changed = await api.patch("/v1/organizations/me", json={"disclose_sourcing": True}, headers=brand.headers)
        assert (changed.status_code, changed.json()["disclose_sourcing"]) == (200, True)
        bad = await api.patch("/v1/organizations/me", json={"display_name": "x"}, headers=brand.headers)
        assert bad.status_code == 422
