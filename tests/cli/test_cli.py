"""The `loomline` command line, run in-process against a private database of each dialect."""

from __future__ import annotations

import contextvars
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from typer.testing import CliRunner, Result

from cli.demo_assessments import DEMO_UPLOADS
from cli.demo_recruiters import DEMO_RECRUITERS
from cli.demo_sites import DEMO_SITES
from cli.main import app
from core import jobs
from core.db import Base, create_engine
from core.settings import get_settings
from graph.models import Corridor, Facility, FacilityContribution, Recruiter, Relationship
from ingest.assessments.models import AccessRequest, Assessment
from ingest.canonical import Scheme
from policies.models import AuditEvent, OAuthClient, Organization, SharingGrant, SigningKey
from policies.secrets import secret_matches
from tests.conftest import TEST_ISSUER, make_settings, migrate

runner = CliRunner()

#: One line per demo client: kind, organisation name, client id, secret.
DEMO_LINE = re.compile(r"^  (?P<kind>\w+)\s+(?P<organization>.+?)\s+(?P<client_id>ll_\S+)  (?P<secret>\S+)$")


@dataclass(frozen=True)
class Loomline:
    """`loomline ARGS...` against one database."""

    database_url: str

    def __call__(self, *args: str) -> Result:
        # get_settings is cached per process: forget it around each run so each sees this URL.
        # The copied context keeps the CLI's request id (a ContextVar) out of later tests.
        get_settings.cache_clear()
        try:
            env = {"LOOMLINE_DATABASE_URL": self.database_url, "LOOMLINE_ISSUER": TEST_ISSUER}
            return contextvars.copy_context().run(runner.invoke, app, list(args), env=env)
        finally:
            get_settings.cache_clear()


def succeeded(result: Result) -> Result:
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    return result


def failed_cleanly(result: Result, exit_code: int = 1) -> str:
    """The error output of a command that exited on purpose (not a traceback)."""
    assert result.exit_code == exit_code, f"exit {result.exit_code}\n{result.output}\n{result.exception!r}"
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result.stderr


@pytest.fixture
def blank_loomline(fresh_db_url: str) -> Loomline:
    """The CLI on an empty database."""
    return Loomline(fresh_db_url)


@pytest.fixture
def loomline(fresh_db_url: str) -> Loomline:
    """The CLI on a migrated database."""
    migrate(make_settings(fresh_db_url)).dispose()
    return Loomline(fresh_db_url)


@pytest.fixture
def db(loomline: Loomline) -> Iterator[Engine]:
    """A plain engine on the CLI's database, to look (and tamper) behind its back."""
    engine = create_engine(make_settings(loomline.database_url))
    yield engine
    engine.dispose()


def count(engine: Engine, model: type[Base]) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def create_org(loomline: Loomline, kind: str = "brand", name: str = "Atlas") -> dict[str, str]:
    org: dict[str, str] = json.loads(succeeded(loomline("org", "create", "--kind", kind, "--name", name)).stdout)
    return org


class TestDbUpgrade:
    def test_creates_the_schema_on_an_empty_database(self, blank_loomline: Loomline) -> None:
        result = succeeded(blank_loomline("db", "upgrade"))

        assert "database at head" in result.stderr
        engine = create_engine(make_settings(blank_loomline.database_url))
        try:
            tables = set(sa.inspect(engine).get_table_names())
        finally:
            engine.dispose()
        assert {"organizations", "oauth_clients", "signing_keys", "audit_events", "audit_chain_head"} <= tables

    def test_running_it_again_changes_nothing(self, loomline: Loomline) -> None:
        succeeded(loomline("db", "upgrade"))


class TestOrgCreate:
    def test_prints_the_new_organisation_as_json(self, loomline: Loomline, db: Engine) -> None:
        org = create_org(loomline, kind="supplier", name="Riverside Mills")

        assert org["kind"] == "supplier"
        assert org["display_name"] == "Riverside Mills"
        with db.connect() as conn:
            stored = conn.execute(sa.select(Organization.kind).where(Organization.id == uuid.UUID(org["id"])))
            assert stored.scalar_one() == "supplier"

    def test_rejects_an_unknown_kind(self, loomline: Loomline, db: Engine) -> None:
        result = loomline("org", "create", "--kind", "conglomerate", "--name", "X")

        assert "conglomerate" in failed_cleanly(result, exit_code=2)
        assert count(db, Organization) == 0


class TestClientCreate:
    def test_prints_the_secret_once_and_stores_only_its_hash(self, loomline: Loomline, db: Engine) -> None:
        org = create_org(loomline)

        result = succeeded(loomline("client", "create", "--org", org["id"], "--scopes", "graph:read risk:read"))

        issued = json.loads(result.stdout)
        assert issued["organization_id"] == org["id"]
        assert issued["scopes"] == "graph:read risk:read"
        with db.connect() as conn:
            row = conn.execute(sa.select(OAuthClient).where(OAuthClient.client_id == issued["client_id"])).one()
        assert issued["client_secret"] not in "".join(str(value) for value in row)
        assert secret_matches(issued["client_secret"], row.secret_hash)

    def test_names_an_unknown_scope(self, loomline: Loomline, db: Engine) -> None:
        org = create_org(loomline)

        result = loomline("client", "create", "--org", org["id"], "--scopes", "graph:read graph:delete")

        assert "graph:delete" in failed_cleanly(result)
        assert count(db, OAuthClient) == 0

    def test_refuses_an_unknown_organisation(self, loomline: Loomline, db: Engine) -> None:
        missing = uuid.uuid4()

        result = loomline("client", "create", "--org", str(missing), "--scopes", "graph:read")

        assert str(missing) in failed_cleanly(result)
        assert count(db, OAuthClient) == 0


class TestKeysRotate:
    def test_prints_a_new_active_kid_and_retires_the_old_one(self, loomline: Loomline, db: Engine) -> None:
        first = json.loads(succeeded(loomline("keys", "rotate")).stdout)["active_kid"]
        second = json.loads(succeeded(loomline("keys", "rotate")).stdout)["active_kid"]

        assert first != second
        with db.connect() as conn:
            active = conn.execute(sa.select(SigningKey.kid).where(SigningKey.retired_at.is_(None))).scalars().all()
        assert active == [second]


class TestAuditVerify:
    @pytest.fixture
    def three_events(self, loomline: Loomline) -> None:
        """organization.created (1), oauth_client.created (2), keys.rotated (3)."""
        org = create_org(loomline)
        succeeded(loomline("client", "create", "--org", org["id"], "--scopes", "graph:read"))
        succeeded(loomline("keys", "rotate"))

    def test_an_untouched_trail_is_intact(self, loomline: Loomline, three_events: None) -> None:
        result = succeeded(loomline("audit", "verify"))

        assert "intact: 3 events" in result.stdout

    def test_an_edited_event_is_named(self, loomline: Loomline, db: Engine, three_events: None) -> None:
        with db.begin() as conn:
            conn.execute(sa.text("""UPDATE audit_events SET details = '{"tampered": true}' WHERE seq = 2"""))

        message = failed_cleanly(loomline("audit", "verify"))

        assert "BROKEN at event 2" in message
        assert "edited" in message

    def test_a_deleted_last_event_is_noticed(self, loomline: Loomline, db: Engine, three_events: None) -> None:
        with db.begin() as conn:
            conn.execute(sa.delete(AuditEvent).where(AuditEvent.seq == 3))

        message = failed_cleanly(loomline("audit", "verify"))

        assert "BROKEN at event 3" in message
        assert "removed from the end" in message


@dataclass(frozen=True)
class DemoRun:
    secrets: dict[str, str]  # client id -> secret
    brand_client_id: str
    output: str


def run_demo(loomline: Loomline) -> DemoRun:
    output = succeeded(loomline("demo")).stdout
    lines = [m for m in map(DEMO_LINE.match, output.splitlines()) if m]
    brand = next(m for m in lines if m["kind"] == "brand")
    return DemoRun({m["client_id"]: m["secret"] for m in lines}, brand["client_id"], output)


def stored_hash(engine: Engine, client_id: str) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.select(OAuthClient.secret_hash).where(OAuthClient.client_id == client_id)).scalar_one()


class TestDemo:
    def test_loading_twice_adds_nothing_and_reissues_secrets(self, loomline: Loomline, db: Engine) -> None:
        first = run_demo(loomline)
        models = (
            Organization, OAuthClient, Facility, FacilityContribution, Recruiter, Corridor, Relationship,
            Assessment, SharingGrant, AccessRequest,
        )  # fmt: skip
        counts = tuple(count(db, m) for m in models)
        second = run_demo(loomline)

        assert counts == tuple(count(db, m) for m in models)
        assert counts[:2] == (8, 8)
        assert first.secrets.keys() == second.secrets.keys()
        assert len(second.secrets) == 8
        brand_hash = stored_hash(db, second.brand_client_id)
        assert not secret_matches(first.secrets[second.brand_client_id], brand_hash)
        assert secret_matches(second.secrets[second.brand_client_id], brand_hash)

    def test_brands_name_shared_sites_in_their_own_words_and_the_registry_recognises_them(
        self, loomline: Loomline, db: Engine
    ) -> None:
        run = run_demo(loomline)

        assert f"Demo network: {len(DEMO_SITES)} sites, {len(DEMO_RECRUITERS)} recruiters" in run.output
        assert count(db, Recruiter) == len(DEMO_RECRUITERS)
        links = count(db, Relationship)
        assert links > 20
        assert f"corridors, {links} links" in run.output
        # Every other brand's spelling attached to the first brand's site: no duplicate sites.
        assert count(db, Facility) == len(DEMO_SITES)
        with db.connect() as conn:
            contributors = conn.execute(
                sa.select(
                    FacilityContribution.facility_id, sa.func.count(sa.distinct(FacilityContribution.organization_id))
                ).group_by(FacilityContribution.facility_id)
            ).all()
        shared = sum(1 for _, brands in contributors if brands >= 2)
        assert shared == sum(1 for site in DEMO_SITES if site.also_named)

    def test_assessments_of_every_scheme_are_shared_with_some_brands(self, loomline: Loomline, db: Engine) -> None:
        run = run_demo(loomline)

        with db.connect() as conn:
            schemes = set(conn.execute(sa.select(Assessment.scheme)).scalars())
            grants = (
                conn.execute(
                    sa.select(Organization.display_name).join(
                        SharingGrant, SharingGrant.grantee_organization_id == Organization.id
                    )
                )
                .scalars()
                .all()
            )
        assert schemes == set(Scheme)
        assert f"{len(DEMO_UPLOADS)} assessments" in run.output
        assert {"Atlas Apparel (demo)", "Birchwood Outfitters (demo)", "Cobalt Retail Group (demo)"} <= set(grants)
        assert count(db, AccessRequest) == 1
        with db.connect() as conn:
            waiting = conn.execute(
                sa.select(sa.func.count()).where(jobs.Job.status != jobs.JobStatus.done)
            ).scalar_one()
        assert waiting == 0  # the demo ran the recomputes its assessments queued

    def test_prints_working_brand_credentials_and_a_curl_line(self, loomline: Loomline, db: Engine) -> None:
        run = run_demo(loomline)

        secret = run.secrets[run.brand_client_id]
        assert secret_matches(secret, stored_hash(db, run.brand_client_id))
        assert f"curl -s -u '{run.brand_client_id}:{secret}'" in run.output
        assert f"{TEST_ISSUER}/oauth/token" in run.output
        assert f"{TEST_ISSUER}/v1/organizations/me" in run.output


class TestUnmigratedDatabase:
    def test_commands_refuse_and_name_the_fix(self, blank_loomline: Loomline) -> None:
        error = failed_cleanly(blank_loomline("org", "create", "--kind", "brand", "--name", "Too Early"))
        assert "loomline db upgrade" in error
        succeeded(blank_loomline("db", "upgrade"))
        succeeded(blank_loomline("org", "create", "--kind", "brand", "--name", "In Time"))
