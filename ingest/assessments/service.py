"""Reading stored assessments: lists, one assessment with findings and actions, counts.

Every query goes through ``policies.visibility.assessment_read_scope`` evaluated at the request's
``now``: a revoked or expired grant stops working on the next request. A read that only a grant
allows is written to the audit trail.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import NotFound
from core.principal import Principal
from graph import public_ids
from graph.cursors import decode_cursor, encode_cursor
from ingest.assessments import repository
from ingest.assessments.models import Assessment
from ingest.assessments.storage import ASSESSMENT_PREFIX
from ingest.assessments.subjects import resolve_subject_or_raise
from policies import audit
from policies.visibility import assessment_read_scope, is_platform_operator

MAX_PAGE = 200


def get_assessment_or_raise(
    session: Session, principal: Principal, *, public_id: str, now: datetime | None = None
) -> Assessment:
    """The assessment (findings and corrective actions loaded); NotFound when unknown or not visible."""
    canonical = public_ids.parse_public_id(public_id, ASSESSMENT_PREFIX)
    scope = assessment_read_scope(principal, now=now or utcnow())
    assessment = repository.by_public_id(session, scope, canonical) if canonical else None
    if assessment is None:
        raise NotFound(f"No assessment {public_id}.")
    return assessment


def read_assessment(session: Session, principal: Principal, *, public_id: str) -> Assessment:
    """``get_assessment_or_raise`` for a reader: a read allowed only by a grant is audited."""
    assessment = get_assessment_or_raise(session, principal, public_id=public_id)
    if reads_by_grant(session, principal, assessment):
        audit.record(
            session,
            principal,
            action="assessment.read",
            subject_kind="assessment",
            subject_id=assessment.public_id,
            details={"reason": "sharing_grant"},
        )
    return assessment


def reads_by_grant(session: Session, principal: Principal, assessment: Assessment) -> bool:
    """Does the principal see this assessment only because it was granted (not its own data)?"""
    org = principal.organization_id
    if is_platform_operator(principal) or org in (
        assessment.uploaded_by_organization_id,
        assessment.assessor_organization_id,
    ):
        return False
    return repository.subject_owner(session, assessment) != org


def _filters_for(
    session: Session, principal: Principal, filters: repository.AssessmentFilters, subject: str | None
) -> repository.AssessmentFilters:
    if subject is None:
        return filters
    resolved = resolve_subject_or_raise(session, principal, public_id=subject)
    return dataclasses.replace(filters, subject_id=resolved.id)


def list_assessments(
    session: Session,
    principal: Principal,
    *,
    filters: repository.AssessmentFilters,
    subject: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[Assessment], str | None]:
    """A page of visible assessments (oldest first) and the cursor of the next page, if any."""
    limit = min(limit, MAX_PAGE)
    filters = _filters_for(session, principal, filters, subject)
    stmt = repository.apply_filters(
        repository.readable_assessments(assessment_read_scope(principal, now=utcnow())), filters
    )
    after = decode_cursor(cursor) if cursor else None
    rows = repository.page(session, stmt, after=after, limit=limit + 1)
    items = rows[:limit]
    return items, (encode_cursor(items[-1].id) if len(rows) > limit and items else None)


@dataclasses.dataclass(frozen=True, slots=True)
class AssessmentCounts:
    assessments: int
    findings: int
    corrective_actions: int


def count_assessments(
    session: Session, principal: Principal, *, filters: repository.AssessmentFilters, subject: str | None = None
) -> AssessmentCounts:
    """How many visible assessments match the filters, and how many findings and actions they hold."""
    filters = _filters_for(session, principal, filters, subject)
    scope = assessment_read_scope(principal, now=utcnow())
    stmt = repository.apply_filters(repository.readable_assessments(scope), filters)
    return AssessmentCounts(*repository.counts(session, stmt))
