"""The durable job interface, on both dialects: submit in the caller's transaction, claim once,
record failures, recover jobs whose worker died."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from core import jobs
from core.clock import utcnow
from core.db import transaction

#: What the test bodies saw, by a per-test marker (the registry is process-wide).
SEEN: dict[str, list[str]] = {}


def _record(context: jobs.JobContext, /, **ids: str) -> None:
    context.heartbeat()
    SEEN.setdefault(ids["marker"], []).append(ids.get("value", ""))


def _explode(context: jobs.JobContext, /, **ids: str) -> None:
    raise RuntimeError(f"bad input {ids['marker']}")


jobs.register("test.record", _record)
jobs.register("test.explode", _explode)


def _job(factory: sessionmaker[Session], job_id: uuid.UUID) -> jobs.Job:
    with factory() as s:
        job = s.get(jobs.Job, job_id)
        assert job is not None
        return job


def _clear_queue(factory: sessionmaker[Session]) -> None:
    # Other tests' leftovers must not be run by these tests' runners.
    with transaction(factory) as s:
        s.execute(sa.update(jobs.Job).where(jobs.Job.status == jobs.JobStatus.queued).values(status="done"))


class TestSubmit:
    def test_a_job_exists_only_if_the_callers_transaction_commits(
        self, committing_sessions: sessionmaker[Session]
    ) -> None:
        marker = uuid.uuid4().hex
        with committing_sessions() as s:
            s.begin()
            job = jobs.submit(s, "test.record", marker=marker)
            s.rollback()
        with committing_sessions() as s:
            assert s.get(jobs.Job, job.id) is None

    def test_payload_and_initial_state(self, session: Session) -> None:
        job = jobs.submit(session, "test.record", marker="m", value="v")
        assert (job.status, job.attempts, job.payload) == (jobs.JobStatus.queued, 0, {"marker": "m", "value": "v"})


class TestRunOne:
    def test_runs_a_job_once_and_marks_it_done(self, committing_sessions: sessionmaker[Session]) -> None:
        _clear_queue(committing_sessions)
        marker = uuid.uuid4().hex
        with transaction(committing_sessions) as s:
            job_id = jobs.submit(s, "test.record", marker=marker, value="x").id
        ran = jobs.run_until_idle(committing_sessions)
        assert [j.id for j in ran] == [job_id]
        assert SEEN[marker] == ["x"]
        done = _job(committing_sessions, job_id)
        assert (done.status, done.attempts, done.error) == (jobs.JobStatus.done, 1, None)
        assert done.started_at is not None
        assert done.finished_at is not None
        assert done.heartbeat_at is not None
        assert jobs.run_one(committing_sessions) is None

    def test_a_failing_job_is_failed_with_the_error_text(self, committing_sessions: sessionmaker[Session]) -> None:
        _clear_queue(committing_sessions)
        marker = uuid.uuid4().hex
        with transaction(committing_sessions) as s:
            job_id = jobs.submit(s, "test.explode", marker=marker).id
        jobs.run_until_idle(committing_sessions)
        failed = _job(committing_sessions, job_id)
        assert failed.status is jobs.JobStatus.failed
        assert failed.error == f"RuntimeError: bad input {marker}"

    def test_an_unknown_job_name_fails_instead_of_looping(self, committing_sessions: sessionmaker[Session]) -> None:
        _clear_queue(committing_sessions)
        with transaction(committing_sessions) as s:
            job_id = jobs.submit(s, "test.nobody_registered_this").id
        jobs.run_until_idle(committing_sessions)
        assert "no job body registered" in (_job(committing_sessions, job_id).error or "")


class TestClaim:
    def test_a_claimed_job_cannot_be_claimed_again(self, committing_sessions: sessionmaker[Session]) -> None:
        _clear_queue(committing_sessions)
        with transaction(committing_sessions) as s:
            job_id = jobs.submit(s, "test.record", marker="claim").id
        with transaction(committing_sessions) as s:
            first = jobs.claim(s)
        with transaction(committing_sessions) as s:
            second = jobs.claim(s)
        assert first is not None
        assert first.id == job_id
        assert second is None
        assert _job(committing_sessions, job_id).status is jobs.JobStatus.running

    def test_two_runners_never_run_the_same_job(self, committing_sessions: sessionmaker[Session]) -> None:
        _clear_queue(committing_sessions)
        marker = uuid.uuid4().hex
        with transaction(committing_sessions) as s:
            for i in range(6):
                jobs.submit(s, "test.record", marker=marker, value=str(i))
        threads = [threading.Thread(target=jobs.run_until_idle, args=(committing_sessions,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(SEEN[marker]) == [str(i) for i in range(6)]


class TestRecoverStale:
    def test_a_job_whose_worker_died_is_run_again(self, committing_sessions: sessionmaker[Session]) -> None:
        _clear_queue(committing_sessions)
        marker = uuid.uuid4().hex
        with transaction(committing_sessions) as s:
            job_id = jobs.submit(s, "test.record", marker=marker, value="again").id
        with transaction(committing_sessions) as s:
            assert jobs.claim(s) is not None  # ... and the worker dies: no heartbeat from now on
            s.execute(
                sa.update(jobs.Job).where(jobs.Job.id == job_id).values(heartbeat_at=utcnow() - timedelta(hours=1))
            )
        jobs.run_until_idle(committing_sessions, stale_after=timedelta(minutes=5))
        recovered = _job(committing_sessions, job_id)
        assert (recovered.status, recovered.attempts) == (jobs.JobStatus.done, 2)
        assert SEEN[marker] == ["again"]

    def test_a_live_job_is_left_alone(self, session: Session) -> None:
        job = jobs.submit(session, "test.record", marker="live")
        session.execute(
            sa.update(jobs.Job).where(jobs.Job.id == job.id).values(status="running", heartbeat_at=utcnow())
        )
        jobs.recover_stale(session, stale_after=timedelta(minutes=5))
        session.refresh(job)
        assert job.status is jobs.JobStatus.running

    def test_a_job_out_of_attempts_fails(self, session: Session) -> None:
        job = jobs.submit(session, "test.record", marker="tired")
        session.execute(
            sa.update(jobs.Job)
            .where(jobs.Job.id == job.id)
            .values(status="running", attempts=jobs.MAX_ATTEMPTS, heartbeat_at=utcnow() - timedelta(hours=1))
        )
        jobs.recover_stale(session, stale_after=timedelta(minutes=5))
        session.refresh(job)
        assert job.status is jobs.JobStatus.failed
        assert "abandoned" in (job.error or "")


class TestJobRunner:
    def test_the_thread_runs_queued_jobs_and_stops(self, committing_sessions: sessionmaker[Session]) -> None:
        _clear_queue(committing_sessions)
        marker = uuid.uuid4().hex
        with transaction(committing_sessions) as s:
            job_id = jobs.submit(s, "test.record", marker=marker, value="bg").id
        runner = jobs.JobRunner(committing_sessions, poll_seconds=0.05)
        runner.start()
        try:
            for _ in range(200):
                if _job(committing_sessions, job_id).status is jobs.JobStatus.done:
                    break
                threading.Event().wait(0.05)
        finally:
            runner.stop()
        assert _job(committing_sessions, job_id).status is jobs.JobStatus.done


@pytest.fixture(autouse=True)
def _forget_seen() -> None:
    SEEN.clear()


def _long(context: jobs.JobContext, /, **ids: str) -> None:
    for step in range(1000):
        context.heartbeat()  # raises JobInterrupted once the runner is stopping
        SEEN.setdefault(ids["marker"], []).append(str(step))
        threading.Event().wait(0.01)


jobs.register("test.long", _long)


class TestStopping:
    def test_a_stopping_runner_puts_its_job_back_in_the_queue(self, committing_sessions: sessionmaker[Session]) -> None:
        _clear_queue(committing_sessions)
        marker = uuid.uuid4().hex
        with transaction(committing_sessions) as s:
            job_id = jobs.submit(s, "test.long", marker=marker).id
        runner = jobs.JobRunner(committing_sessions, poll_seconds=0.05)
        runner.start()
        for _ in range(400):
            if SEEN.get(marker):
                break
            threading.Event().wait(0.05)
        runner.stop()
        assert SEEN[marker]
        job = _job(committing_sessions, job_id)
        assert job.status is jobs.JobStatus.queued
        _clear_queue(committing_sessions)
