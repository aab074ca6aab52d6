"""Test harness: every database test runs on SpatiaLite and, when configured, on PostGIS.

- ``db_url``: parametrised over ``spatialite`` (a temporary file) and ``postgis``
  (``LOOMLINE_TEST_POSTGRES_URL``; skipped when unset, a failure when ``CI=true``).
  On PostgreSQL the suite works in its own schema (``LOOMLINE_TEST_SCHEMA``, default
  ``loomline_test``), dropped and recreated at the start, so nothing else in the database is touched.
- ``engine``: migrated to head once per dialect by running the real Alembic history.
- ``session``: one test's transaction, rolled back at the end (savepoint mode).
- ``fresh_db_url``: a new, migrated, private database for tests that must commit and may break it.
- ``api``: an httpx client on the real ASGI app (lifespan run), base URL https://loomline.test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import hypothesis
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from core import migrations
from core.db import BEGIN_DEFERRED, create_engine, create_sessionmaker, transaction
from core.principal import OrganizationKind
from core.settings import Settings
from policies import service as policies_service
from policies.scopes import ALL_SCOPES

# In CI every property test (and the schemathesis contract test) draws the same examples each
# run, so a red build always means a change, never a new random draw; locally they explore.
hypothesis.settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    hypothesis.settings.load_profile("ci")

TEST_ISSUER = "https://loomline.test"
DIALECTS = ("spatialite", "postgis")


def _postgres_base_url() -> str | None:
    return os.environ.get("LOOMLINE_TEST_POSTGRES_URL") or None


def _require_postgres() -> str:
    url = _postgres_base_url()
    if url is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but LOOMLINE_TEST_POSTGRES_URL is unset: the PostGIS leg must run in CI.")
        pytest.skip("LOOMLINE_TEST_POSTGRES_URL is unset: PostGIS leg skipped locally")
    return url


def _with_search_path(url: str, schema: str) -> str:
    # PostGIS lives in public; our tables go to the schema named first.
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema},public')}"


def _reset_schema(base_url: str, schema: str) -> None:
    engine = sa.create_engine(base_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()


def _drop_schema(base_url: str, schema: str) -> None:
    engine = sa.create_engine(base_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()


def make_settings(database_url: str, **overrides: object) -> Settings:
    # Tests run jobs explicitly (core.jobs.run_until_idle), never in a background thread.
    values: dict[str, object] = {"database_url": database_url, "issuer": TEST_ISSUER, "jobs_in_process": False}
    values |= overrides
    return Settings(**values)  # type: ignore[arg-type]


def migrate(settings: Settings) -> Engine:
    engine = create_engine(settings)
    with engine.begin() as conn:
        migrations.upgrade(conn)
    return engine


@pytest.fixture(scope="session", params=DIALECTS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The suite's shared database, one per dialect."""
    if request.param == "spatialite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'loomline.sqlite'}"
        return
    base = _require_postgres()
    schema = os.environ.get("LOOMLINE_TEST_SCHEMA", "loomline_test")
    _reset_schema(base, schema)
    yield _with_search_path(base, schema)


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    engine = migrate(make_settings(db_url))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def committing_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose work is committed (for data an API request must see)."""
    return create_sessionmaker(engine)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test. On SQLite it begins
    DEFERRED, as before BEGIN IMMEDIATE became the default: a test that only reads here takes no
    lock, so the API requests and committing sessions of the same test never wait for it."""
    with engine.connect() as conn:
        conn.execution_options(**{BEGIN_DEFERRED: True})
        outer = conn.begin()
        with Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False) as s:
            yield s
        outer.rollback()


@pytest.fixture
def dialect(db_url: str) -> str:
    return "sqlite" if db_url.startswith("sqlite") else "postgresql"


@pytest.fixture
def fresh_db_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty private database of the same dialect (not migrated)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    base = _require_postgres()
    schema = f"loomline_fresh_{uuid.uuid4().hex[:10]}"
    _reset_schema(base, schema)
    yield _with_search_path(base, schema)
    _drop_schema(base, schema)


@dataclass(frozen=True)
class Credentials:
    organization_id: uuid.UUID
    client_id: str
    client_secret: str


def make_organization_with_client(
    factory: sessionmaker[Session],
    *,
    kind: OrganizationKind = OrganizationKind.brand,
    scopes: str = " ".join(sorted(ALL_SCOPES - {"admin"})),
    name: str | None = None,
) -> Credentials:
    """A committed organisation with one client; the secret is returned in clear."""
    with transaction(factory) as s:
        org = policies_service.create_organization(
            s, None, kind=kind, display_name=name or f"Org {uuid.uuid4().hex[:8]}"
        )
        issued = policies_service.create_client(s, None, organization_id=org.id, scopes=scopes)
        return Credentials(org.id, issued.client.client_id, issued.client_secret)


@pytest.fixture
def brand(committing_sessions: sessionmaker[Session]) -> Credentials:
    return make_organization_with_client(committing_sessions, kind=OrganizationKind.brand)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(db_url: str, engine: Engine) -> Settings:
    return make_settings(db_url)


@asynccontextmanager
async def app_client(settings: Settings, app: FastAPI | None = None) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client on the real ASGI app (built from ``settings`` unless given), lifespan run."""
    app = app or create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=TEST_ISSUER) as client:
            yield client


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings) as client:
        yield client


async def fetch_token(api: httpx.AsyncClient, creds: Credentials, scope: str | None = None) -> str:
    data = {"grant_type": "client_credentials"} | ({"scope": scope} if scope else {})
    response = await api.post("/oauth/token", data=data, auth=(creds.client_id, creds.client_secret))
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
