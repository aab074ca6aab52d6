"""The one place a change to the supplier graph announces itself: it queues the risk recompute of
what it touches, by job name, in the caller's transaction (the job exists only if the change
does). The graph never imports ``risk``; ``risk.jobs`` registers the bodies under these names.

- a facility whose profile changed (or that survived a merge or a split): its score;
- a recruiter whose licence, certifications or links changed: its score and the scores of the
  sites it places workers at, itself or through sub-agents;
- a link: each facility and recruiter it joins (a supplied site's customers follow: see
  ``risk.recompute.recompute_facilities``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session

from core import jobs
from graph.models import EndpointKind, Relationship

RECOMPUTE_FACILITY = "risk.recompute_facility"
RECOMPUTE_RECRUITER = "risk.recompute_recruiter"
RECOMPUTE_ALL = "risk.recompute_all"


def subjects_changed(
    session: Session, *, facilities: Iterable[uuid.UUID] = (), recruiters: Iterable[uuid.UUID] = ()
) -> None:
    """Queue one recompute per facility and recruiter (each once, in id order)."""
    for facility_id in sorted(set(facilities)):
        jobs.submit(session, RECOMPUTE_FACILITY, facility_id=str(facility_id))
    for recruiter_id in sorted(set(recruiters)):
        jobs.submit(session, RECOMPUTE_RECRUITER, recruiter_id=str(recruiter_id))


def relationship_changed(session: Session, rel: Relationship) -> None:
    """Queue the recompute of the facilities and recruiters a created, changed or ended link joins."""
    ends = ((rel.from_kind, rel.from_id), (rel.to_kind, rel.to_id))
    subjects_changed(
        session,
        facilities=[node for kind, node in ends if kind is EndpointKind.facility],
        recruiters=[node for kind, node in ends if kind is EndpointKind.recruiter],
    )
