"""Corrective actions: status updates with history, and the overdue list."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session, selectinload

from core.clock import utcnow
from core.errors import NotFound, PermissionDenied
from core.principal import Principal
from graph.cursors import decode_cursor, encode_cursor
from ingest.assessments import events, repository
from ingest.assessments.models import CorrectiveAction, CorrectiveActionEvent
from ingest.canonical import ActionStatus
from policies import audit
from policies.visibility import assessment_read_scope, may_update_corrective_action

MAX_PAGE = 200


def get_action_or_raise(session: Session, principal: Principal, *, action_id: uuid.UUID) -> CorrectiveAction:
    """A corrective action of a visible assessment; NotFound otherwise."""
    scope = assessment_read_scope(principal, now=utcnow())
    stmt = repository.readable_actions(scope).where(CorrectiveAction.id == action_id)
    action = session.scalars(stmt.options(selectinload(CorrectiveAction.events))).first()
    if action is None:
        raise NotFound(f"No corrective action {action_id}.")
    return action


def update_status(
    session: Session, principal: Principal, *, action_id: uuid.UUID, status: ActionStatus, note: str | None
) -> CorrectiveAction:
    """Set a new status (kept in the history); by the subject's owner or the assessor organisation."""
    action = get_action_or_raise(session, principal, action_id=action_id)
    assessment = action.assessment
    assessors = {i for i in (assessment.assessor_organization_id, assessment.uploaded_by_organization_id) if i}
    owner = repository.subject_owner(session, assessment)
    if not may_update_corrective_action(principal, subject_owner_id=owner, assessor_ids=assessors):
        raise PermissionDenied("Only the subject's owner or the assessor updates corrective actions.")
    now = utcnow()
    previous = action.status
    action.status = status
    action.updated_at = now
    action.events.append(
        CorrectiveActionEvent(status=status, note=note, organization_id=principal.organization_id, occurred_at=now)
    )
    session.flush()
    audit.record(
        session,
        principal,
        action="corrective_action.updated",
        subject_kind="assessment",
        subject_id=assessment.public_id,
        details={"corrective_action_id": str(action.id), "from": previous.value, "to": status.value},
    )
    if status is not previous:  # an open action keeps its finding at full weight
        events.submit_assessment_stored(session, assessment)
    return action


def list_overdue(
    session: Session, principal: Principal, *, today: date | None = None, cursor: str | None = None, limit: int = 50
) -> tuple[Sequence[CorrectiveAction], str | None]:
    """Visible open or in-progress actions past their due date (current assessments), by id."""
    limit = min(limit, MAX_PAGE)
    scope = assessment_read_scope(principal, now=utcnow())
    stmt = repository.overdue(scope, today or utcnow().date())
    if cursor:
        stmt = stmt.where(CorrectiveAction.id > decode_cursor(cursor))
    stmt = stmt.options(selectinload(CorrectiveAction.events)).order_by(CorrectiveAction.id).limit(limit + 1)
    rows = session.scalars(stmt).all()
    items = rows[:limit]
    return items, (encode_cursor(items[-1].id) if len(rows) > limit and items else None)
