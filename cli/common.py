"""What every ``loomline`` command shares: one transaction per command, errors as messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from core import migrations
from core.db import READ_ONLY_OPTIONS, create_engine, create_sessionmaker, transaction
from core.errors import LoomlineError
from core.ids import uuid7
from core.request_context import request_id_var
from core.settings import get_settings


@contextmanager
def session_scope() -> Iterator[Session]:
    """One transaction per command; domain errors become a message and exit status 1."""
    request_id_var.set(f"cli-{uuid7().hex}")
    engine = create_engine(get_settings())
    try:
        with engine.connect().execution_options(**READ_ONLY_OPTIONS) as conn:
            problem = migrations.pending_message(conn)
        if problem:
            typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(1)
        with transaction(create_sessionmaker(engine)) as session:
            yield session
    except LoomlineError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        for item in exc.errors:
            typer.echo(f"  {'/'.join(map(str, item.location))}: {item.message}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


def print_json(value: object) -> None:
    typer.echo(json.dumps(value, indent=2, default=str))
