"""A client secret exists in clear only in the caller's hands: not in the database, logs or responses."""

from __future__ import annotations

import logging

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

import policies.models  # noqa: F401  (registers every table of the domain on Base.metadata)
from core.db import Base, transaction
from core.principal import OrganizationKind
from policies import secrets
from policies import service as policies_service
from policies.models import OAuthClient
from tests.conftest import Credentials, bearer

pytestmark = pytest.mark.anyio

TOKEN_PATH = "/oauth/token"
GRANT = {"grant_type": "client_credentials"}


def create_client(committing_sessions: sessionmaker[Session]) -> Credentials:
    """Through the service itself (not a test factory), so its audit record and logs are included."""
    with transaction(committing_sessions) as s:
        org = policies_service.create_organization(s, None, kind=OrganizationKind.brand, display_name="Hygiene Ltd")
        issued = policies_service.create_client(s, None, organization_id=org.id, scopes="graph:read risk:read")
        return Credentials(org.id, issued.client.client_id, issued.client_secret)


async def use_the_secret(api: httpx.AsyncClient, creds: Credentials) -> list[httpx.Response]:
    """Token requests that carry the real secret, through success and failure paths."""
    secret = creds.client_secret
    return [
        await api.post(TOKEN_PATH, data=GRANT, auth=(creds.client_id, secret)),
        await api.post(TOKEN_PATH, data=GRANT | {"client_id": creds.client_id, "client_secret": secret}),
        await api.post(TOKEN_PATH, data=GRANT | {"scope": "admin"}, auth=(creds.client_id, secret)),
        await api.post(TOKEN_PATH, data={"grant_type": "password"}, auth=(creds.client_id, secret)),
        await api.post(TOKEN_PATH, data={"scope": "graph:read"}, auth=(creds.client_id, secret)),
        await api.post(TOKEN_PATH, data=GRANT, auth=("ll_unknown", secret)),
        await api.post(TOKEN_PATH, data=GRANT | {"client_id": "ll_unknown", "client_secret": secret}),
    ]


def every_stored_value(engine: Engine) -> list[str]:
    """``str`` of every value in every row of every table we map."""
    values: list[str] = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(sa.select(sa.text("*")).select_from(table)):
                values.extend(str(value) for value in row)
    return values


class TestClientSecretStorage:
    async def test_clear_secret_is_in_no_column_of_any_row(
        self, api: httpx.AsyncClient, engine: Engine, committing_sessions: sessionmaker[Session]
    ) -> None:
        creds = create_client(committing_sessions)
        responses = await use_the_secret(api, creds)
        assert responses[0].status_code == 200, responses[0].text
        assert responses[1].status_code == 200, responses[1].text

        values = every_stored_value(engine)

        assert {"organizations", "oauth_clients", "audit_events"} <= set(Base.metadata.tables)
        assert any(creds.client_id in value for value in values), "the scan must see the new client's rows"
        leaks = [value for value in values if creds.client_secret in value]
        assert leaks == []

    def test_stored_hash_is_not_the_secret_but_matches_it(self, committing_sessions: sessionmaker[Session]) -> None:
        creds = create_client(committing_sessions)

        with transaction(committing_sessions) as s:
            stored = s.scalars(sa.select(OAuthClient.secret_hash).where(OAuthClient.client_id == creds.client_id)).one()

        assert stored != creds.client_secret
        assert creds.client_secret not in stored
        assert secrets.secret_matches(creds.client_secret, stored)
        assert not secrets.secret_matches(creds.client_secret + "x", stored)


class TestClientSecretExposure:
    async def test_secret_is_in_no_log_record(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)

        creds = create_client(committing_sessions)
        await use_the_secret(api, creds)

        assert any(r.levelno == logging.DEBUG for r in caplog.records), "DEBUG records must be captured"
        for record in caplog.records:
            text = " ".join([str(record.msg), repr(record.args), record.getMessage(), record.exc_text or ""])
            assert creds.client_secret not in text, f"secret logged by {record.name}: {record.getMessage()[:200]}"

    async def test_issued_access_tokens_are_in_no_log_record(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)

        creds = create_client(committing_sessions)
        responses = await use_the_secret(api, creds)
        token = responses[0].json()["access_token"]

        assert any(r.levelno == logging.DEBUG for r in caplog.records), "DEBUG records must be captured"
        signature = token.rsplit(".", 1)[-1]
        for record in caplog.records:
            assert signature not in record.getMessage(), f"token logged by {record.name}"

    async def test_secret_is_echoed_in_no_response(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        creds = create_client(committing_sessions)

        responses = await use_the_secret(api, creds)
        token = responses[0].json()["access_token"]
        responses.append(await api.get("/v1/organizations/me", headers=bearer(token)))

        assert [r.is_success for r in responses] == [True, True, False, False, False, False, False, True]
        for response in responses:
            assert creds.client_secret not in response.text
            assert all(creds.client_secret not in value for value in response.headers.values())
