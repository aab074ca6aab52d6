"""The token endpoint (client credentials), its RFC 9068 tokens, errors and RFC 8414 metadata."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.clock import utcnow
from core.db import transaction
from core.settings import Settings
from policies.models import OAuthClient
from tests.conftest import (
    TEST_ISSUER,
    Credentials,
    app_client,
    bearer,
    fetch_token,
    make_organization_with_client,
    make_settings,
)

pytestmark = pytest.mark.anyio

TOKEN_PATH = "/oauth/token"
GRANT = {"grant_type": "client_credentials"}


async def verified(api: httpx.AsyncClient, token: str) -> jwt.Token:
    """The token decoded and its signature checked against the published JWKS."""
    jwks = (await api.get("/.well-known/jwks.json")).json()
    return jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"])


def assert_oauth_problem(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    """An RFC 9457 problem carrying the RFC 6749 ``error`` code, never cached."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == "application/problem+json"
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    assert body["error"] == error
    return body


def _narrow_client(committing_sessions: sessionmaker[Session]) -> Credentials:
    return make_organization_with_client(committing_sessions, scopes="graph:read risk:read")


class TestClientAuthentication:
    async def test_client_secret_basic_gets_a_token(self, api: httpx.AsyncClient, brand: Credentials) -> None:
        response = await api.post(TOKEN_PATH, data=GRANT, auth=(brand.client_id, brand.client_secret))

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"].lower() == "bearer"
        assert (await api.get("/v1/organizations/me", headers=bearer(body["access_token"]))).status_code == 200

    async def test_client_secret_post_gets_a_token(self, api: httpx.AsyncClient, brand: Credentials) -> None:
        form = GRANT | {"client_id": brand.client_id, "client_secret": brand.client_secret}

        response = await api.post(TOKEN_PATH, data=form)

        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        assert (await api.get("/v1/organizations/me", headers=bearer(token))).status_code == 200

    @pytest.mark.parametrize("method", ["basic", "post"])
    async def test_wrong_secret_is_invalid_client_with_a_challenge(
        self, api: httpx.AsyncClient, brand: Credentials, method: str
    ) -> None:
        if method == "basic":
            response = await api.post(TOKEN_PATH, data=GRANT, auth=(brand.client_id, brand.client_secret + "x"))
        else:
            form = GRANT | {"client_id": brand.client_id, "client_secret": brand.client_secret + "x"}
            response = await api.post(TOKEN_PATH, data=form)

        assert_oauth_problem(response, 401, "invalid_client")
        assert response.headers["www-authenticate"]
        assert "access_token" not in response.text

    async def test_unknown_client_is_invalid_client(self, api: httpx.AsyncClient, brand: Credentials) -> None:
        response = await api.post(TOKEN_PATH, data=GRANT, auth=("ll_nobody", brand.client_secret))

        assert_oauth_problem(response, 401, "invalid_client")
        assert response.headers["www-authenticate"]

    async def test_no_credentials_is_invalid_client(self, api: httpx.AsyncClient) -> None:
        response = await api.post(TOKEN_PATH, data=GRANT)

        assert_oauth_problem(response, 401, "invalid_client")


class TestRevokedClient:
    async def test_gets_no_token_and_its_issued_token_stops_working(
        self, api: httpx.AsyncClient, brand: Credentials, committing_sessions: sessionmaker[Session]
    ) -> None:
        token = await fetch_token(api, brand)
        assert (await api.get("/v1/organizations/me", headers=bearer(token))).status_code == 200

        with transaction(committing_sessions) as s:
            s.execute(
                sa.update(OAuthClient).where(OAuthClient.client_id == brand.client_id).values(revoked_at=utcnow())
            )

        refused = await api.post(TOKEN_PATH, data=GRANT, auth=(brand.client_id, brand.client_secret))
        assert_oauth_problem(refused, 401, "invalid_client")
        me = await api.get("/v1/organizations/me", headers=bearer(token))
        assert me.status_code == 401, me.text
        assert me.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


class TestAccessToken:
    async def test_is_an_rs256_at_jwt_signed_by_a_published_key(
        self, api: httpx.AsyncClient, brand: Credentials
    ) -> None:
        token = await fetch_token(api, brand)

        decoded = await verified(api, token)

        assert decoded.header["typ"] == "at+jwt"
        assert decoded.header["alg"] == "RS256"
        kids = {key["kid"] for key in (await api.get("/.well-known/jwks.json")).json()["keys"]}
        assert decoded.header["kid"] in kids

    async def test_carries_the_rfc_9068_and_organisation_claims(
        self, api: httpx.AsyncClient, brand: Credentials, settings: Settings
    ) -> None:
        before = int(time.time())
        token = await fetch_token(api, brand, scope="graph:read")

        claims = (await verified(api, token)).claims

        assert claims["iss"] == TEST_ISSUER
        assert claims["aud"] == settings.resource_audience == TEST_ISSUER + "/v1"
        assert claims["sub"] == brand.client_id
        assert claims["client_id"] == brand.client_id
        assert claims["scope"] == "graph:read"
        assert claims["org_id"] == str(brand.organization_id)
        assert before - 5 <= claims["iat"] <= int(time.time()) + 5
        assert claims["exp"] - claims["iat"] == 600
        assert isinstance(claims["jti"], str)
        assert claims["jti"]

    async def test_each_token_has_its_own_jti(self, api: httpx.AsyncClient, brand: Credentials) -> None:
        first = (await verified(api, await fetch_token(api, brand))).claims["jti"]
        second = (await verified(api, await fetch_token(api, brand))).claims["jti"]

        assert first != second

    async def test_response_states_lifetime_and_is_not_cacheable(
        self, api: httpx.AsyncClient, brand: Credentials
    ) -> None:
        response = await api.post(TOKEN_PATH, data=GRANT, auth=(brand.client_id, brand.client_secret))

        assert response.status_code == 200, response.text
        assert response.json()["expires_in"] == 600
        assert response.headers["cache-control"] == "no-store"

    async def test_lifetime_follows_the_configured_ttl(
        self, db_url: str, engine: Engine, committing_sessions: sessionmaker[Session]
    ) -> None:
        creds = make_organization_with_client(committing_sessions)
        async with app_client(make_settings(db_url, access_token_ttl_seconds=120)) as api:
            response = await api.post(TOKEN_PATH, data=GRANT, auth=(creds.client_id, creds.client_secret))
            assert response.status_code == 200, response.text
            claims = (await verified(api, response.json()["access_token"])).claims

        assert response.json()["expires_in"] == 120
        assert claims["exp"] - claims["iat"] == 120


class TestScopeNarrowing:
    async def test_grants_only_the_requested_scopes_the_client_has(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        creds = _narrow_client(committing_sessions)

        response = await api.post(
            TOKEN_PATH, data=GRANT | {"scope": "graph:read admin"}, auth=(creds.client_id, creds.client_secret)
        )

        assert response.status_code == 200, response.text
        assert response.json()["scope"] == "graph:read"
        assert (await verified(api, response.json()["access_token"])).claims["scope"] == "graph:read"

    async def test_no_scope_asked_grants_all_allowed_scopes(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        creds = _narrow_client(committing_sessions)

        response = await api.post(TOKEN_PATH, data=GRANT, auth=(creds.client_id, creds.client_secret))

        assert response.status_code == 200, response.text
        assert set(response.json()["scope"].split()) == {"graph:read", "risk:read"}
        claims = (await verified(api, response.json()["access_token"])).claims
        assert set(claims["scope"].split()) == {"graph:read", "risk:read"}

    async def test_only_scopes_the_client_lacks_is_invalid_scope(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        creds = _narrow_client(committing_sessions)

        response = await api.post(
            TOKEN_PATH, data=GRANT | {"scope": "admin graph:write"}, auth=(creds.client_id, creds.client_secret)
        )

        assert_oauth_problem(response, 400, "invalid_scope")

    @pytest.mark.parametrize("scope", ["nonsense:read", "graph:read nonsense:read"])
    async def test_unknown_scope_name_is_invalid_scope(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], scope: str
    ) -> None:
        creds = _narrow_client(committing_sessions)

        response = await api.post(
            TOKEN_PATH, data=GRANT | {"scope": scope}, auth=(creds.client_id, creds.client_secret)
        )

        assert_oauth_problem(response, 400, "invalid_scope")


class TestGrantType:
    @pytest.mark.parametrize("grant_type", ["password", "authorization_code", "refresh_token"])
    async def test_other_grant_types_are_unsupported(
        self, api: httpx.AsyncClient, brand: Credentials, grant_type: str
    ) -> None:
        response = await api.post(
            TOKEN_PATH,
            data={"grant_type": grant_type, "username": "u", "password": "p"},
            auth=(brand.client_id, brand.client_secret),
        )

        assert_oauth_problem(response, 400, "unsupported_grant_type")

    async def test_missing_grant_type_is_invalid_request(self, api: httpx.AsyncClient, brand: Credentials) -> None:
        response = await api.post(TOKEN_PATH, data={"scope": "graph:read"}, auth=(brand.client_id, brand.client_secret))

        assert_oauth_problem(response, 400, "invalid_request")


class TestMetadata:
    async def test_describes_the_client_credentials_server(self, api: httpx.AsyncClient) -> None:
        response = await api.get("/.well-known/oauth-authorization-server")

        assert response.status_code == 200, response.text
        meta = response.json()
        assert meta["issuer"] == TEST_ISSUER
        assert meta["token_endpoint"] == TEST_ISSUER + TOKEN_PATH
        assert meta["jwks_uri"] == TEST_ISSUER + "/.well-known/jwks.json"
        assert meta["grant_types_supported"] == ["client_credentials"]
        assert set(meta["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post"}

    async def test_advertised_endpoints_answer(self, api: httpx.AsyncClient, brand: Credentials) -> None:
        meta = (await api.get("/.well-known/oauth-authorization-server")).json()
        token_response = await api.post(meta["token_endpoint"], data=GRANT, auth=(brand.client_id, brand.client_secret))
        jwks = await api.get(meta["jwks_uri"])

        assert token_response.status_code == 200, token_response.text
        assert jwks.status_code == 200
        assert jwks.json()["keys"]


class TestNoClientEnumeration:
    @pytest.mark.parametrize("method", ["basic", "post"])
    async def test_unknown_client_and_wrong_secret_look_alike(
        self, api: httpx.AsyncClient, brand: Credentials, method: str
    ) -> None:
        def send(client_id: str, secret: str) -> dict[str, object]:
            if method == "basic":
                return {"data": GRANT, "auth": (client_id, secret)}
            return {"data": GRANT | {"client_id": client_id, "client_secret": secret}}

        unknown = await api.post(TOKEN_PATH, **send("ll_nobody", "whatever"))  # type: ignore[arg-type]
        wrong = await api.post(TOKEN_PATH, **send(brand.client_id, "wrong-secret"))  # type: ignore[arg-type]

        def visible(response: httpx.Response) -> tuple[object, ...]:
            body = {k: v for k, v in response.json().items() if k != "instance"}
            return response.status_code, body, response.headers.get("www-authenticate")

        assert visible(unknown) == visible(wrong)
        assert unknown.status_code == 401


class TestHostileCredentials:
    @pytest.mark.parametrize("client_id", ["ll_\x00nul", "x" * 5000])
    async def test_odd_basic_credentials_are_invalid_client_not_a_crash(
        self, api: httpx.AsyncClient, client_id: str
    ) -> None:
        response = await api.post(TOKEN_PATH, data=GRANT, auth=(client_id, "secret"))
        assert_oauth_problem(response, 401, "invalid_client")
