"""Job bodies of the risk domain (``core.jobs``): they take ids, open their own sessions and are
idempotent (a recompute of unchanged inputs writes nothing). Other domains submit them by name
only: ingest submits ``risk.recompute_facility`` when an assessment is stored, without importing
``risk``."""

from __future__ import annotations

import uuid

from core import jobs
from core.db import transaction
from ingest.uploads import jobs as upload_jobs
from risk import recompute

RECOMPUTE_FACILITY = "risk.recompute_facility"
RECOMPUTE_ALL = "risk.recompute_all"
RECOMPUTE_RECRUITER = "risk.recompute_recruiter"


def recompute_facility(context: jobs.JobContext, /, **ids: str) -> None:
    """Recompute one facility's stored score (after a change to its links, assessments, profile)."""
    with transaction(context.sessions) as session:
        recompute.recompute_facilities(session, [uuid.UUID(ids["facility_id"])])


def recompute_recruiter(context: jobs.JobContext, /, **ids: str) -> None:
    """Recompute one recruiter's stored score (after a change to its links, assessments, licence)."""
    with transaction(context.sessions) as session:
        recompute.recompute_recruiters(session, [uuid.UUID(ids["recruiter_id"])])


def recompute_all(context: jobs.JobContext, /, **ids: str) -> None:  # noqa: ARG001 - no ids: everything
    """Recompute every facility's and recruiter's stored score (after a reference data import or a
    method change)."""
    with transaction(context.sessions) as session:
        recompute.recompute_all(session)
        recompute.recompute_all_recruiters(session)


def register_all_jobs() -> None:
    """Register every job body of this installation (idempotent): the top domain knows them all."""
    upload_jobs.register()
    jobs.register(RECOMPUTE_FACILITY, recompute_facility)
    jobs.register(RECOMPUTE_ALL, recompute_all)
    jobs.register(RECOMPUTE_RECRUITER, recompute_recruiter)
