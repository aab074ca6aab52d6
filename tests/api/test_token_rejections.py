"""Bearer tokens the resource server must refuse, and scope enforcement on valid ones.

The bad tokens are forged the way an attacker (or a buggy issuer) would: mostly by re-signing a
real token's header and claims with the real active private key, changing one thing at a time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from joserfc import jws, jwt
from joserfc.jwk import RSAKey
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.principal import OrganizationKind
from policies import keys
from policies.models import OAuthClient
from tests.conftest import Credentials, bearer, fetch_token, make_organization_with_client

pytestmark = pytest.mark.anyio

ME = "/v1/organizations/me"
AUDIT = "/v1/audit-events"


@dataclass(frozen=True)
class RealToken:
    """A token the server issued, with the private key that signed it (read from the database)."""

    token: str
    header: dict[str, Any]
    claims: dict[str, Any]
    key: RSAKey

    def resign(
        self,
        *,
        header: Mapping[str, Any] | None = None,
        claims: Mapping[str, Any] | None = None,
        drop_header: Collection[str] = (),
        drop_claims: Collection[str] = (),
        key: RSAKey | None = None,
    ) -> str:
        """The same token with some header fields or claims changed, signed with RS256."""
        new_header = {k: v for k, v in (self.header | dict(header or {})).items() if k not in drop_header}
        new_claims = {k: v for k, v in (self.claims | dict(claims or {})).items() if k not in drop_claims}
        return jwt.encode(new_header, new_claims, key or self.key, default_type=None)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64_json(value: object) -> str:
    return _b64(json.dumps(value).encode())


@pytest.fixture
async def real_token(
    api: httpx.AsyncClient, brand: Credentials, committing_sessions: sessionmaker[Session]
) -> RealToken:
    token = await fetch_token(api, brand)
    with transaction(committing_sessions) as s:
        row = keys.active_key(s)
        assert row is not None
        private_jwk = dict(row.private_jwk)
    key = RSAKey.import_key(private_jwk)
    compact = jws.extract_compact(token.encode())
    assert compact.protected["kid"] == key.kid, "tokens are signed with the active key"
    return RealToken(token, dict(compact.protected), json.loads(compact.payload), key)


def assert_invalid_token(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert response.headers["content-type"].split(";")[0] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401
    assert body["type"].startswith("https://")
    assert body["title"]


class TestForgeryBaseline:
    """The forging helper itself must yield tokens the server accepts, or the rest proves nothing."""

    async def test_resigned_unchanged_token_is_accepted(self, api: httpx.AsyncClient, real_token: RealToken) -> None:
        response = await api.get(ME, headers=bearer(real_token.resign()))

        assert response.status_code == 200, response.text

    async def test_token_expired_within_the_clock_skew_is_accepted(
        self, api: httpx.AsyncClient, real_token: RealToken
    ) -> None:
        now = int(time.time())
        token = real_token.resign(claims={"iat": now - 610, "exp": now - 10})

        response = await api.get(ME, headers=bearer(token))

        assert response.status_code == 200, response.text


class TestMissingOrMalformedCredentials:
    async def test_no_authorization_header(self, api: httpx.AsyncClient) -> None:
        assert_invalid_token(await api.get(ME))

    async def test_basic_scheme_with_client_credentials(self, api: httpx.AsyncClient, brand: Credentials) -> None:
        credentials = base64.b64encode(f"{brand.client_id}:{brand.client_secret}".encode()).decode()

        assert_invalid_token(await api.get(ME, headers={"Authorization": f"Basic {credentials}"}))

    @pytest.mark.parametrize("scheme", ["Basic", "Token", "DPoP"])
    async def test_valid_token_under_another_scheme(
        self, api: httpx.AsyncClient, real_token: RealToken, scheme: str
    ) -> None:
        assert_invalid_token(await api.get(ME, headers={"Authorization": f"{scheme} {real_token.token}"}))

    async def test_bearer_without_token(self, api: httpx.AsyncClient) -> None:
        assert_invalid_token(await api.get(ME, headers={"Authorization": "Bearer "}))

    @pytest.mark.parametrize(
        "token",
        [
            "abc",
            "a.b.c",
            base64.b64encode(secrets.token_bytes(96)).decode(),
            _b64(secrets.token_bytes(32)) + "." + _b64(secrets.token_bytes(32)) + "." + _b64(secrets.token_bytes(32)),
            _b64_json([1, 2]) + "." + _b64_json({}) + ".c2ln",
            _b64_json({"typ": ["at+jwt"], "alg": "RS256", "kid": "k"}) + "." + _b64_json({}) + ".c2ln",
            "x" * 9_000,
        ],
        ids=["word", "three-dots", "random-base64", "random-segments", "json-array-header", "list-typ", "huge"],
    )
    async def test_garbled_token(self, api: httpx.AsyncClient, token: str) -> None:
        assert_invalid_token(await api.get(ME, headers=bearer(token)))


class TestTimeClaims:
    async def test_expired(self, api: httpx.AsyncClient, real_token: RealToken) -> None:
        now = int(time.time())
        token = real_token.resign(claims={"iat": now - 700, "exp": now - 100})

        assert_invalid_token(await api.get(ME, headers=bearer(token)))

    async def test_issued_in_the_future_beyond_leeway(self, api: httpx.AsyncClient, real_token: RealToken) -> None:
        now = int(time.time())
        token = real_token.resign(claims={"iat": now + 300, "exp": now + 900})

        assert_invalid_token(await api.get(ME, headers=bearer(token)))

    async def test_not_yet_valid(self, api: httpx.AsyncClient, real_token: RealToken) -> None:
        now = int(time.time())
        token = real_token.resign(claims={"nbf": now + 300})

        assert_invalid_token(await api.get(ME, headers=bearer(token)))

    async def test_without_exp(self, api: httpx.AsyncClient, real_token: RealToken) -> None:
        token = real_token.resign(drop_claims=["exp"])

        assert_invalid_token(await api.get(ME, headers=bearer(token)))


class TestIdentityClaims:
    @pytest.mark.parametrize(
        "aud",
        ["https://elsewhere.test/v1", "https://loomline.test", ["https://elsewhere.test/v1"]],
        ids=["other-api", "issuer-not-resource", "list-without-ours"],
    )
    async def test_wrong_audience(self, api: httpx.AsyncClient, real_token: RealToken, aud: object) -> None:
        token = real_token.resign(claims={"aud": aud})

        assert_invalid_token(await api.get(ME, headers=bearer(token)))

    async def test_wrong_issuer(self, api: httpx.AsyncClient, real_token: RealToken) -> None:
        token = real_token.resign(claims={"iss": "https://evil.test"})

        assert_invalid_token(await api.get(ME, headers=bearer(token)))

    @pytest.mark.parametrize("claim", ["iss", "aud", "client_id", "org_id", "jti", "sub"])
    async def test_missing_required_claim(self, api: httpx.AsyncClient, real_token: RealToken, claim: str) -> None:
        token = real_token.resign(drop_claims=[claim])

        assert_invalid_token(await api.get(ME, headers=bearer(token)))

    async def test_client_of_another_organisation(
        self, api: httpx.AsyncClient, real_token: RealToken, committing_sessions: sessionmaker[Session]
    ) -> None:
        other = make_organization_with_client(committing_sessions)
        token = real_token.resign(claims={"org_id": str(other.organization_id)})

        assert_invalid_token(await api.get(ME, headers=bearer(token)))


class TestHeader:
    @pytest.mark.parametrize("typ", ["JWT", "jwt", "at+jwt+x", ""])
    async def test_wrong_typ(self, api: httpx.AsyncClient, real_token: RealToken, typ: str) -> None:
        token = real_token.resign(header={"typ": typ})

        assert_invalid_token(await api.get(ME, headers=bearer(token)))

    async def test_missing_typ(self, api: httpx.AsyncClient, real_token: RealToken) -> None:
        token = real_token.resign(drop_header=["typ"])

        assert_invalid_token(await api.get(ME, headers=bearer(token)))

    async def test_alg_none(self, api: httpx.AsyncClient, real_token: RealToken) -> None:
        header = real_token.header | {"alg": "none"}
        token = f"{_b64_json(header)}.{_b64_json(real_token.claims)}."

        assert_invalid_token(await api.get(ME, headers=bearer(token)))

    async def test_hs256_keyed_with_the_public_key(self, api: httpx.AsyncClient, real_token: RealToken) -> None:
        # The classic RS256 -> HS256 confusion: an HMAC whose secret is the published public key.
        header = real_token.header | {"alg": "HS256"}
        signing_input = f"{_b64_json(header)}.{_b64_json(real_token.claims)}"
        public_pem = real_token.key.as_pem(private=False)
        signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()

        assert_invalid_token(await api.get(ME, headers=bearer(f"{signing_input}.{_b64(signature)}")))

    async def test_unknown_kid(self, api: httpx.AsyncClient, real_token: RealToken) -> None:
        token = real_token.resign(header={"kid": "0" * 32})

        assert_invalid_token(await api.get(ME, headers=bearer(token)))

    async def test_missing_kid(self, api: httpx.AsyncClient, real_token: RealToken) -> None:
        token = real_token.resign(drop_header=["kid"])

        assert_invalid_token(await api.get(ME, headers=bearer(token)))

    async def test_other_rsa_key_claiming_the_real_kid(self, api: httpx.AsyncClient, real_token: RealToken) -> None:
        impostor = RSAKey.generate_key(2048, parameters={"kid": real_token.header["kid"]}, private=True)
        token = real_token.resign(key=impostor)

        assert_invalid_token(await api.get(ME, headers=bearer(token)))

    async def test_tampered_claims_under_the_original_signature(
        self, api: httpx.AsyncClient, real_token: RealToken
    ) -> None:
        header_part, _, signature = real_token.token.split(".")
        claims = real_token.claims | {"scope": real_token.claims["scope"] + " admin"}
        token = f"{header_part}.{_b64_json(claims)}.{signature}"

        assert_invalid_token(await api.get(ME, headers=bearer(token)))


class TestScopeEnforcement:
    async def test_token_without_admin_is_forbidden_with_a_scope_challenge(
        self, api: httpx.AsyncClient, brand: Credentials
    ) -> None:
        token = await fetch_token(api, brand)

        response = await api.get(AUDIT, headers=bearer(token))

        assert response.status_code == 403, response.text
        assert response.headers["www-authenticate"] == 'Bearer error="insufficient_scope", scope="admin"'
        assert response.headers["content-type"].split(";")[0] == "application/problem+json"
        assert response.json()["status"] == 403

    async def test_platform_operator_with_admin_may_read(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        operator = make_organization_with_client(committing_sessions, kind=OrganizationKind.platform, scopes="admin")
        token = await fetch_token(api, operator)

        response = await api.get(AUDIT, headers=bearer(token))

        assert response.status_code == 200, response.text
        assert "items" in response.json()

    async def test_scope_taken_from_the_client_stops_working_before_token_expiry(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        operator = make_organization_with_client(
            committing_sessions, kind=OrganizationKind.platform, scopes="admin graph:read"
        )
        token = await fetch_token(api, operator)
        assert (await api.get(AUDIT, headers=bearer(token))).status_code == 200

        with transaction(committing_sessions) as s:
            s.execute(
                sa.update(OAuthClient)
                .where(OAuthClient.client_id == operator.client_id)
                .values(allowed_scopes="graph:read")
            )

        response = await api.get(AUDIT, headers=bearer(token))
        assert response.status_code == 403, response.text
        assert response.headers["www-authenticate"] == 'Bearer error="insufficient_scope", scope="admin"'
