"""Every error is an RFC 9457 problem document without internals."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from core.principal import OrganizationKind
from core.settings import Settings
from tests.conftest import TEST_ISSUER, Credentials, app_client, bearer, fetch_token, make_organization_with_client

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert str(body["type"]).startswith("https://")
    assert body["title"]
    assert body["instance"] == f"urn:loomline:request:{response.headers['x-request-id']}"
    text = response.text.lower()
    for leak in ("traceback", "select ", "sqlalchemy", 'file "', "psycopg", "sqlite"):
        assert leak not in text
    return body


@pytest.fixture
async def api_with_faults(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app plus one route that fails the way a bug would, with SQL in the message."""
    app = create_app(settings)

    def explode() -> None:
        raise RuntimeError("SELECT secret FROM oauth_clients -- boom")

    app.add_api_route("/explode", explode)
    async with app_client(settings, app) as client:
        yield client


class TestProblemShapes:
    async def test_401_without_token(self, api: httpx.AsyncClient) -> None:
        body = assert_problem(await api.get("/v1/organizations/me"), 401)
        assert body["type"] == "https://loomline.org/problems/invalid-token"

    async def test_403_insufficient_scope(self, api: httpx.AsyncClient, brand: Credentials) -> None:
        token = await fetch_token(api, brand)
        response = await api.get("/v1/audit-events", headers=bearer(token))
        assert_problem(response, 403)
        assert 'error="insufficient_scope"' in response.headers["www-authenticate"]

    async def test_404_unknown_route(self, api: httpx.AsyncClient) -> None:
        assert_problem(await api.get("/v1/no-such-thing"), 404)

    async def test_405_wrong_method_names_the_allowed_ones(self, api: httpx.AsyncClient) -> None:
        response = await api.delete("/healthz")
        assert_problem(response, 405)
        assert "GET" in response.headers["allow"]

    async def test_422_lists_each_bad_field(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        operator = make_organization_with_client(committing_sessions, kind=OrganizationKind.platform, scopes="admin")
        token = await fetch_token(api, operator)
        response = await api.get("/v1/audit-events?after_seq=-1&limit=0", headers=bearer(token))
        body = assert_problem(response, 422)
        locations = {tuple(item["location"]) for item in body["errors"]}  # type: ignore[attr-defined]
        assert locations == {("query", "after_seq"), ("query", "limit")}

    async def test_500_hides_the_cause(self, api_with_faults: httpx.AsyncClient) -> None:
        body = assert_problem(await api_with_faults.get("/explode"), 500)
        assert "boom" not in str(body)

    async def test_request_id_is_echoed(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/v1/organizations/me", headers={"X-Request-ID": "trace-42"})
        assert response.headers["x-request-id"] == "trace-42"
        assert assert_problem(response, 401)["instance"] == "urn:loomline:request:trace-42"

    async def test_an_unsafe_request_id_is_replaced(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
        assert response.headers["x-request-id"] != "bad id\twith spaces"


class TestHealth:
    async def test_healthz(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/healthz")
        assert (response.status_code, response.json()) == (200, {"status": "ok"})

    async def test_readyz_when_database_answers(self, api: httpx.AsyncClient, dialect: str) -> None:
        response = await api.get("/readyz")
        assert response.status_code == 200
        assert response.json()["database"] == dialect

    async def test_readyz_when_database_is_down(self) -> None:
        down = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", issuer=TEST_ISSUER)
        async with app_client(down) as client:
            response = await client.get("/readyz")
            assert (await client.get("/healthz")).status_code == 200
        assert_problem(response, 503)


class TestReadinessOfAnUnmigratedDatabase:
    async def test_readyz_names_the_command_that_fixes_it(self, fresh_db_url: str) -> None:
        async with app_client(Settings(database_url=fresh_db_url, issuer=TEST_ISSUER)) as client:
            response = await client.get("/readyz")
        body = assert_problem(response, 503)
        assert "loomline db upgrade" in str(body["detail"])


class TestOpenAPI:
    async def test_openapi_31_documents_the_api_and_its_security(self, api: httpx.AsyncClient) -> None:
        doc = (await api.get("/openapi.json")).json()
        assert doc["openapi"].startswith("3.1")
        assert "/v1/organizations/me" in doc["paths"]
        flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]
        assert flows["clientCredentials"]["tokenUrl"] == "/oauth/token"
        assert (await api.get("/docs")).status_code == 200


class TestOrganizationVisibility:
    async def test_another_organisation_is_404_not_403(
        self, api: httpx.AsyncClient, brand: Credentials, committing_sessions: sessionmaker[Session]
    ) -> None:
        other = make_organization_with_client(committing_sessions, kind=OrganizationKind.supplier)
        token = await fetch_token(api, brand)
        assert_problem(await api.get(f"/v1/organizations/{other.organization_id}", headers=bearer(token)), 404)
        own = await api.get(f"/v1/organizations/{brand.organization_id}", headers=bearer(token))
        assert own.status_code == 200

    async def test_a_nonexistent_organisation_looks_the_same(self, api: httpx.AsyncClient, brand: Credentials) -> None:
        token = await fetch_token(api, brand)
        missing = await api.get("/v1/organizations/01a2017f-0000-7000-8000-000000000000", headers=bearer(token))
        assert_problem(missing, 404)

    async def test_platform_operators_see_every_organisation(
        self, api: httpx.AsyncClient, brand: Credentials, committing_sessions: sessionmaker[Session]
    ) -> None:
        operator = make_organization_with_client(committing_sessions, kind=OrganizationKind.platform, scopes="admin")
        token = await fetch_token(api, operator)
        response = await api.get(f"/v1/organizations/{brand.organization_id}", headers=bearer(token))
        assert response.status_code == 200
        assert response.json()["kind"] == "brand"

    async def test_admin_scope_alone_does_not_make_a_brand_an_operator(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        brand_admin = make_organization_with_client(committing_sessions, kind=OrganizationKind.brand, scopes="admin")
        other = make_organization_with_client(committing_sessions, kind=OrganizationKind.brand)
        token = await fetch_token(api, brand_admin)
        assert_problem(await api.get(f"/v1/organizations/{other.organization_id}", headers=bearer(token)), 404)
        events = (await api.get("/v1/audit-events?limit=1000", headers=bearer(token))).json()["items"]
        assert events
        assert {e["actor_organization_id"] for e in events} == {str(brand_admin.organization_id)}
