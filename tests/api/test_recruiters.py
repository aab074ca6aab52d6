"""The labour recruiter registry through the API, on both dialects."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.principal import OrganizationKind
from graph.models import Recruiter
from tests.conftest import Credentials, bearer, fetch_token, make_organization_with_client

pytestmark = pytest.mark.anyio

BASE = "/v1/recruiters"


def word() -> str:
    """A made-up distinctive name word, so tests never meet each other's recruiters."""
    return "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:9])


def licence() -> str:
    return f"{uuid.uuid4().int % 10_000:04d}/{uuid.uuid4().int % 1000:03d}/82"


async def register(api: httpx.AsyncClient, token: str, **body: object) -> httpx.Response:
    return await api.post(
        BASE, json={"name": f"{word().capitalize()} Manpower", "country": "NP"} | body, headers=bearer(token)
    )


async def create(api: httpx.AsyncClient, token: str, **body: object) -> dict[str, object]:
    response = await register(api, token, **body)
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


@pytest.fixture
async def token(api: httpx.AsyncClient, brand: Credentials) -> str:
    return await fetch_token(api, brand)


@pytest.fixture
async def other_token(api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]) -> str:
    return await fetch_token(api, make_organization_with_client(committing_sessions))


class TestCreateAndGet:
    async def test_create_returns_a_recruiter_id_and_provenance(self, api: httpx.AsyncClient, token: str) -> None:
        number = licence()
        created = await create(
            api,
            token,
            licence_number=number,
            countries_of_operation=["my", "NP", "QA", "MY"],
            fee_policy="employer_pays",
            certifications=[
                {"scheme": "IRIS", "certificate_id": "IRIS-001", "valid_from": "2025-01-01", "valid_to": "2099-12-31"}
            ],
        )
        assert str(created["id"]).startswith("LR-")
        assert created["licence_number"] == number
        assert created["licence_country"] == "NP"  # the recruiter's own country by default
        assert created["countries_of_operation"] == ["MY", "NP", "QA"]
        assert created["fee_policy"] == "employer_pays"
        assert created["certifications"] == [
            {
                "scheme": "iris",
                "certificate_id": "IRIS-001",
                "valid_from": "2025-01-01",
                "valid_to": "2099-12-31",
                "valid": True,
            }
        ]
        assert created["match"]["outcome"] == "created"  # type: ignore[index]
        contributions = {c["attribute"]: c for c in created["contributions"]}  # type: ignore[attr-defined]
        assert contributions["licence"]["value"] == ["NP", number]
        assert contributions["fee_policy"]["by_you"] is True
        fetched = (await api.get(f"{BASE}/{str(created['id']).lower()}", headers=bearer(token))).json()
        assert fetched["name"] == created["name"]

    async def test_an_expired_certification_is_not_valid(self, api: httpx.AsyncClient, token: str) -> None:
        cert = {"scheme": "iris", "certificate_id": "OLD-1", "valid_from": "2019-01-01", "valid_to": "2020-01-01"}
        created = await create(api, token, certifications=[cert])
        assert created["certifications"][0]["valid"] is False  # type: ignore[index]

    async def test_unknown_malformed_and_facility_ids_are_404(self, api: httpx.AsyncClient, token: str) -> None:
        facility = await api.post("/v1/facilities", json={"name": word(), "country": "BD"}, headers=bearer(token))
        for recruiter_id in ("LR-0000-0000-0", "not-an-id", facility.json()["id"]):
            response = await api.get(f"{BASE}/{recruiter_id}", headers=bearer(token))
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
        patched = await api.patch(f"{BASE}/LR-0000-0000-0", json={"fee_policy": "mixed"}, headers=bearer(token))
        assert patched.status_code == 404

    async def test_bad_fields_are_each_named(self, api: httpx.AsyncClient, token: str) -> None:
        body = {
            "name": "",
            "country": "ZZ",
            "licence_country": "Nepal",
            "countries_of_operation": ["MY", "XX"],
            "fee_policy": "free",
            "certifications": [
                {"scheme": "iris", "certificate_id": "1", "valid_from": "2026-01-01", "valid_to": "2025-01-01"}
            ],
        }
        response = await api.post(BASE, json=body, headers=bearer(token))
        assert response.status_code == 422
        locations = {tuple(e["location"]) for e in response.json()["errors"]}
        assert {
            ("body", "name"),
            ("body", "country"),
            ("body", "licence_country"),
            ("body", "countries_of_operation", 1),
            ("body", "fee_policy"),
            ("body", "certifications", 0, "valid_to"),
        } <= locations

    async def test_a_licence_country_needs_a_number(self, api: httpx.AsyncClient, token: str) -> None:
        response = await register(api, token, licence_country="NP")
        assert response.status_code == 422
        assert response.json()["errors"][0]["location"] == ["body", "licence_number"]
        created = await create(api, token, licence_number=licence())
        moved = await api.patch(f"{BASE}/{created['id']}", json={"licence_country": "IN"}, headers=bearer(token))
        assert moved.status_code == 200, moved.text
        assert (moved.json()["licence_country"], moved.json()["licence_number"]) == ("IN", created["licence_number"])

    async def test_writing_needs_graph_write(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        reader = make_organization_with_client(committing_sessions, scopes="graph:read")
        response = await register(api, await fetch_token(api, reader))
        assert response.status_code == 403


class TestMatching:
    async def test_legal_form_and_dots_do_not_make_another_agency(
        self, api: httpx.AsyncClient, token: str, other_token: str
    ) -> None:
        tag = word()
        created = await create(api, token, name=f"PT Maju Jaya {tag.capitalize()} Tenaga Kerja", country="ID")
        again = await register(
            api, other_token, name=f"P.T. MAJU JAYA {tag.upper()} TENAGA KERJA", country="ID", fee_policy="worker_pays"
        )
        assert again.status_code == 200, again.text
        body = again.json()
        assert body["id"] == created["id"]
        assert body["match"]["outcome"] == "matched"
        assert body["match"]["score"] >= 0.9
        # The second member's statements were recorded on the existing recruiter.
        theirs = [c for c in body["contributions"] if c["by_you"] and c["attribute"] == "fee_policy"]
        assert [c["value"] for c in theirs] == ["worker_pays"]

    async def test_the_same_licence_is_the_same_recruiter_whatever_the_name(
        self, api: httpx.AsyncClient, token: str, other_token: str
    ) -> None:
        number = licence()
        created = await create(api, token, licence_number=number)
        # Punctuation and spaces of a licence number carry no identity.
        again = await register(api, other_token, name=f"{word()} Overseas", licence_number=number.replace("/", " - "))
        assert again.status_code == 200, again.text
        assert again.json()["id"] == created["id"]
        assert again.json()["match"]["components"]["licence"] == 1.0

    async def test_the_same_name_in_another_country_is_another_recruiter(
        self, api: httpx.AsyncClient, token: str
    ) -> None:
        name = f"{word().capitalize()} Human Resources"
        first = await create(api, token, name=name, country="NP")
        second = await create(api, token, name=name, country="BD")
        assert first["id"] != second["id"]

    async def test_same_name_with_another_licence_is_only_a_potential_match(
        self, api: httpx.AsyncClient, token: str, other_token: str
    ) -> None:
        name = f"{word().capitalize()} Manpower Services"
        first = await create(api, token, name=name, licence_number=licence())
        second = await register(api, other_token, name=name, licence_number=licence())
        assert second.status_code == 201, second.text
        assert [p["id"] for p in second.json()["match"]["potential_matches"]] == [first["id"]]

    async def test_a_licence_held_by_another_recruiter_is_a_conflict(self, api: httpx.AsyncClient, token: str) -> None:
        number = licence()
        await create(api, token, licence_number=number)
        other = await create(api, token)
        response = await api.patch(f"{BASE}/{other['id']}", json={"licence_number": number}, headers=bearer(token))
        assert response.status_code == 409
        assert response.json()["errors"][0]["location"] == ["body", "licence_number"]


class TestProvenanceAndUpdate:
    async def test_patch_is_partial_and_another_members_contribution_is_anonymous(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        created = await create(api, token, fee_policy="worker_pays", address="Kathmandu")
        other = make_organization_with_client(committing_sessions, kind=OrganizationKind.ctip)
        other_token = await fetch_token(api, other)
        cert = {"scheme": "iris", "certificate_id": word(), "valid_from": str(date.today() - timedelta(days=1))}
        patched = await api.patch(
            f"{BASE}/{created['id']}",
            json={"certifications": [cert], "countries_of_operation": ["AE"]},
            headers=bearer(other_token),
        )
        assert patched.status_code == 200, patched.text
        seen = (await api.get(f"{BASE}/{created['id']}", headers=bearer(token))).json()
        assert (seen["address"], seen["fee_policy"], seen["countries_of_operation"]) == (
            "Kathmandu",
            "worker_pays",
            ["AE"],
        )
        assert seen["certifications"][0]["valid"] is True
        theirs = [c for c in seen["contributions"] if c["attribute"] == "countries_of_operation"]
        assert theirs == [theirs[0] | {"organization_id": None, "by_you": False}]
        assert str(other.organization_id) not in json.dumps(seen)

    async def test_majority_decides_the_fee_policy(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        created = await create(api, token, fee_policy="employer_pays")
        for _ in range(2):
            member_token = await fetch_token(api, make_organization_with_client(committing_sessions))
            await api.patch(f"{BASE}/{created['id']}", json={"fee_policy": "mixed"}, headers=bearer(member_token))
        assert (await api.get(f"{BASE}/{created['id']}", headers=bearer(token))).json()["fee_policy"] == "mixed"

    async def test_a_merged_id_resolves_to_the_survivor(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session]
    ) -> None:
        survivor, merged = await create(api, token), await create(api, token)
        with transaction(committing_sessions) as s:
            survivor_id = s.scalar(sa.select(Recruiter.id).where(Recruiter.public_id == survivor["id"]))
            s.execute(
                sa.update(Recruiter).where(Recruiter.public_id == merged["id"]).values(merged_into_id=survivor_id)
            )
        fetched = (await api.get(f"{BASE}/{merged['id']}", headers=bearer(token))).json()
        assert (fetched["id"], fetched["resolved_from"]) == (survivor["id"], merged["id"])


class TestVisibility:
    @pytest.mark.parametrize("kind", [OrganizationKind.ctip, OrganizationKind.supplier, OrganizationKind.auditor])
    async def test_core_attributes_are_visible_to_every_member(
        self, api: httpx.AsyncClient, token: str, committing_sessions: sessionmaker[Session], kind: OrganizationKind
    ) -> None:
        created = await create(api, token, fee_policy="mixed")
        member = make_organization_with_client(committing_sessions, kind=kind, scopes="graph:read")
        fetched = await api.get(f"{BASE}/{created['id']}", headers=bearer(await fetch_token(api, member)))
        assert fetched.status_code == 200
        assert fetched.json()["fee_policy"] == "mixed"
        assert all(c["organization_id"] is None for c in fetched.json()["contributions"])


class TestSearch:
    async def test_filters_on_both_dialects(self, api: httpx.AsyncClient, token: str) -> None:
        tag = word()
        nepal = await create(
            api,
            token,
            name=f"Himalaya {tag} Manpower",
            countries_of_operation=["NP", "MY"],
            fee_policy="employer_pays",
            certifications=[{"scheme": "iris", "certificate_id": word()}],
        )
        dhaka = await create(
            api,
            token,
            name=f"Dhaka {tag} Overseas",
            country="BD",
            countries_of_operation=["BD", "SA"],
            fee_policy="worker_pays",
        )
        expired = await create(
            api,
            token,
            name=f"Yangon {tag} Services",
            country="MM",
            countries_of_operation=["MM", "TH"],
            certifications=[{"scheme": "iris", "certificate_id": word(), "valid_to": "2020-01-01"}],
        )

        async def ids(**params: str | int) -> set[object]:
            query: dict[str, str | int] = {"name": tag, "limit": 500}
            response = await api.get(BASE, params=query | params, headers=bearer(token))
            assert response.status_code == 200, response.text
            return {item["id"] for item in response.json()["items"]}

        assert await ids() == {nepal["id"], dhaka["id"], expired["id"]}
        assert await ids(country="bd") == {dhaka["id"]}
        assert await ids(operating_country="my") == {nepal["id"]}
        assert await ids(operating_country="TH") == {expired["id"]}
        assert await ids(fee_policy="worker_pays") == {dhaka["id"]}
        assert await ids(certified="IRIS") == {nepal["id"]}
        assert await ids(name=f"hima {tag}") == {nepal["id"]}
        assert await ids(name=f"imalaya {tag}") == set()

    async def test_cursor_pagination_visits_every_row_once(self, api: httpx.AsyncClient, token: str) -> None:
        tag = word()
        made = {(await create(api, token, name=f"{word().capitalize()} {tag} Agency"))["id"] for _ in range(7)}
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
            ({"cursor": "%%%"}, "cursor"),
            ({"fee_policy": "free"}, "fee_policy"),
            ({"operating_country": "MYS"}, "operating_country"),
        ],
    )
    async def test_bad_search_parameters_are_named(
        self, api: httpx.AsyncClient, token: str, params: dict[str, str], parameter: str
    ) -> None:
        response = await api.get(BASE, params=params, headers=bearer(token))
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["location"] == ["query", parameter]
