"""Run the Alembic history programmatically (CLI, app start-up checks, tests)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from geoalchemy2 import alembic_helpers
from sqlalchemy.engine import Connection

from core.db import Base

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(connection: Connection | None = None) -> Config:
    """Config for the repository's ``alembic/``; with ``connection`` the migrations reuse it."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection, revision: str = "head") -> None:
    command.upgrade(alembic_config(connection), revision)


def downgrade(connection: Connection, revision: str = "base") -> None:
    command.downgrade(alembic_config(connection), revision)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Compare only our tables: not SpatiaLite's metadata tables, not PostGIS's spatial_ref_sys."""
    if type_ == "table" and reflected and compare_to is None and name not in Base.metadata.tables:
        return False
    return bool(alembic_helpers.include_object(obj, name, type_, reflected, compare_to))  # type: ignore[no-untyped-call]


def version_table_schema(connection: Connection) -> str | None:
    """Where ``alembic_version`` lives: beside our tables, in the connection's current schema.

    With a search_path like "tenant,public", Alembic would otherwise find public.alembic_version
    and take another schema's history for this one's.
    """
    if connection.dialect.name != "postgresql":
        return None
    return str(connection.exec_driver_sql("SELECT current_schema()").scalar_one())


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    opts = {"version_table_schema": version_table_schema(connection)}
    return MigrationContext.configure(connection, opts=opts).get_current_revision()


def pending_message(connection: Connection) -> str | None:
    """None when the schema is at head; otherwise what is wrong and the command that fixes it."""
    current, head = current_revision(connection), head_revision()
    if current == head:
        return None
    return f"the database schema is at {current or 'nothing (empty database)'}, not {head}: run `loomline db upgrade`"
