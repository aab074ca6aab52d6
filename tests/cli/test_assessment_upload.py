"""`loomline upload assessment` (cli/assessment_upload.py), run in-process on both dialects."""

from __future__ import annotations

import contextvars
import json

import sqlalchemy as sa
import typer
from typer.testing import CliRunner, Result

from cli.assessment_upload import upload_assessment
from core.db import create_sessionmaker, transaction
from core.principal import OrganizationKind
from core.settings import get_settings
from ingest.assessments.models import Assessment
from policies import service as policies_service
from tests.api.assessment_support import SAMPLES, make_facility
from tests.conftest import TEST_ISSUER, make_settings, migrate

runner = CliRunner()
upload_app = typer.Typer()
upload_app.command("assessment")(upload_assessment)
upload_app.command("other")(lambda: None)  # two commands: typer keeps the sub-command name


def run(database_url: str, *args: str) -> Result:
    get_settings.cache_clear()
    try:
        env = {"LOOMLINE_DATABASE_URL": database_url, "LOOMLINE_ISSUER": TEST_ISSUER}
        return contextvars.copy_context().run(runner.invoke, upload_app, list(args), env=env)
    finally:
        get_settings.cache_clear()


def test_uploads_once_and_reports_errors(fresh_db_url: str) -> None:
    engine = migrate(make_settings(fresh_db_url))
    try:
        factory = create_sessionmaker(engine)
        with transaction(factory) as s:
            auditor = policies_service.create_organization(s, None, kind=OrganizationKind.auditor, display_name="A")
            auditor_id = str(auditor.id)
        facility = make_facility(factory)
        args = ["assessment", str(SAMPLES / "smeta.xlsx"), "--scheme", "smeta", "--facility", facility]
        first = run(fresh_db_url, *args, "--org", auditor_id)
        assert first.exit_code == 0, first.output
        printed = json.loads(first.stdout)
        assert printed["created"] is True
        assert printed["id"].startswith("LA-")
        again = json.loads(run(fresh_db_url, *args, "--org", auditor_id).stdout)
        assert (again["created"], again["id"]) == (False, printed["id"])
        bad = SAMPLES / "slcp.csv"  # an SLCP file named as SMETA
        wrong = run(
            fresh_db_url, "assessment", str(bad), "--scheme", "smeta", "--facility", facility, "--org", auditor_id
        )
        assert wrong.exit_code == 1
        assert "error:" in wrong.stderr
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(Assessment)).scalar_one() == 1
    finally:
        engine.dispose()
