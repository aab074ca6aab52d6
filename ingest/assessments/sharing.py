"""Owner-controlled sharing: grants on one assessment or on all of a subject's assessments.

Grants are ``policies.models.SharingGrant`` rows: ``subject_kind`` ``assessment`` (one assessment)
or ``facility`` / ``recruiter`` (every assessment of that subject, present and future). Who may
grant: ``policies.visibility.may_share_assessment`` and ``may_share_subject_assessments``.
Revocation sets ``revoked_at``; it and expiry apply on the next request (scopes are built per request).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import ErrorItem, InvalidInput, NotFound, PermissionDenied
from core.principal import Principal
from ingest.assessments import repository
from ingest.assessments.models import Assessment
from ingest.assessments.service import get_assessment_or_raise
from ingest.assessments.storage import StoredSubject
from ingest.assessments.subjects import resolve_subject_or_raise
from policies import audit
from policies.models import Organization, SharingGrant
from policies.visibility import ASSESSMENT_GRANT, may_share_assessment, may_share_subject_assessments


def _check_grant_input(session: Session, *, grantee_id: uuid.UUID, expires_at: datetime | None) -> None:
    errors: list[ErrorItem] = []
    if session.get(Organization, grantee_id) is None:
        errors.append(ErrorItem(("body", "grantee_organization_id"), "no such organisation"))
    if expires_at is not None and expires_at <= utcnow():
        errors.append(ErrorItem(("body", "expires_at"), "must be in the future"))
    if errors:
        raise InvalidInput("The grant cannot be made.", errors=errors)


def _new_grant(
    session: Session,
    principal: Principal,
    *,
    subject_kind: str,
    subject_id: uuid.UUID,
    audit_subject: str,
    grantee_id: uuid.UUID,
    expires_at: datetime | None,
) -> SharingGrant:
    _check_grant_input(session, grantee_id=grantee_id, expires_at=expires_at)
    grant = SharingGrant(
        grantor_organization_id=principal.organization_id,
        grantee_organization_id=grantee_id,
        subject_kind=subject_kind,
        subject_id=subject_id,
        expires_at=expires_at,
        created_at=utcnow(),
    )
    session.add(grant)
    session.flush()
    audit.record(
        session,
        principal,
        action="sharing_grant.created",
        subject_kind=subject_kind,
        subject_id=audit_subject,
        details={"grant_id": str(grant.id), "grantee": str(grantee_id), "expires_at": _iso(expires_at)},
    )
    return grant


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _revoke(
    session: Session, principal: Principal, grants: Sequence[SharingGrant], *, grant_id: uuid.UUID, audit_subject: str
) -> SharingGrant:
    grant = next((g for g in grants if g.id == grant_id), None)
    if grant is None:
        raise NotFound(f"No grant {grant_id} here.")
    if grant.revoked_at is None:
        grant.revoked_at = utcnow()
        session.flush()
        audit.record(
            session,
            principal,
            action="sharing_grant.revoked",
            subject_kind=grant.subject_kind,
            subject_id=audit_subject,
            details={"grant_id": str(grant.id), "grantee": str(grant.grantee_organization_id)},
        )
    return grant


# One assessment ------------------------------------------------------------------------------


def _shareable_assessment(session: Session, principal: Principal, public_id: str) -> Assessment:
    assessment = get_assessment_or_raise(session, principal, public_id=public_id)
    owner = repository.subject_owner(session, assessment)
    if not may_share_assessment(principal, subject_owner_id=owner, uploaded_by=assessment.uploaded_by_organization_id):
        raise PermissionDenied("Only the subject's owner (or, while unclaimed, the uploader) manages its grants.")
    return assessment


def grant_assessment(
    session: Session, principal: Principal, *, public_id: str, grantee_id: uuid.UUID, expires_at: datetime | None
) -> SharingGrant:
    """Let ``grantee_id`` read one assessment, until ``expires_at`` if given."""
    assessment = _shareable_assessment(session, principal, public_id)
    return _new_grant(
        session,
        principal,
        subject_kind=ASSESSMENT_GRANT,
        subject_id=assessment.id,
        audit_subject=assessment.public_id,
        grantee_id=grantee_id,
        expires_at=expires_at,
    )


def assessment_grants(session: Session, principal: Principal, *, public_id: str) -> Sequence[SharingGrant]:
    """Every grant on one assessment, revoked and expired ones included (the owner's record)."""
    assessment = _shareable_assessment(session, principal, public_id)
    return repository.grants_on(session, subject_kind=ASSESSMENT_GRANT, subject_id=assessment.id)


def revoke_assessment_grant(
    session: Session, principal: Principal, *, public_id: str, grant_id: uuid.UUID
) -> SharingGrant:
    """Revoke one grant on an assessment (again: no change)."""
    assessment = _shareable_assessment(session, principal, public_id)
    grants = repository.grants_on(session, subject_kind=ASSESSMENT_GRANT, subject_id=assessment.id)
    return _revoke(session, principal, grants, grant_id=grant_id, audit_subject=assessment.public_id)


# Every assessment of a subject ---------------------------------------------------------------


def _owned_subject(session: Session, principal: Principal, public_id: str) -> StoredSubject:
    subject = resolve_subject_or_raise(session, principal, public_id=public_id)
    if not may_share_subject_assessments(principal, subject_owner_id=subject.owner_organization_id):
        raise PermissionDenied("Only the owner of a facility or recruiter grants access to all its assessments.")
    return subject


def grant_subject(
    session: Session, principal: Principal, *, public_id: str, grantee_id: uuid.UUID, expires_at: datetime | None
) -> SharingGrant:
    """Let ``grantee_id`` read every assessment of a subject the principal owns."""
    subject = _owned_subject(session, principal, public_id)
    return _new_grant(
        session,
        principal,
        subject_kind=subject.kind.value,
        subject_id=subject.id,
        audit_subject=subject.public_id,
        grantee_id=grantee_id,
        expires_at=expires_at,
    )


def subject_grants(session: Session, principal: Principal, *, public_id: str) -> Sequence[SharingGrant]:
    subject = _owned_subject(session, principal, public_id)
    return repository.grants_on(session, subject_kind=subject.kind.value, subject_id=subject.id)


def revoke_subject_grant(
    session: Session, principal: Principal, *, public_id: str, grant_id: uuid.UUID
) -> SharingGrant:
    subject = _owned_subject(session, principal, public_id)
    grants = repository.grants_on(session, subject_kind=subject.kind.value, subject_id=subject.id)
    return _revoke(session, principal, grants, grant_id=grant_id, audit_subject=subject.public_id)


def grant_in_force(grant: SharingGrant, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return grant.revoked_at is None and (grant.expires_at is None or grant.expires_at > now)


def active_grant_exists(session: Session, *, grantee_id: uuid.UUID, subject_kind: str, subject_id: uuid.UUID) -> bool:
    grants = repository.grants_on(session, subject_kind=subject_kind, subject_id=subject_id)
    return any(g.grantee_organization_id == grantee_id and grant_in_force(g) for g in grants)
