"""Access requests: a member asks the data owner to read one assessment or a subject's assessments.

- By assessment public id: the requester learned the id out of band (a supplier quoted it, an
  audit report printed it). Ids carry 40 random bits, so answering "no such assessment" vs
  "request filed" reveals nothing a guesser could use. The decider is the subject's owner, or the
  uploader while the subject is unclaimed.
- By facility / recruiter public id (visible in the registry): the decider is the subject's owner;
  an unclaimed subject has nobody to ask for all its assessments (409: ask for one assessment).
- Approval creates the grant (the decider is its grantor); denial records the decision. Only the
  requester and the decider can see a request.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, ErrorItem, InvalidInput, NotFound, PermissionDenied
from core.principal import Principal
from graph import public_ids
from ingest.assessments import repository, sharing
from ingest.assessments.models import AccessRequest, AccessRequestStatus
from ingest.assessments.storage import ASSESSMENT_PREFIX
from ingest.assessments.subjects import resolve_subject_or_raise
from policies import audit
from policies.models import SharingGrant
from policies.visibility import ASSESSMENT_GRANT, assessment_read_scope


class Direction(StrEnum):
    incoming = "incoming"  # requests the caller's organisation decides
    outgoing = "outgoing"  # requests the caller's organisation made


def _target_assessment(session: Session, principal: Principal, public_id: str) -> tuple[str, uuid.UUID, str, uuid.UUID]:
    canonical = public_ids.parse_public_id(public_id, ASSESSMENT_PREFIX)
    assessment = repository.by_public_id_unscoped(session, canonical) if canonical else None
    if assessment is None:
        raise NotFound(f"No assessment {public_id}.")
    scope = assessment_read_scope(principal, now=utcnow())
    if repository.by_public_id(session, scope, assessment.public_id) is not None:
        raise Conflict("Your organisation can already read this assessment.")
    owner = repository.subject_owner(session, assessment)
    decider = owner if owner is not None else assessment.uploaded_by_organization_id
    return ASSESSMENT_GRANT, assessment.id, assessment.public_id, decider


def _target_subject(session: Session, principal: Principal, public_id: str) -> tuple[str, uuid.UUID, str, uuid.UUID]:
    subject = resolve_subject_or_raise(session, principal, public_id=public_id)
    if subject.owner_organization_id is None:
        raise Conflict("Nobody has claimed this subject yet: ask for one of its assessments instead.")
    if subject.owner_organization_id == principal.organization_id:
        raise Conflict("Your organisation owns this subject.")
    return subject.kind.value, subject.id, subject.public_id, subject.owner_organization_id


def request_access(
    session: Session, principal: Principal, *, assessment: str | None, subject: str | None, message: str | None
) -> tuple[AccessRequest, bool]:
    """File a request (or return the caller's pending one for the same target). Returns it and
    whether it was created now."""
    if (assessment is None) == (subject is None):  # after this, exactly one is given
        raise InvalidInput(
            "Name either an assessment or a subject.",
            errors=[ErrorItem(("body", "assessment"), "give exactly one of assessment and subject")],
        )
    if assessment is not None:
        kind, target_id, target_public_id, decider = _target_assessment(session, principal, assessment)
    elif subject is not None:
        kind, target_id, target_public_id, decider = _target_subject(session, principal, subject)
    pending = session.scalars(
        sa.select(AccessRequest).where(
            AccessRequest.requester_organization_id == principal.organization_id,
            AccessRequest.subject_kind == kind,
            AccessRequest.subject_id == target_id,
            AccessRequest.status == AccessRequestStatus.pending,
        )
    ).first()
    if pending is not None:
        return pending, False
    request = AccessRequest(
        requester_organization_id=principal.organization_id,
        decider_organization_id=decider,
        subject_kind=kind,
        subject_id=target_id,
        subject_public_id=target_public_id,
        message=message,
        created_at=utcnow(),
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        principal,
        action="access_request.created",
        subject_kind=kind,
        subject_id=target_public_id,
        details={"access_request_id": str(request.id)},
    )
    return request, True


def _involving(principal: Principal) -> sa.ColumnElement[bool]:
    org = principal.organization_id
    return sa.or_(AccessRequest.requester_organization_id == org, AccessRequest.decider_organization_id == org)


def list_requests(
    session: Session, principal: Principal, *, direction: Direction, status: AccessRequestStatus | None
) -> Sequence[AccessRequest]:
    """The caller's incoming or outgoing requests, oldest first (at most 1,000)."""
    org = principal.organization_id
    column = (
        AccessRequest.decider_organization_id
        if direction is Direction.incoming
        else AccessRequest.requester_organization_id
    )
    stmt = sa.select(AccessRequest).where(column == org)
    if status is not None:
        stmt = stmt.where(AccessRequest.status == status)
    return session.scalars(stmt.order_by(AccessRequest.id).limit(1000)).all()


def get_request_or_raise(session: Session, principal: Principal, *, request_id: uuid.UUID) -> AccessRequest:
    request = session.scalars(
        sa.select(AccessRequest).where(AccessRequest.id == request_id, _involving(principal))
    ).first()
    if request is None:
        raise NotFound(f"No access request {request_id}.")
    return request


def decide(
    session: Session,
    principal: Principal,
    *,
    request_id: uuid.UUID,
    approve: bool,
    expires_at: datetime | None,
) -> AccessRequest:
    """Approve (a grant to the requester, until ``expires_at`` if given) or deny; the decider only."""
    request = get_request_or_raise(session, principal, request_id=request_id)
    if request.decider_organization_id != principal.organization_id:
        raise PermissionDenied("Only the data owner decides this request.")
    if request.status is not AccessRequestStatus.pending:
        raise Conflict(f"This request was already {request.status.value}.")
    if approve:
        grant = _grant_for(session, principal, request, expires_at)
        request.grant_id = grant.id
    request.status = AccessRequestStatus.approved if approve else AccessRequestStatus.denied
    request.decided_at = utcnow()
    session.flush()
    audit.record(
        session,
        principal,
        action=f"access_request.{request.status.value}",
        subject_kind=request.subject_kind,
        subject_id=request.subject_public_id,
        details={"access_request_id": str(request.id), "requester": str(request.requester_organization_id)},
    )
    return request


def _grant_for(
    session: Session, principal: Principal, request: AccessRequest, expires_at: datetime | None
) -> SharingGrant:
    if request.subject_kind == ASSESSMENT_GRANT:
        return sharing.grant_assessment(
            session,
            principal,
            public_id=request.subject_public_id,
            grantee_id=request.requester_organization_id,
            expires_at=expires_at,
        )
    return sharing.grant_subject(
        session,
        principal,
        public_id=request.subject_public_id,
        grantee_id=request.requester_organization_id,
        expires_at=expires_at,
    )
