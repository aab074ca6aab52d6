"""The one place a stored or changed assessment announces itself: it queues the risk recompute of
its subject by job name (``graph.events``), in the caller's transaction, so the job exists only if
the change does. Ingest never imports ``risk``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from graph import events
from ingest.assessments.models import Assessment
from ingest.canonical import SubjectKind


def submit_assessment_stored(session: Session, assessment: Assessment) -> None:
    """Queue the recompute of the assessment's subject (stored, superseded, or an action changed)."""
    if assessment.subject_kind is SubjectKind.facility and assessment.facility_id is not None:
        events.subjects_changed(session, facilities=[assessment.facility_id])
    elif assessment.recruiter_id is not None:
        events.subjects_changed(session, recruiters=[assessment.recruiter_id])
