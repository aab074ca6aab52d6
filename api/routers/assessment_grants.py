"""Owner-controlled sharing: grants on one assessment, or on every assessment of a subject."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, status

from api.deps import SessionDep, principal_with
from api.problems import PROBLEM_RESPONSES
from api.routers.assessments import AssessmentId
from api.routers.facilities import FacilityId
from api.routers.recruiters import RecruiterId
from core.principal import Principal
from ingest.assessments import sharing
from ingest.assessments.schemas import GrantCreate, GrantRead
from policies.models import SharingGrant
from policies.scopes import ApiScope

router = APIRouter(tags=["assessment sharing"], responses=PROBLEM_RESPONSES)

Writer = Annotated[Principal, principal_with(ApiScope.assessments_write)]
GrantId = Annotated[uuid.UUID, Path(description="Id of the sharing grant")]


def _read(grant: SharingGrant) -> GrantRead:
    return GrantRead(
        id=grant.id,
        subject_kind=grant.subject_kind,
        grantor_organization_id=grant.grantor_organization_id,
        grantee_organization_id=grant.grantee_organization_id,
        created_at=grant.created_at,
        expires_at=grant.expires_at,
        revoked_at=grant.revoked_at,
        in_force=sharing.grant_in_force(grant),
    )


@router.post(
    "/assessments/{assessment_id}/grants",
    response_model=GrantRead,
    status_code=status.HTTP_201_CREATED,
    summary="Share one assessment",
)
def grant_assessment(
    session: SessionDep, principal: Writer, assessment_id: AssessmentId, body: GrantCreate
) -> GrantRead:
    """Let an organisation read this assessment, optionally until `expires_at`. By the subject's
    owner, or while the subject is unclaimed by the organisation that uploaded it (403 for other
    readers; 404 if you cannot read the assessment)."""
    grant = sharing.grant_assessment(
        session, principal, public_id=assessment_id, grantee_id=body.grantee_organization_id, expires_at=body.expires_at
    )
    return _read(grant)


@router.get("/assessments/{assessment_id}/grants", response_model=list[GrantRead], summary="Grants on one assessment")
def list_assessment_grants(session: SessionDep, principal: Writer, assessment_id: AssessmentId) -> list[GrantRead]:
    """Every grant on this assessment, revoked and expired ones included (`in_force` says which work now)."""
    return [_read(g) for g in sharing.assessment_grants(session, principal, public_id=assessment_id)]


@router.delete(
    "/assessments/{assessment_id}/grants/{grant_id}",
    response_model=GrantRead,
    summary="Revoke a grant on an assessment",
)
def revoke_assessment_grant(
    session: SessionDep, principal: Writer, assessment_id: AssessmentId, grant_id: GrantId
) -> GrantRead:
    """Revoke a grant: the grantee's next request no longer sees the assessment. Revoking twice changes nothing."""
    return _read(sharing.revoke_assessment_grant(session, principal, public_id=assessment_id, grant_id=grant_id))


@router.post(
    "/facilities/{facility_id}/assessment-grants",
    response_model=GrantRead,
    status_code=status.HTTP_201_CREATED,
    summary="Share every assessment of a facility",
)
def grant_facility(session: SessionDep, principal: Writer, facility_id: FacilityId, body: GrantCreate) -> GrantRead:
    """Let an organisation read every assessment of this facility, present and future, optionally
    until `expires_at`. Only the facility's owner (the supplier whose claim was approved)."""
    grant = sharing.grant_subject(
        session, principal, public_id=facility_id, grantee_id=body.grantee_organization_id, expires_at=body.expires_at
    )
    return _read(grant)


@router.get(
    "/facilities/{facility_id}/assessment-grants",
    response_model=list[GrantRead],
    summary="Grants on a facility's assessments",
)
def list_facility_grants(session: SessionDep, principal: Writer, facility_id: FacilityId) -> list[GrantRead]:
    """Every facility-wide grant, revoked and expired ones included. The facility's owner only."""
    return [_read(g) for g in sharing.subject_grants(session, principal, public_id=facility_id)]


@router.delete(
    "/facilities/{facility_id}/assessment-grants/{grant_id}",
    response_model=GrantRead,
    summary="Revoke a facility-wide grant",
)
def revoke_facility_grant(
    session: SessionDep, principal: Writer, facility_id: FacilityId, grant_id: GrantId
) -> GrantRead:
    """Revoke a facility-wide grant; it stops working on the grantee's next request."""
    return _read(sharing.revoke_subject_grant(session, principal, public_id=facility_id, grant_id=grant_id))


@router.post(
    "/recruiters/{recruiter_id}/assessment-grants",
    response_model=GrantRead,
    status_code=status.HTTP_201_CREATED,
    summary="Share every assessment of a recruiter",
)
def grant_recruiter(session: SessionDep, principal: Writer, recruiter_id: RecruiterId, body: GrantCreate) -> GrantRead:
    """Let an organisation read every assessment of this recruiter, present and future, optionally
    until `expires_at`. Only the recruiter organisation that owns the record."""
    grant = sharing.grant_subject(
        session, principal, public_id=recruiter_id, grantee_id=body.grantee_organization_id, expires_at=body.expires_at
    )
    return _read(grant)


@router.get(
    "/recruiters/{recruiter_id}/assessment-grants",
    response_model=list[GrantRead],
    summary="Grants on a recruiter's assessments",
)
def list_recruiter_grants(session: SessionDep, principal: Writer, recruiter_id: RecruiterId) -> list[GrantRead]:
    """Every recruiter-wide grant, revoked and expired ones included. The recruiter's owner only."""
    return [_read(g) for g in sharing.subject_grants(session, principal, public_id=recruiter_id)]


@router.delete(
    "/recruiters/{recruiter_id}/assessment-grants/{grant_id}",
    response_model=GrantRead,
    summary="Revoke a recruiter-wide grant",
)
def revoke_recruiter_grant(
    session: SessionDep, principal: Writer, recruiter_id: RecruiterId, grant_id: GrantId
) -> GrantRead:
    """Revoke a recruiter-wide grant; it stops working on the grantee's next request."""
    return _read(sharing.revoke_subject_grant(session, principal, public_id=recruiter_id, grant_id=grant_id))
