"""Facility claims: suppliers ask to own a site's data; platform operators decide."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import SessionDep, principal_with
from api.problems import PROBLEM_RESPONSES
from api.routers.facilities import FacilityId
from core.principal import Principal
from graph import claims
from graph.models import ClaimStatus, FacilityClaim
from graph.schemas import ClaimCreate, ClaimDecision, ClaimRead
from policies.scopes import ApiScope

router = APIRouter(tags=["facility claims"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, principal_with(ApiScope.graph_read)]
Writer = Annotated[Principal, principal_with(ApiScope.graph_write)]
Operator = Annotated[Principal, principal_with(ApiScope.admin)]


def _read(claim: FacilityClaim) -> ClaimRead:
    return ClaimRead(
        id=claim.id,
        facility_id=claim.facility.public_id,
        claimant_organization_id=claim.claimant_organization_id,
        status=claim.status.value,
        evidence=claim.evidence,
        created_at=claim.created_at,
        decided_at=claim.decided_at,
        decision_note=claim.decision_note,
    )


@router.post(
    "/facilities/{facility_id}/claims",
    response_model=ClaimRead,
    status_code=status.HTTP_201_CREATED,
    summary="Claim a facility",
    responses={200: {"model": ClaimRead, "description": "Your pending claim already existed"}},
)
def request_claim(
    session: SessionDep, principal: Writer, facility_id: FacilityId, body: ClaimCreate, response: Response
) -> ClaimRead:
    """A supplier organisation asks to own the site's data rights. Claiming again while your claim
    is pending returns it (200). Other organisation kinds get 403; a claimed site is a 409."""
    claim, created = claims.request_claim(session, principal, public_id=facility_id, evidence=body.evidence)
    if not created:
        response.status_code = status.HTTP_200_OK
    return _read(claim)


@router.get("/facility-claims", response_model=list[ClaimRead], summary="Facility claims you may see")
def list_claims(
    session: SessionDep, principal: Reader, status_filter: Annotated[ClaimStatus | None, Query(alias="status")] = None
) -> list[ClaimRead]:
    """Your organisation's claims; platform operators see every claim (at most 1,000, oldest first)."""
    return [_read(c) for c in claims.list_claims(session, principal, status=status_filter)]


@router.get("/facility-claims/{claim_id}", response_model=ClaimRead, summary="One facility claim")
def get_claim(session: SessionDep, principal: Reader, claim_id: uuid.UUID) -> ClaimRead:
    """A claim of your organisation (or any, for platform operators); others are 404."""
    return _read(claims.get_claim_or_raise(session, principal, claim_id=claim_id))


@router.post("/facility-claims/{claim_id}/decision", response_model=ClaimRead, summary="Approve or reject a claim")
def decide_claim(session: SessionDep, principal: Operator, claim_id: uuid.UUID, body: ClaimDecision) -> ClaimRead:
    """Platform operators only. Approving makes the claimant the site's owner and closes the other
    pending claims for it; a claim already decided is a 409."""
    claim = claims.decide_claim(
        session, principal, claim_id=claim_id, approve=body.decision == "approve", note=body.note
    )
    return _read(claim)
