"""The Alembic history runs up, down and up again on both dialects and matches the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import main as alembic_cli
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

import core.jobs  # noqa: F401
import graph.models  # noqa: F401  (registers the tables)
import ingest.assessments.models
import ingest.uploads.models  # noqa: F401
import policies.models  # noqa: F401
import risk.models
import risk.reference.models  # noqa: F401
from core import migrations
from core.db import Base, create_engine
from core.migrations import include_object
from core.settings import get_settings
from tests.conftest import make_settings


def _schema_diff(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _our_tables(conn: Connection) -> set[str]:
    # Name the schema: on PostgreSQL the default lists every table visible on the search path,
    # which would include another installation's tables in public.
    schema = migrations.version_table_schema(conn)
    return set(sa.inspect(conn).get_table_names(schema=schema)) & set(Base.metadata.tables)


class TestMigrationHistory:
    def test_up_down_up_matches_models(self, fresh_db_url: str) -> None:
        engine = create_engine(make_settings(fresh_db_url))
        try:
            with engine.begin() as conn:
                migrations.upgrade(conn)
                assert _schema_diff(conn) == []
                assert _our_tables(conn) == set(Base.metadata.tables)
            with engine.begin() as conn:
                migrations.downgrade(conn)
                assert _our_tables(conn) == set()
            with engine.begin() as conn:
                migrations.upgrade(conn)
                assert _schema_diff(conn) == []
        finally:
            engine.dispose()

    def test_a_model_change_without_migration_is_detected(self, fresh_db_url: str) -> None:
        engine = create_engine(make_settings(fresh_db_url))
        try:
            with engine.begin() as conn:
                migrations.upgrade(conn)
                conn.exec_driver_sql("DROP INDEX ix_audit_events_action")
                diff = _schema_diff(conn)
            assert any("ix_audit_events_action" in repr(item) for item in diff)
        finally:
            engine.dispose()


class TestAlembicCommandLine:
    def test_upgrade_through_the_alembic_cli_is_committed(
        self, fresh_db_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Regression: env.py's schema lookup opened a transaction Alembic then did not commit.
        monkeypatch.setenv("LOOMLINE_DATABASE_URL", fresh_db_url)
        get_settings.cache_clear()
        try:
            alembic_cli(argv=["-c", str(migrations.ROOT / "alembic.ini"), "upgrade", "head"])
        finally:
            get_settings.cache_clear()
        engine = create_engine(make_settings(fresh_db_url))
        try:
            with engine.connect() as conn:
                assert _our_tables(conn) == set(Base.metadata.tables)
                assert migrations.current_revision(conn) == migrations.head_revision()
        finally:
            engine.dispose()
