"""The facility registry through the API, on both dialects."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.principal import OrganizationKind
from tests.conftest import Credentials, bearer, fetch_token, make_organization_with_client

pytestmark = pytest.mark.anyio

BASE = "/v1/facilities"


def letters() -> str:
    """A random letters-only word: hex digits inside a search tag would be split into one-character
    words by name normalisation and could meet other tests' codes."""
    return "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:10])


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


async def create(api: httpx.AsyncClient, token: str, **fields: object) -> dict[str, object]:
    body = {"name": unique("Riverside Knitting"), "country": "BD"} | fields
    response = await api.post(BASE, json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


@pytest.fixture
async def token(api: httpx.AsyncClient, brand: Credentials) -> str:
    return await fetch_token(api, brand)


class TestCreateAndGet:
    async def test_create_returns_a_public_id_and_provenance(self, api: httpx.AsyncClient, token: str) -> None:
        created = await create(api, token, address="Plot 7, Ashulia", lat=23.89, lng=90.32, number_of_workers=1200)
        assert str(created["id"]).startswith("LL-")
        assert (created["lat"], created["lng"]) == pytest.approx((23.89, 90.32))
        contributions = {c["attribute"]: c for c in created["contributions"]}  # type: ignore[attr-defined]
        assert contributions["number_of_workers"]["value"] == 1200
        assert contributions["number_of_workers"]["by_you"] is True
        fetched = (await api.get(f"{BASE}/{created['id']}", headers=bearer(token))).json()
        assert fetched["name"] == created["name"]

    async def test_public_id_typed_loosely_still_resolves(self, api: httpx.AsyncClient, token: str) -> None:
        created = await create(api, token)
        loose = str(created["id"]).lower()
        assert (await api.get(f"{BASE}/{loose}", headers=bearer(token))).json()["id"] == created["id"]

    async def test_unknown_and_malformed_ids_are_404(self, api: httpx.AsyncClient, token: str) -> None:
        for facility_id in ("LL-0000-0000-0", "not-an-id"):
            response = await api.get(f"{BASE}/{facility_id}", headers=bearer(token))
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"

    async def test_bad_fields_are_each_named(self, api: httpx.AsyncClient, token: str) -> None:
        body = {"name": "", "country": "Bangladesh", "lat": 123, "female_worker_share": 1.5}
        response = await api.post(BASE, json=body, headers=bearer(token))
        assert response.status_code == 422
        fields = {tuple(e["location"])[-1] for e in response.json()["errors"]}
        assert {"name", "country", "lat", "female_worker_share"} <= fields

    async def test_nul_characters_are_refused_on_every_dialect(self, api: httpx.AsyncClient, token: str) -> None:
        # PostgreSQL cannot store NUL in text: without this rule it was a 500 there, stored data on SQLite.
        response = await api.post(BASE, json={"name": "Mill\u0000", "country": "BD"}, headers=bearer(token))
        assert response.status_code == 422
        assert response.json()["errors"][0]["location"] == ["body", "name"]
        search = await api.get(BASE, params={"name": "a\u0000b"}, headers=bearer(token))
        assert search.status_code == 422

    async def test_lat_without_lng_is_refused(self, api: httpx.AsyncClient, token: str) -> None:
        response = await api.post(BASE, json={"name": "X", "country": "BD", "lat": 23.0}, headers=bearer(token))
        assert response.status_code == 422
        assert response.json()["errors"][0]["location"] == ["body", "lng"]

    async def test_an_identifier_names_one_facility_only(self, api: httpx.AsyncClient, token: str) -> None:
        os_id = {"scheme": "os_id", "value": unique("BD2026")}
        await create(api, token, identifiers=[os_id])
        other = await create(api, token, name=unique("Unrelated Dyeing"))
        response = await api.patch(f"{BASE}/{other['id']}", json={"identifiers": [os_id]}, headers=bearer(token))
        assert response.status_code == 409
        assert response.json()["errors"][0]["location"] == ["body", "identifiers", 0, "value"]

    async def test_unknown_identifier_scheme_is_refused(self, api: httpx.AsyncClient, token: str) -> None:
        body = {"name": "X", "country": "BD", "identifiers": [{"scheme": "madeup", "value": "1"}]}
        assert (await api.post(BASE, json=body, headers=bearer(token))).status_code == 422
        body["identifiers"] = [{"scheme": "x-brand-code", "value": "1"}]
        assert (await api.post(BASE, json=body, headers=bearer(token))).status_code == 201

    async def test_writing_needs_graph_write(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        reader = make_organization_with_client(committing_sessions, scopes="graph:read")
        token = await fetch_token(api, reader)
        response = await api.post(BASE, json={"name": "X", "country": "BD"}, headers=bearer(token))
        assert response.status_code == 403


class TestProvenanceAndUpdate:
    async def test_another_members_contribution_is_anonymous(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        created = await create(api, token, sector="Apparel")
        other = make_organization_with_client(committing_sessions, kind=OrganizationKind.brand)
        other_token = await fetch_token(api, other)
        patched = await api.patch(
            f"{BASE}/{created['id']}", json={"number_of_workers": 900}, headers=bearer(other_token)
        )
        assert patched.status_code == 200
        seen_by_first = (await api.get(f"{BASE}/{created['id']}", headers=bearer(token))).json()
        theirs = [c for c in seen_by_first["contributions"] if c["attribute"] == "number_of_workers"]
        assert theirs == [theirs[0] | {"organization_id": None, "by_you": False}]
        assert str(other.organization_id) not in json.dumps(seen_by_first)

    async def test_majority_decides_the_canonical_value(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        created = await create(api, token, address="12 Mill Road")
        for _ in range(2):
            member = make_organization_with_client(committing_sessions)
            member_token = await fetch_token(api, member)
            await api.patch(
                f"{BASE}/{created['id']}", json={"address": "12 Mill Rd, Gazipur"}, headers=bearer(member_token)
            )
        assert (await api.get(f"{BASE}/{created['id']}", headers=bearer(token))).json()[
            "address"
        ] == "12 Mill Rd, Gazipur"


class TestVisibility:
    async def test_ctip_organisations_do_not_see_sites(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        created = await create(api, token)
        ctip = make_organization_with_client(committing_sessions, kind=OrganizationKind.ctip, scopes="graph:read")
        ctip_token = await fetch_token(api, ctip)
        assert (await api.get(f"{BASE}/{created['id']}", headers=bearer(ctip_token))).status_code == 404
        listed = (await api.get(BASE, params={"limit": 500}, headers=bearer(ctip_token))).json()
        assert listed["items"] == []


class TestSearch:
    async def test_filters_on_both_dialects(self, api: httpx.AsyncClient, token: str) -> None:
        tag = letters()
        dhaka = await create(api, token, name=f"Dhaka Denim {tag}", lat=23.81, lng=90.41, sector="Denim")
        chittagong = await create(api, token, name=f"Chattogram Knit {tag}", lat=22.36, lng=91.78, sector="Knit")
        far = await create(api, token, name=f"Hanoi Sewing {tag}", country="VN", lat=21.03, lng=105.85)

        async def ids(**params: str | int | float) -> set[object]:
            query: dict[str, str | int | float] = {"name": tag, "limit": 500}
            response = await api.get(BASE, params=query | params, headers=bearer(token))
            assert response.status_code == 200, response.text
            return {item["id"] for item in response.json()["items"]}

        assert await ids() == {dhaka["id"], chittagong["id"], far["id"]}
        assert await ids(country="bd") == {dhaka["id"], chittagong["id"]}
        assert await ids(sector="denim") == {dhaka["id"]}
        assert await ids(bbox="88,20.5,92.7,26.7") == {dhaka["id"], chittagong["id"]}
        assert await ids(near="23.8,90.4", radius_km=50) == {dhaka["id"]}
        assert await ids(near="23.8,90.4", radius_km=300) == {dhaka["id"], chittagong["id"]}
        polygon = {"type": "Polygon", "coordinates": [[[90, 23], [91, 23], [91, 24.5], [90, 24.5], [90, 23]]]}
        assert await ids(within=json.dumps(polygon)) == {dhaka["id"]}

    async def test_name_search_matches_the_start_of_words(self, api: httpx.AsyncClient, token: str) -> None:
        tag = letters()
        created = await create(api, token, name=f"Shanghai Weijie Garment {tag}")

        async def found(query: str) -> list[object]:
            response = await api.get(BASE, params={"name": f"{query} {tag}"}, headers=bearer(token))
            return [i["id"] for i in response.json()["items"]]

        assert await found("weij") == [created["id"]]
        assert await found("eijie") == []

    async def test_name_search_ignores_case_and_legal_forms(self, api: httpx.AsyncClient, token: str) -> None:
        tag = letters()
        created = await create(api, token, name=f"Shanghai Weijie Garment {tag} Co., Ltd.")
        response = await api.get(BASE, params={"name": f"WEIJIE {tag}"}, headers=bearer(token))
        assert [i["id"] for i in response.json()["items"]] == [created["id"]]

    async def test_cursor_pagination_visits_every_row_once(self, api: httpx.AsyncClient, token: str) -> None:
        # The shared hex code holds digits: "Unit 2 <code>" and "Unit 3 <code>" must stay apart.
        code, tag = uuid.uuid4().hex[:8], letters()
        made = {(await create(api, token, name=f"Unit {i} {code} {tag}"))["id"] for i in range(7)}
        seen: list[object] = []
        cursor: str | None = None
        while True:
            params: dict[str, str | int] = {"name": tag, "limit": 3}
            if cursor:
                params["cursor"] = cursor
            page = (await api.get(BASE, params=params, headers=bearer(token))).json()
            seen += [i["id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(map(str, seen)) == sorted(map(str, made))

    @pytest.mark.parametrize(
        ("params", "parameter"),
        [
            ({"bbox": "1,2,3"}, "bbox"),
            ({"bbox": "10,0,5,1"}, "bbox"),
            ({"near": "23.8,90.4"}, "radius_km"),
            ({"near": "123,0", "radius_km": 5}, "near"),
            ({"within": "{not json"}, "within"),
            ({"within": json.dumps({"type": "Point", "coordinates": [1, 2]})}, "within"),
            ({"cursor": "%%%"}, "cursor"),
        ],
    )
    async def test_bad_search_parameters_are_named(
        self, api: httpx.AsyncClient, token: str, params: dict[str, str | int], parameter: str
    ) -> None:
        response = await api.get(BASE, params=params, headers=bearer(token))
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["location"] == ["query", parameter]
