"""Corrective actions of assessments: status updates with history, and what is overdue."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SessionDep, principal_with
from api.problems import PROBLEM_RESPONSES
from api.routers.facilities import CURSOR_PATTERN
from core.principal import Principal
from ingest.assessments import corrective_actions
from ingest.assessments.schemas import (
    CorrectiveActionPage,
    CorrectiveActionRead,
    CorrectiveActionUpdate,
    action_read,
)
from policies.scopes import ApiScope

router = APIRouter(prefix="/corrective-actions", tags=["assessments"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, principal_with(ApiScope.assessments_read)]
Writer = Annotated[Principal, principal_with(ApiScope.assessments_write)]


@router.get("/overdue", response_model=CorrectiveActionPage, summary="Overdue corrective actions")
def list_overdue(
    session: SessionDep,
    principal: Reader,
    cursor: Annotated[str | None, Query(max_length=64, pattern=CURSOR_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CorrectiveActionPage:
    """Open or in-progress actions past their due date, of the current assessments you may read."""
    items, next_cursor = corrective_actions.list_overdue(session, principal, cursor=cursor, limit=limit)
    return CorrectiveActionPage(items=[action_read(a, a.assessment.public_id) for a in items], next_cursor=next_cursor)


@router.patch("/{action_id}", response_model=CorrectiveActionRead, summary="Update a corrective action's status")
def update_corrective_action(
    session: SessionDep, principal: Writer, action_id: uuid.UUID, body: CorrectiveActionUpdate
) -> CorrectiveActionRead:
    """Set `open`, `progress` or `closed` (with an optional note); every change is kept in `history`.
    By the subject's owner or the assessor organisation (403 for other readers; 404 if you cannot
    read the assessment)."""
    action = corrective_actions.update_status(
        session, principal, action_id=action_id, status=body.status, note=body.note
    )
    return action_read(action, action.assessment.public_id)
