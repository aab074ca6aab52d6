"""Claims: a supplier asks to own a facility's data rights; a platform operator decides.

Once approved, the owner's statements win over other members' (graph/provenance.py) and, in
the assessment exchange, the owner grants who may read the site's assessments.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, NotFound, PermissionDenied
from core.principal import Principal
from graph import repository
from graph import service as graph_service
from graph.models import ClaimStatus, FacilityClaim
from policies import audit
from policies.visibility import claim_read_scope, may_claim_facilities, may_decide_claims

SUPERSEDED_NOTE = "Another claim for this facility was approved."


def request_claim(
    session: Session, principal: Principal, *, public_id: str, evidence: str | None
) -> tuple[FacilityClaim, bool]:
    """File a claim (or return the caller's pending one: asking twice is not two claims).
    Returns the claim and whether it was created now."""
    facility = graph_service.get_facility_or_raise(session, principal, public_id=public_id).facility
    if not may_claim_facilities(principal):
        raise PermissionDenied("Only supplier organisations can claim a facility.")
    if facility.owner_organization_id is not None:
        raise Conflict("This facility has already been claimed.")
    for claim in repository.pending_claims_of(session, facility.id):
        if claim.claimant_organization_id == principal.organization_id:
            return claim, False
    claim = FacilityClaim(
        facility_id=facility.id, claimant_organization_id=principal.organization_id, evidence=evidence
    )
    session.add(claim)
    session.flush()
    audit.record(
        session, principal, action="facility_claim.requested", subject_kind="facility", subject_id=facility.public_id
    )
    return claim, True


def get_claim_or_raise(session: Session, principal: Principal, *, claim_id: uuid.UUID) -> FacilityClaim:
    stmt = repository.readable_claims(claim_read_scope(principal)).where(FacilityClaim.id == claim_id)
    claim = session.scalars(stmt).first()
    if claim is None:
        raise NotFound(f"No facility claim {claim_id}.")
    return claim


def list_claims(session: Session, principal: Principal, *, status: ClaimStatus | None) -> Sequence[FacilityClaim]:
    stmt = repository.readable_claims(claim_read_scope(principal))
    if status is not None:
        stmt = stmt.where(FacilityClaim.status == status)
    return session.scalars(stmt.order_by(FacilityClaim.created_at).limit(1000)).all()


def decide_claim(
    session: Session, principal: Principal, *, claim_id: uuid.UUID, approve: bool, note: str | None
) -> FacilityClaim:
    """Approve (the claimant becomes the owner; other pending claims are closed) or reject."""
    claim = get_claim_or_raise(session, principal, claim_id=claim_id)
    if not may_decide_claims(principal):
        raise PermissionDenied("Only platform operators decide facility claims.")
    if claim.status is not ClaimStatus.pending:
        raise Conflict(f"This claim was already {claim.status.value}.")
    now = utcnow()
    _close(claim, principal, ClaimStatus.approved if approve else ClaimStatus.rejected, note, now)
    if approve:
        for other in repository.pending_claims_of(session, claim.facility_id):
            if other.id != claim.id:
                _close(other, principal, ClaimStatus.rejected, SUPERSEDED_NOTE, now)
        graph_service.set_owner(session, claim.facility, owner=claim.claimant_organization_id)
    session.flush()
    audit.record(
        session,
        principal,
        action=f"facility_claim.{claim.status.value}",
        subject_kind="facility",
        subject_id=claim.facility.public_id,
        details={"claim_id": str(claim.id), "claimant": str(claim.claimant_organization_id)},
    )
    return claim


def _close(claim: FacilityClaim, principal: Principal, status: ClaimStatus, note: str | None, now: datetime) -> None:
    claim.status = status
    claim.decided_at = now
    claim.decided_by_organization_id = principal.organization_id
    claim.decision_note = note
