"""The audit trail, for platform operators (and each organisation's own actions)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep, principal_with
from api.problems import PROBLEM_RESPONSES
from core.principal import Principal
from core.text import NO_NUL_PATTERN
from policies import service as policies_service
from policies.schemas import AuditEventPage, AuditEventRead
from policies.scopes import ApiScope

#: Sequence numbers are BIGINT; a larger value would be a database error, not "no more events".
MAX_SEQ = 2**63 - 1

router = APIRouter(prefix="/audit-events", tags=["audit"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=AuditEventPage, summary="Read the audit trail")
def list_audit_events(
    session: SessionDep,
    principal: Annotated[Principal, principal_with(ApiScope.admin)],
    after_seq: Annotated[int, Query(ge=0, le=MAX_SEQ, description="Return events after this sequence number")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    action: Annotated[str | None, Query(max_length=64, pattern=NO_NUL_PATTERN, description="Only this action")] = None,
) -> AuditEventPage:
    """Events oldest first; page with `after_seq` = the previous page's `next_after_seq`.
    Needs the `admin` scope; platform operators see every event, others their own."""
    events = policies_service.list_audit_events(session, principal, after_seq=after_seq, limit=limit, action=action)
    items = [AuditEventRead.model_validate(e) for e in events]
    next_after = items[-1].seq if len(items) == limit else None
    return AuditEventPage(items=items, next_after_seq=next_after)
