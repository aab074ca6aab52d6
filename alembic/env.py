"""Alembic environment: one history for SpatiaLite and PostGIS.

Autogenerate only against PostGIS: against SpatiaLite it proposes dropping SpatiaLite's own
tables. GeoAlchemy2's helpers render geometry columns and spatial indexes portably.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from geoalchemy2 import alembic_helpers

import core.jobs  # noqa: F401
import graph.models  # noqa: F401  (registers the tables on Base.metadata)
import ingest.assessments.models
import ingest.uploads.models  # noqa: F401
import policies.models  # noqa: F401
import risk.models
import risk.reference.models  # noqa: F401
from core.db import Base, create_engine
from core.migrations import include_object, version_table_schema
from core.settings import get_settings

target_metadata = Base.metadata


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        version_table_schema=version_table_schema(connection),
        target_metadata=target_metadata,
        include_object=include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(get_settings())
    # begin(), not connect(): looking up the version-table schema already opens a transaction,
    # and Alembic does not commit one it did not open, so connect() would roll everything back.
    with engine.begin() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run against a database.")
run_migrations_online()
