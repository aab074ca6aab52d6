"""The risk jobs run through the real job table and runner: an assessment stored for a facility
queues its recompute by name, and running the queue stores the score (both dialects)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from core import jobs
from core.db import transaction
from core.principal import OrganizationKind
from graph.models import Facility
from risk import jobs as risk_jobs
from risk.models import RiskScore
from tests.api.assessment_support import make_facility, member, upload_sample


class TestRegistry:
    def test_every_job_body_is_registered_by_name(self) -> None:
        risk_jobs.register_all_jobs()
        risk_jobs.register_all_jobs()  # idempotent
        assert jobs.registered("risk.recompute_facility") is risk_jobs.recompute_facility
        assert jobs.registered("risk.recompute_all") is risk_jobs.recompute_all
        assert jobs.registered("risk.recompute_recruiter") is risk_jobs.recompute_recruiter
        assert jobs.registered("ingest.process_facility_upload") is not None


@pytest.mark.anyio
class TestAssessmentStoredEvent:
    async def test_a_stored_assessment_queues_and_runs_its_subjects_recompute(
        self, api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
    ) -> None:
        risk_jobs.register_all_jobs()
        jobs.run_until_idle(committing_sessions)  # leftovers of other tests
        auditor = await member(api, committing_sessions, OrganizationKind.auditor)
        facility = make_facility(committing_sessions)

        response = await upload_sample(api, auditor, "smeta.json", facility)
        assert response.status_code == 201, response.text

        with transaction(committing_sessions) as s:
            site = s.scalars(sa.select(Facility).where(Facility.public_id == facility)).one()
            queued = s.scalars(sa.select(jobs.Job).where(jobs.Job.status == jobs.JobStatus.queued)).all()
            assert [(j.name, j.payload) for j in queued] == [("risk.recompute_facility", {"facility_id": str(site.id)})]
            site_id = site.id
        ran = jobs.run_until_idle(committing_sessions, stale_after=timedelta(minutes=5))
        assert [j.status for j in ran] == [jobs.JobStatus.done]
        with transaction(committing_sessions) as s:
            stored = s.scalars(sa.select(RiskScore).where(RiskScore.subject_id == site_id)).one()
            assert stored.score > 0
            assert any(c["name"] == "evidence" and c["points"] > 0 for c in stored.components)
