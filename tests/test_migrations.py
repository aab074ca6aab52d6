"""The Alembic history runs up, down and up again on both dialects and matches the models."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

import policies.models  # noqa: F401  (registers the tables)
from core import migrations
from core.db import Base, create_engine
from core.migrations import include_object
from tests.conftest import make_settings


def _schema_diff(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _our_tables(conn: Connection) -> set[str]:
    return set(sa.inspect(conn).get_table_names()) & set(Base.metadata.tables)


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
