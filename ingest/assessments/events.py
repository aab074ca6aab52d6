"""The one place a stored assessment announces itself (issue 4, point 6: not wired yet).

When ``core/jobs.py`` lands, this submits ``risk.recompute_<subject kind>`` by name, after
commit, for the assessment's subject; ingest never imports ``risk``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ingest.assessments.models import Assessment


def submit_assessment_stored(session: Session, assessment: Assessment) -> None:  # noqa: ARG001
    """Submit the "assessment stored" event for ``assessment``. A no-op until the job runner exists."""
    return
