"""The one place a stored assessment announces itself: it queues the risk recompute of its
subject by job name (``risk.recompute_facility`` / ``risk.recompute_recruiter``), in the upload's
transaction, so the job exists only if the assessment does. Ingest never imports ``risk``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core import jobs
from ingest.assessments.models import Assessment
from ingest.canonical import SubjectKind

RECOMPUTE_FACILITY = "risk.recompute_facility"
RECOMPUTE_RECRUITER = "risk.recompute_recruiter"


def submit_assessment_stored(session: Session, assessment: Assessment) -> None:
    """Queue the recompute of the assessment's subject."""
    if assessment.subject_kind is SubjectKind.facility and assessment.facility_id is not None:
        jobs.submit(session, RECOMPUTE_FACILITY, facility_id=str(assessment.facility_id))
    elif assessment.recruiter_id is not None:
        jobs.submit(session, RECOMPUTE_RECRUITER, recruiter_id=str(assessment.recruiter_id))
