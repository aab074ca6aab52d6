"""The in-process job runner of the embedded default, with every job body of the domains registered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.jobs import JobRunner
from core.settings import Settings


def start_job_runner(settings: Settings, sessions: sessionmaker[Session]) -> JobRunner | None:
    """Start running queued jobs in a thread of this process, when the settings say so (register
    the job bodies first: ``risk.jobs.register_all_jobs``)."""
    if not settings.jobs_in_process:
        return None
    runner = JobRunner(
        sessions,
        poll_seconds=settings.jobs_poll_seconds,
        stale_after=timedelta(seconds=settings.jobs_stale_seconds),
    )
    runner.start()
    return runner
