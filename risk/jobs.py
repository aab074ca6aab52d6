"""Job bodies of the risk domain (``core.jobs``): they take ids, open their own sessions and are
idempotent (a recompute of unchanged inputs writes nothing). Other domains submit them by name
only (``graph.events`` holds the names): the graph when a link, a profile or a merge changes,
ingest when an assessment or a corrective action does, reference imports for everything."""

from __future__ import annotations

import uuid

from core import jobs
from core.clock import utcnow
from core.db import transaction
from graph import events
from ingest.uploads import jobs as upload_jobs
from risk import recompute, recruiter_paths

RECOMPUTE_FACILITY = events.RECOMPUTE_FACILITY
RECOMPUTE_ALL = events.RECOMPUTE_ALL
RECOMPUTE_RECRUITER = events.RECOMPUTE_RECRUITER


def recompute_facility(context: jobs.JobContext, /, **ids: str) -> None:
    """Recompute one facility's stored score (after a change to its links, assessments, profile)."""
    with transaction(context.sessions) as session:
        recompute.recompute_facilities(session, [uuid.UUID(ids["facility_id"])])


def recompute_recruiter(context: jobs.JobContext, /, **ids: str) -> None:
    """Recompute one recruiter's stored score and those of the sites it serves, itself or through
    sub-agents (after a change to its links, assessments, licence or certifications)."""
    recruiter_id = uuid.UUID(ids["recruiter_id"])
    with transaction(context.sessions) as session:
        recompute.recompute_recruiters(session, [recruiter_id])
        served = recruiter_paths.sites_served(session, [recruiter_id], utcnow().date())
        if served:
            recompute.recompute_facilities(session, served)


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
