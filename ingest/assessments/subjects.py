"""The facility or recruiter an assessment is about, from the public id a caller typed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.errors import NotFound
from core.principal import Principal
from graph import public_ids
from graph import recruiters as recruiter_service
from graph import service as graph_service
from ingest.assessments.storage import StoredSubject
from ingest.canonical import SubjectKind


def resolve_subject_or_raise(session: Session, principal: Principal, *, public_id: str) -> StoredSubject:
    """``LL-...`` names a facility, ``LR-...`` a recruiter (merges followed); NotFound when unknown
    or not visible to the principal."""
    if public_ids.parse_public_id(public_id) is not None:
        facility = graph_service.get_facility_or_raise(session, principal, public_id=public_id).facility
        return StoredSubject(SubjectKind.facility, facility.id, facility.public_id, facility.owner_organization_id)
    if public_ids.parse_public_id(public_id, public_ids.RECRUITER_PREFIX) is not None:
        recruiter = recruiter_service.get_recruiter_or_raise(session, principal, public_id=public_id).recruiter
        return StoredSubject(SubjectKind.recruiter, recruiter.id, recruiter.public_id, recruiter.owner_organization_id)
    raise NotFound(f"No facility or recruiter {public_id}.")
