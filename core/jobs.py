"""Durable jobs: ``submit(session, name, **ids)`` writes a row in the caller's transaction; a runner
claims queued rows one at a time and runs the body registered under that name.

Job bodies take ids (strings), open their own sessions from ``JobContext.sessions`` and are
idempotent: a job whose worker died is run again once its heartbeat is older than
``jobs_stale_seconds``. Claiming is one guarded ``UPDATE ... WHERE status = 'queued'`` on the row
picked, so two runners never run the same job, on SQLite as on PostgreSQL. Domains name jobs by
string (``ingest.process_facility_upload``) and never import each other's bodies.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from core.clock import utcnow
from core.db import Base, UTCDateTime, read_session, string_enum
from core.ids import uuid7

log = logging.getLogger("loomline.jobs")

#: A job that failed this many times (its worker died each time) is not requeued again.
MAX_ATTEMPTS = 3


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Job(Base):
    """One unit of background work, named by string, with ids as its payload."""

    __tablename__ = "jobs"
    __table_args__ = (sa.Index("ix_jobs_status_created_at", "status", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    name: Mapped[str] = mapped_column(sa.String(100))
    payload: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    status: Mapped[JobStatus] = mapped_column(string_enum(JobStatus, "job_status"), default=JobStatus.queued)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JobInterrupted(BaseException):
    """Raised by ``heartbeat`` when the runner is stopping: the job goes back to the queue and
    resumes later (bodies are idempotent). A BaseException, so a body's error handling lets it by."""


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a job body gets: a factory for its own sessions, and ``heartbeat`` to call between
    steps of long work (it tells other runners the job is alive, and stops the job, raising
    ``JobInterrupted``, when this runner is shutting down)."""

    job_id: uuid.UUID
    sessions: sessionmaker[Session]
    stopping: threading.Event | None = None

    def heartbeat(self) -> None:
        if self.stopping is not None and self.stopping.is_set():
            raise JobInterrupted(f"job {self.job_id}: the runner is stopping")
        with self.sessions() as session, session.begin():
            session.execute(sa.update(Job).where(Job.id == self.job_id).values(heartbeat_at=utcnow()))


class JobBody(Protocol):
    def __call__(self, context: JobContext, /, **ids: str) -> None: ...


_REGISTRY: dict[str, JobBody] = {}


def register(name: str, body: JobBody) -> None:
    """Make ``body`` the code that runs jobs named ``name`` (``domain.verb_noun``)."""
    existing = _REGISTRY.get(name)
    if existing is not None and existing is not body:
        raise ValueError(f"job {name!r} is already registered")
    _REGISTRY[name] = body


def registered(name: str) -> JobBody | None:
    return _REGISTRY.get(name)


def submit(session: Session, name: str, **ids: str) -> Job:
    """Queue a job in the caller's transaction: it exists only if that transaction commits."""
    job = Job(name=name, payload=dict(ids), status=JobStatus.queued, attempts=0)
    session.add(job)
    session.flush()
    return job


def _stale(stale_after: timedelta, now: datetime | None) -> sa.ColumnElement[bool]:
    cutoff = (now or utcnow()) - stale_after
    return sa.and_(Job.status == JobStatus.running, sa.or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < cutoff))


def has_stale(session: Session, *, stale_after: timedelta) -> bool:
    return session.scalar(sa.select(Job.id).where(_stale(stale_after, None)).limit(1)) is not None


def recover_stale(session: Session, *, stale_after: timedelta, now: datetime | None = None) -> int:
    """Requeue running jobs whose heartbeat stopped (their worker died); fail those out of attempts."""
    stale = _stale(stale_after, now)
    failed = session.execute(
        sa.update(Job)
        .where(stale, Job.attempts >= MAX_ATTEMPTS)
        .values(status=JobStatus.failed, finished_at=utcnow(), error="abandoned: the worker stopped too often")
    )
    requeued = session.execute(sa.update(Job).where(stale).values(status=JobStatus.queued))
    return int(getattr(failed, "rowcount", 0) or 0) + int(getattr(requeued, "rowcount", 0) or 0)


def claim(session: Session, *, names: frozenset[str] | None = None) -> Job | None:
    """Take the oldest queued job: one guarded UPDATE, so a job another runner took is skipped.

    One statement, and the first of its transaction: on SQLite a transaction that read before
    writing fails at once ("database is locked") when another runner committed in between,
    where a transaction that starts with a write waits for the lock."""
    oldest = sa.select(Job.id).where(Job.status == JobStatus.queued).order_by(Job.created_at, Job.id).limit(1)
    if names is not None:
        oldest = oldest.where(Job.name.in_(sorted(names)))
    now = utcnow()
    job_id = session.scalar(
        sa.update(Job)
        .where(Job.id == oldest.scalar_subquery(), Job.status == JobStatus.queued)
        .values(status=JobStatus.running, started_at=now, heartbeat_at=now, attempts=Job.attempts + 1)
        .returning(Job.id)
    )
    return None if job_id is None else session.get(Job, job_id, populate_existing=True)


def claim_job(session: Session, job_id: uuid.UUID) -> bool:
    """Take one queued job to run its body in this process (a CLI command that shows progress)."""
    now = utcnow()
    taken = session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.queued)
        .values(status=JobStatus.running, started_at=now, heartbeat_at=now, attempts=Job.attempts + 1)
    )
    return getattr(taken, "rowcount", 0) == 1


def finish(sessions: sessionmaker[Session], job_id: uuid.UUID, *, error: str | None) -> None:
    """Mark a claimed job done, or failed with ``error``."""
    _finish(sessions, job_id, error=error)


def _requeue(sessions: sessionmaker[Session], job_id: uuid.UUID) -> None:
    with sessions() as session, session.begin():
        session.execute(sa.update(Job).where(Job.id == job_id).values(status=JobStatus.queued))


def _finish(sessions: sessionmaker[Session], job_id: uuid.UUID, *, error: str | None) -> None:
    status = JobStatus.failed if error is not None else JobStatus.done
    with sessions() as session, session.begin():
        session.execute(sa.update(Job).where(Job.id == job_id).values(status=status, error=error, finished_at=utcnow()))


def run_one(
    sessions: sessionmaker[Session],
    *,
    stale_after: timedelta = timedelta(minutes=5),
    stopping: threading.Event | None = None,
) -> Job | None:
    """Recover stale jobs, claim one and run it; its final state is committed. None when idle."""
    # Look before writing: an idle runner polls often, and on SQLite every UPDATE, even of no row,
    # takes the write lock from the API's requests (and so would a write transaction: read_session).
    with read_session(sessions) as session:
        stale = has_stale(session, stale_after=stale_after)
    if stale:
        with sessions() as session, session.begin():
            recover_stale(session, stale_after=stale_after)
    with read_session(sessions) as session:
        if session.scalar(sa.select(Job.id).where(Job.status == JobStatus.queued).limit(1)) is None:
            return None
    with sessions() as session, session.begin():
        job = claim(session)
    if job is None:
        return None
    body = registered(job.name)
    error: str | None = None
    if body is None:
        error = f"no job body registered as {job.name!r}"
    else:
        try:
            body(JobContext(job.id, sessions, stopping), **job.payload)
        except JobInterrupted:
            _requeue(sessions, job.id)
            return None
        except Exception as exc:
            log.exception("job %s (%s) failed", job.id, job.name)
            error = f"{type(exc).__name__}: {exc}"[:2000]
    _finish(sessions, job.id, error=error)
    with read_session(sessions) as session:
        return session.get(Job, job.id)


def run_until_idle(
    sessions: sessionmaker[Session], *, stale_after: timedelta = timedelta(minutes=5), limit: int = 10_000
) -> list[Job]:
    """Run queued jobs one after another until none is left (tests, ``loomline jobs run --once``)."""
    ran: list[Job] = []
    while len(ran) < limit:
        job = run_one(sessions, stale_after=stale_after)
        if job is None:
            break
        ran.append(job)
    return ran


class JobRunner:
    """A background thread that runs queued jobs in this process (the embedded default)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        poll_seconds: float = 1.0,
        stale_after: timedelta = timedelta(minutes=5),
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._poll = poll_seconds
        self._stale_after = stale_after
        self._on_error = on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="loomline-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 60.0) -> None:
        """Stop after the current step of the current job (which goes back to the queue)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = run_one(self._sessions, stale_after=self._stale_after, stopping=self._stop)
            except Exception as exc:  # the database is down or locked: try again after a pause
                log.warning("job runner: %s", exc)
                if self._on_error is not None:
                    self._on_error(exc)
                ran = None
            if ran is None:
                self._stop.wait(self._poll)
