"""Access requests: a member asks the data owner for an assessment or a subject's assessments."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from api.deps import SessionDep, principal_with
from api.problems import PROBLEM_RESPONSES
from core.principal import Principal
from ingest.assessments import access_requests
from ingest.assessments.models import AccessRequestStatus
from ingest.assessments.schemas import AccessRequestCreate, AccessRequestDecision, AccessRequestRead
from policies.scopes import ApiScope

router = APIRouter(prefix="/access-requests", tags=["assessment sharing"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, principal_with(ApiScope.assessments_read)]
Writer = Annotated[Principal, principal_with(ApiScope.assessments_write)]


@router.post(
    "",
    response_model=AccessRequestRead,
    status_code=status.HTTP_201_CREATED,
    summary="Ask for access to assessments",
    responses={200: {"model": AccessRequestRead, "description": "Your pending request already existed"}},
)
def request_access(
    session: SessionDep, principal: Reader, body: AccessRequestCreate, response: Response
) -> AccessRequestRead:
    """Ask the data owner to let your organisation read one assessment (`assessment`, a public id
    you were given) or every assessment of a facility or recruiter (`subject`). The owner decides;
    while a subject is unclaimed, the uploader of the assessment decides, and a subject-wide
    request is a 409. Asking again while pending returns the pending request (200)."""
    request, created = access_requests.request_access(
        session, principal, assessment=body.assessment, subject=body.subject, message=body.message
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return AccessRequestRead.model_validate(request)


@router.get("", response_model=list[AccessRequestRead], summary="Your access requests")
def list_access_requests(
    session: SessionDep,
    principal: Reader,
    direction: access_requests.Direction = access_requests.Direction.incoming,
    status_filter: Annotated[AccessRequestStatus | None, Query(alias="status")] = None,
) -> list[AccessRequestRead]:
    """Requests your organisation decides (`incoming`) or made (`outgoing`), oldest first (at most 1,000)."""
    found = access_requests.list_requests(session, principal, direction=direction, status=status_filter)
    return [AccessRequestRead.model_validate(r) for r in found]


@router.post("/{request_id}/decision", response_model=AccessRequestRead, summary="Approve or deny a request")
def decide_access_request(
    session: SessionDep, principal: Writer, request_id: uuid.UUID, body: AccessRequestDecision
) -> AccessRequestRead:
    """The data owner approves (a grant to the requester, until `expires_at` if given) or denies.
    The requester gets 403; anyone else 404; a decided request is a 409."""
    request = access_requests.decide(
        session, principal, request_id=request_id, approve=body.decision == "approve", expires_at=body.expires_at
    )
    return AccessRequestRead.model_validate(request)
