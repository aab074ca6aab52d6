"""``loomline jobs``: run queued jobs in a worker process."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Annotated

import typer

from core import jobs
from core.db import create_engine, create_sessionmaker
from core.settings import get_settings
from risk.jobs import register_all_jobs

jobs_app = typer.Typer(help="Background jobs.", no_args_is_help=True)


@jobs_app.command("run")
def jobs_run(
    once: Annotated[bool, typer.Option("--once", help="Run what is queued now, then exit.")] = False,
) -> None:
    """Run queued jobs: until the queue is empty (--once), or forever, polling for new ones."""
    settings = get_settings()
    register_all_jobs()
    engine = create_engine(settings)
    sessions = create_sessionmaker(engine)
    stale_after = timedelta(seconds=settings.jobs_stale_seconds)
    try:
        if once:
            ran = jobs.run_until_idle(sessions, stale_after=stale_after)
            failed = [j for j in ran if j.status is jobs.JobStatus.failed]
            typer.echo(f"ran {len(ran)} job(s), {len(failed)} failed")
            for job in failed:
                typer.echo(f"  {job.id} {job.name}: {job.error}", err=True)
            raise typer.Exit(1 if failed else 0)
        runner = jobs.JobRunner(sessions, poll_seconds=settings.jobs_poll_seconds, stale_after=stale_after)
        runner.start()
        typer.echo("running jobs; Ctrl-C to stop", err=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            runner.stop()
    finally:
        engine.dispose()
