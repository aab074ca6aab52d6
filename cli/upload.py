"""``loomline upload facilities FILE --org ORG``: store a facility list as an organisation and
process it here, with a progress bar, then print the counts per outcome."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session, sessionmaker

from core import jobs, migrations
from core.db import READ_ONLY_OPTIONS, create_engine, create_sessionmaker, transaction
from core.errors import LoomlineError
from core.principal import Principal
from core.settings import get_settings
from ingest.uploads import processing
from ingest.uploads import service as upload_service
from ingest.uploads.models import FacilityUpload, UploadStatus
from ingest.uploads.reader import UploadLimits
from policies.models import Organization
from policies.scopes import ApiScope

upload_app = typer.Typer(help="Bulk uploads.", no_args_is_help=True)

#: The client id the CLI's uploads and audit events carry (an operator acting for the organisation).
CLI_CLIENT_ID = "cli"


def slug(name: str) -> str:
    """``Atlas Apparel (demo)`` -> ``atlas-apparel-demo``."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def find_organization(session: Session, ref: str) -> Organization:
    """An organisation by id, or by the slug of its display name (``atlas-apparel-demo``)."""
    try:
        found = session.get(Organization, uuid.UUID(ref))
    except ValueError:
        found = None
    if found is not None:
        return found
    matches = [o for o in session.scalars(sa.select(Organization)) if slug(o.display_name) == slug(ref)]
    if len(matches) != 1:
        problem = "no organisation" if not matches else f"{len(matches)} organisations"
        typer.echo(f"error: {problem} named {ref!r}; pass the organisation id", err=True)
        raise typer.Exit(1)
    return matches[0]


def _acting_as(org: Organization) -> Principal:
    return Principal(
        organization_id=org.id,
        organization_kind=org.kind,
        client_id=CLI_CLIENT_ID,
        scopes=frozenset({ApiScope.graph_read, ApiScope.graph_write}),
        token_id="cli-upload",  # noqa: S106 - a label for the audit trail, not a secret
    )


def _print_counts(upload: FacilityUpload) -> None:
    typer.echo(f"upload {upload.id}: {upload.status.value}, {upload.processed_rows}/{upload.total_rows} rows")
    typer.echo(f"  created          {upload.created_count}")
    typer.echo(f"  matched          {upload.matched_count}")
    typer.echo(f"  potential match  {upload.potential_match_count}")
    typer.echo(f"  error            {upload.error_count}")
    if upload.error_count:
        typer.echo(f"  rows with errors: GET /v1/uploads/{upload.id}/rows?status=error")


@upload_app.command("facilities")
def upload_facilities(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV or XLSX list.")],
    org: Annotated[str, typer.Option("--org", help="Organisation id, or the slug of its name.")],
) -> None:
    """Upload a facility list as ORG and process it now, showing progress (same file again: the same upload)."""
    settings = get_settings()
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine)
    limits = UploadLimits(max_bytes=settings.upload_max_bytes, max_rows=settings.upload_max_rows)
    try:
        with engine.connect().execution_options(**READ_ONLY_OPTIONS) as conn:
            problem = migrations.pending_message(conn)
        if problem:
            typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(1)
        raw = file.read_bytes()
        with transaction(sessions) as session:
            principal = _acting_as(find_organization(session, org))
            stored = upload_service.store_upload(session, principal, raw=raw, filename=file.name, limits=limits)
            upload_id, job_id = stored.upload.id, stored.job_id
            claimed = job_id is not None and jobs.claim_job(session, job_id)
        if not stored.created:
            typer.echo(f"this file was uploaded before as {upload_id}")
        if claimed and job_id is not None:
            _process(sessions, upload_id, job_id, total=stored.upload.total_rows)
        with sessions() as session:
            upload = session.get(FacilityUpload, upload_id)
            if upload is not None:
                _print_counts(upload)
        if upload is None or upload.status is UploadStatus.failed:
            raise typer.Exit(1)
    except LoomlineError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        for item in exc.errors:
            typer.echo(f"  {'/'.join(map(str, item.location))}: {item.message}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


def _process(sessions: sessionmaker[Session], upload_id: uuid.UUID, job_id: uuid.UUID, *, total: int) -> None:
    started = time.perf_counter()
    columns = (
        TextColumn("rows"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("rows", total=total, rate="-")

        def advance(upload: FacilityUpload) -> None:
            rate = upload.processed_rows / max(time.perf_counter() - started, 1e-6)
            bar.update(task, completed=upload.processed_rows, rate=f"{rate:,.0f}")

        error: str | None = None
        try:
            processing.process_upload(sessions, upload_id, progress=advance)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            jobs.finish(sessions, job_id, error=error)
