"""``loomline risk``: recompute stored risk scores."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.progress import Progress

from cli.common import session_scope
from risk import recompute

risk_app = typer.Typer(help="Risk scores.", no_args_is_help=True)


@risk_app.command("recompute")
def recompute_command(
    all_facilities: Annotated[bool, typer.Option("--all", help="Recompute every facility (vectorised)")] = False,
    facility: Annotated[list[str] | None, typer.Option("--facility", help="A facility id (repeatable)")] = None,
) -> None:
    """Recompute stored scores; only changed inputs or a new method version are written."""
    if all_facilities == bool(facility):
        typer.echo("error: give either --all or --facility ID", err=True)
        raise typer.Exit(2)
    with session_scope() as session:
        if facility:
            try:
                ids = [uuid.UUID(value) for value in facility]
            except ValueError as exc:
                typer.echo(f"error: --facility: not a facility id: {exc}", err=True)
                raise typer.Exit(2) from exc
            outcome = recompute.recompute_facilities(session, ids)
        else:
            with Progress() as progress:
                # Two passes over the facilities: own scores, then with what their suppliers carry.
                total = 2 * len(recompute.all_facility_ids(session))
                sites = progress.add_task("Scoring facilities (own, then upstream)", total=total)
                outcome = recompute.recompute_all(session, progress=lambda n: progress.advance(sites, n))
                agents = progress.add_task("Scoring recruiters", total=len(recompute.all_recruiter_ids(session)))
                recruiters = recompute.recompute_all_recruiters(session, progress=lambda n: progress.advance(agents, n))
            typer.echo(f"{recruiters.scored} recruiters scored, {recruiters.written} stored scores changed")
    typer.echo(f"{outcome.scored} facilities scored, {outcome.written} stored scores changed")
