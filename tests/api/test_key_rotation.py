"""Signing-key rotation: old tokens keep working until they expire, then the old key disappears.

Rotation retires the active key of the whole (per-dialect) test database; that is harmless to
other tests, since every new token is signed with the new key.
"""

from __future__ import annotations

import time

import anyio
import httpx
import pytest
from joserfc import jws, jwt
from joserfc.jwk import RSAKey
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from policies import keys
from policies.models import SigningKey
from tests.conftest import Credentials, app_client, bearer, fetch_token, make_organization_with_client, make_settings

pytestmark = pytest.mark.anyio

ME = "/v1/organizations/me"
JWKS = "/.well-known/jwks.json"
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


def kid_of(token: str) -> str:
    kid = jws.extract_compact(token.encode()).protected["kid"]
    assert isinstance(kid, str)
    return kid


async def published_kids(api: httpx.AsyncClient) -> set[str]:
    response = await api.get(JWKS)
    assert response.status_code == 200, response.text
    return {key["kid"] for key in response.json()["keys"]}


def rotate(committing_sessions: sessionmaker[Session]) -> SigningKey:
    """Rotate in a committed transaction; the new key row (loaded, usable after commit)."""
    with transaction(committing_sessions) as s:
        return keys.rotate(s)


class TestJwks:
    async def test_publishes_only_public_rsa_keys(self, api: httpx.AsyncClient, brand: Credentials) -> None:
        await fetch_token(api, brand)  # the first token request creates the first key

        published = (await api.get(JWKS)).json()["keys"]

        assert published
        for key in published:
            assert key["kty"] == "RSA"
            assert key["kid"]
            assert not PRIVATE_MEMBERS & key.keys(), f"private key material published: {sorted(key)}"


class TestRotate:
    async def test_old_tokens_keep_working_and_new_tokens_use_the_new_key(
        self, api: httpx.AsyncClient, brand: Credentials, committing_sessions: sessionmaker[Session]
    ) -> None:
        t1 = await fetch_token(api, brand)

        new_kid = rotate(committing_sessions).kid

        assert (await api.get(ME, headers=bearer(t1))).status_code == 200
        t2 = await fetch_token(api, brand)
        assert kid_of(t2) == new_kid != kid_of(t1)
        assert (await api.get(ME, headers=bearer(t2))).status_code == 200
        assert {kid_of(t1), kid_of(t2)} <= await published_kids(api)

    async def test_retired_key_stops_verifying_once_its_tokens_have_expired(
        self, db_url: str, engine: Engine, committing_sessions: sessionmaker[Session]
    ) -> None:
        creds = make_organization_with_client(committing_sessions)
        settings = make_settings(db_url, access_token_ttl_seconds=2, clock_skew_seconds=0)
        async with app_client(settings) as api:
            old = await fetch_token(api, creds)
            old_kid = kid_of(old)
            assert (await api.get(ME, headers=bearer(old))).status_code == 200
            with transaction(committing_sessions) as s:
                retired = s.get(SigningKey, old_kid)
                assert retired is not None
                retired_key = RSAKey.import_key(dict(retired.private_jwk))
            new = rotate(committing_sessions)
            new_kid, new_key = new.kid, RSAKey.import_key(dict(new.private_jwk))

            await anyio.sleep(3)

            response = await api.get(ME, headers=bearer(old))
            assert response.status_code == 401, response.text
            assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
            kids = await published_kids(api)
            assert old_kid not in kids
            assert new_kid in kids
            # A fresh, unexpired token under the retired key is refused too: the key itself is gone,
            # while the same claims under the new key are accepted.
            now = int(time.time())
            claims = dict(jwt.decode(old, retired_key).claims) | {"iat": now, "exp": now + 60}
            under_retired = jwt.encode({"typ": "at+jwt", "alg": "RS256", "kid": old_kid}, claims, retired_key)
            under_new = jwt.encode({"typ": "at+jwt", "alg": "RS256", "kid": new_kid}, claims, new_key)
            assert (await api.get(ME, headers=bearer(under_retired))).status_code == 401
            assert (await api.get(ME, headers=bearer(under_new))).status_code == 200
            # ...while the service goes on issuing and accepting tokens under the new key.
            current = await fetch_token(api, creds)
            assert kid_of(current) == new_kid
            assert (await api.get(ME, headers=bearer(current))).status_code == 200
