"""A throwaway PostgreSQL schema per benchmark, so runs never touch the development tables."""

from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa


def drop_schema(base: str, schema: str) -> None:
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    engine.dispose()


def fresh_schema_url(base: str, schema: str) -> str:
    """``base`` with its search path set to ``schema``, created empty (dropped first if present)."""
    drop_schema(base, schema)
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema},public')}"
