"""The real server: `loomline serve` in a subprocess, called over TCP by independent OAuth2/JOSE clients.

The in-process API tests prove the app; this proves the installed entry point, uvicorn and the
wire format: Authlib's client must get a token with either client-authentication method, and
PyJWT (not the joserfc we sign with) must verify that token from the published JWKS alone.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
from authlib.deprecate import AuthlibDeprecationWarning

from core.db import create_sessionmaker
from tests.conftest import Credentials, make_organization_with_client, make_settings, migrate
from tests.live_server import running_server

# Authlib 1.9 prefers the `httpx2` package and warns once, on import, when it falls back to the
# `httpx` we depend on. Only that warning is silenced, and only for this import.
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message=r"The httpx module is deprecated; please use httpx2 instead\.",
        category=AuthlibDeprecationWarning,
    )
    from authlib.integrations.httpx_client import OAuth2Client

REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti"]
BACK_TO_BACK_REQUESTS = 50


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    credentials: Credentials
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def live_server(fresh_db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A migrated private database with one brand client, served by `loomline serve` on loopback."""
    engine = migrate(make_settings(fresh_db_url))
    try:
        credentials = make_organization_with_client(create_sessionmaker(engine), scopes="graph:read risk:read")
    finally:
        engine.dispose()
    log_path = tmp_path / "server.log"
    with running_server(fresh_db_url, log_path) as base_url:
        yield LiveServer(base_url, credentials, log_path)


def _token_request_auth(request: httpx.Request) -> tuple[bool, dict[str, list[str]]]:
    """Whether the token request carried HTTP Basic, and its form fields."""
    return request.headers.get("authorization", "").startswith("Basic "), parse_qs(request.content.decode())


class TestLiveServer:
    @pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
    def test_authlib_client_gets_a_token_that_pyjwt_verifies(self, live_server: LiveServer, auth_method: str) -> None:
        creds = live_server.credentials
        token_requests: list[httpx.Request] = []

        def remember_token_request(request: httpx.Request) -> None:
            if request.url.path == "/oauth/token":
                token_requests.append(request)

        with OAuth2Client(
            creds.client_id,
            creds.client_secret,
            token_endpoint_auth_method=auth_method,
            timeout=10.0,
            event_hooks={"request": [remember_token_request]},
        ) as client:
            token = client.fetch_token(f"{live_server.base_url}/oauth/token", grant_type="client_credentials")
            me = client.get(f"{live_server.base_url}/v1/organizations/me")
            jwks = httpx.get(f"{live_server.base_url}/.well-known/jwks.json", timeout=10.0)

        assert me.status_code == 200, me.text + live_server.log()
        assert me.json()["organization"]["id"] == str(creds.organization_id)
        assert me.json()["client_id"] == creds.client_id
        assert token["token_type"].lower() == "bearer"
        assert token["scope"] == "graph:read risk:read"
        # Authlib really used the method asked for, so the server accepted that method.
        [request] = token_requests
        used_basic, form = _token_request_auth(request)
        assert used_basic is (auth_method == "client_secret_basic")
        assert ("client_secret" in form) is (auth_method == "client_secret_post")

        assert jwks.status_code == 200, jwks.text
        claims = _verify_with_pyjwt(token["access_token"], jwks.json(), issuer=live_server.base_url)
        assert claims["iss"] == live_server.base_url
        assert claims["sub"] == claims["client_id"] == creds.client_id
        assert claims["org_id"] == str(creds.organization_id)
        assert claims["scope"] == "graph:read risk:read"
        with pytest.raises(jwt.InvalidAudienceError):
            _verify_with_pyjwt(token["access_token"], jwks.json(), issuer=live_server.base_url, audience="urn:other")

    def test_back_to_back_token_requests_all_succeed(self, live_server: LiveServer) -> None:
        # Regression: with FastAPI's default scope="request" the session committed after the
        # response was sent; the client's next request then raced that commit and SQLite answered
        # "database is locked" for 30-45% of sequential requests.
        creds = live_server.credentials
        with httpx.Client(base_url=live_server.base_url, timeout=10.0) as client:  # one keep-alive connection
            statuses = [
                client.post(
                    "/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(creds.client_id, creds.client_secret),
                ).status_code
                for _ in range(BACK_TO_BACK_REQUESTS)
            ]

        assert statuses == [200] * BACK_TO_BACK_REQUESTS, live_server.log()[-4000:]


def _signing_key(token: str, jwks: dict[str, object]) -> jwt.PyJWK:
    header = jwt.get_unverified_header(token)
    key_set = jwt.PyJWKSet.from_dict(jwks)
    return key_set[header["kid"]]


def _verify_with_pyjwt(
    token: str, jwks: dict[str, object], *, issuer: str, audience: str | None = None
) -> dict[str, object]:
    """Verify as an independent resource server would: RFC 9068 header, signature and claims."""
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "RS256"
    claims: dict[str, object] = jwt.decode(
        token,
        _signing_key(token, jwks),
        algorithms=["RS256"],
        audience=audience or f"{issuer}/v1",
        issuer=issuer,
        options={"require": REQUIRED_CLAIMS},
    )
    return claims
