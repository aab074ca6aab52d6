"""Every SQL statement of stored assessments; the builders take a policies scope object."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import ColumnElement

from graph.models import Facility, Recruiter
from ingest.assessments.models import Assessment, CorrectiveAction, Finding
from ingest.canonical import ActionStatus, Modality, Scheme, Severity, SubjectKind, Topic
from policies.models import SharingGrant
from policies.visibility import ASSESSMENT_GRANT, AssessmentReadScope, granted_subject_ids


def _owned_subjects(scope: AssessmentReadScope) -> ColumnElement[bool]:
    org = scope.organization_id
    return sa.or_(
        Assessment.facility_id.in_(sa.select(Facility.id).where(Facility.owner_organization_id == org)),
        Assessment.recruiter_id.in_(sa.select(Recruiter.id).where(Recruiter.owner_organization_id == org)),
    )


def visible_assessments(scope: AssessmentReadScope) -> ColumnElement[bool]:
    """The SQL form of ``AssessmentReadScope``: the same on both dialects."""
    if scope.all_assessments:
        return sa.true()
    org = scope.organization_id
    return sa.or_(
        Assessment.uploaded_by_organization_id == org,
        Assessment.assessor_organization_id == org,
        _owned_subjects(scope),
        Assessment.id.in_(granted_subject_ids(scope, ASSESSMENT_GRANT)),
        Assessment.facility_id.in_(granted_subject_ids(scope, SubjectKind.facility.value)),
        Assessment.recruiter_id.in_(granted_subject_ids(scope, SubjectKind.recruiter.value)),
    )


def readable_assessments(scope: AssessmentReadScope) -> sa.Select[Assessment]:
    return sa.select(Assessment).where(visible_assessments(scope))


@dataclass(frozen=True, slots=True)
class AssessmentFilters:
    subject_id: uuid.UUID | None = None
    scheme: Scheme | None = None
    modality: Modality | None = None
    status: str | None = None
    period_from: date | None = None  # assessed periods ending on or after
    period_to: date | None = None  # assessed periods starting on or before
    topic: Topic | None = None  # has a finding on this topic
    severity: Severity | None = None  # has a finding at least this severe
    include_superseded: bool = False


def _finding_filter(filters: AssessmentFilters) -> ColumnElement[bool] | None:
    conditions: list[ColumnElement[bool]] = []
    if filters.topic is not None:
        conditions.append(Finding.topic == filters.topic)
    if filters.severity is not None:
        at_least = [s for s in Severity if s.rank >= filters.severity.rank]
        conditions.append(Finding.severity.in_(at_least))
    if not conditions:
        return None
    return sa.exists(sa.select(Finding.id).where(Finding.assessment_id == Assessment.id, *conditions))


def apply_filters(stmt: sa.Select[Assessment], filters: AssessmentFilters) -> sa.Select[Assessment]:
    conditions: list[ColumnElement[bool]] = []
    if not filters.include_superseded:
        conditions.append(Assessment.superseded_by_id.is_(None))
    if filters.subject_id is not None:
        conditions.append(Assessment.subject_id == filters.subject_id)
    if filters.scheme is not None:
        conditions.append(Assessment.scheme == filters.scheme)
    if filters.modality is not None:
        conditions.append(Assessment.modality == filters.modality)
    if filters.status is not None:
        conditions.append(Assessment.status == filters.status)
    if filters.period_from is not None:
        conditions.append(Assessment.period_end_date >= filters.period_from)
    if filters.period_to is not None:
        conditions.append(Assessment.period_start_date <= filters.period_to)
    finding_condition = _finding_filter(filters)
    if finding_condition is not None:
        conditions.append(finding_condition)
    return stmt.where(*conditions)


def page(session: Session, stmt: sa.Select[Assessment], *, after: uuid.UUID | None, limit: int) -> Sequence[Assessment]:
    if after is not None:
        stmt = stmt.where(Assessment.id > after)
    return session.scalars(stmt.order_by(Assessment.id).limit(limit)).all()


def counts(session: Session, stmt: sa.Select[Assessment]) -> tuple[int, int, int]:
    """(assessments, their findings, their corrective actions) selected by ``stmt``."""
    ids = stmt.with_only_columns(Assessment.id)
    assessments = session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    findings = session.scalar(sa.select(sa.func.count(Finding.id)).where(Finding.assessment_id.in_(ids))) or 0
    actions = (
        session.scalar(sa.select(sa.func.count(CorrectiveAction.id)).where(CorrectiveAction.assessment_id.in_(ids)))
        or 0
    )
    return assessments, findings, actions


def by_public_id(session: Session, scope: AssessmentReadScope, public_id: str) -> Assessment | None:
    stmt = readable_assessments(scope).where(Assessment.public_id == public_id)
    detail = (
        selectinload(Assessment.findings),
        selectinload(Assessment.corrective_actions).selectinload(CorrectiveAction.events),
    )
    return session.scalars(stmt.options(*detail)).first()


def by_public_id_unscoped(session: Session, public_id: str) -> Assessment | None:
    """For access requests only: the requester names an assessment it cannot read yet."""
    return session.scalars(sa.select(Assessment).where(Assessment.public_id == public_id)).first()


def by_source(session: Session, *, subject_id: uuid.UUID, source_sha256: str) -> Assessment | None:
    stmt = sa.select(Assessment).where(Assessment.subject_id == subject_id, Assessment.source_sha256 == source_sha256)
    return session.scalars(stmt).first()


def current_of(session: Session, *, scheme: Scheme, subject_id: uuid.UUID, period_start: date) -> Assessment | None:
    """The not-yet-superseded assessment a new verification of the same assessment replaces."""
    stmt = sa.select(Assessment).where(
        Assessment.scheme == scheme,
        Assessment.subject_id == subject_id,
        Assessment.period_start_date == period_start,
        Assessment.superseded_by_id.is_(None),
    )
    return session.scalars(stmt.order_by(Assessment.id.desc())).first()


def subject_owner(session: Session, assessment: Assessment) -> uuid.UUID | None:
    if assessment.facility_id is not None:
        return session.scalar(sa.select(Facility.owner_organization_id).where(Facility.id == assessment.facility_id))
    return session.scalar(sa.select(Recruiter.owner_organization_id).where(Recruiter.id == assessment.recruiter_id))


def readable_actions(scope: AssessmentReadScope) -> sa.Select[CorrectiveAction]:
    return sa.select(CorrectiveAction).join(Assessment).where(visible_assessments(scope))


def readable_findings(scope: AssessmentReadScope) -> sa.Select[Finding]:
    return sa.select(Finding).join(Assessment).where(visible_assessments(scope))


def overdue(scope: AssessmentReadScope, today: date) -> sa.Select[CorrectiveAction]:
    """Open or in-progress actions past their due date, of current (not superseded) assessments."""
    return readable_actions(scope).where(
        CorrectiveAction.status != ActionStatus.closed,
        CorrectiveAction.due_date < today,
        Assessment.superseded_by_id.is_(None),
    )


def grants_on(session: Session, *, subject_kind: str, subject_id: uuid.UUID) -> Sequence[SharingGrant]:
    stmt = sa.select(SharingGrant).where(
        SharingGrant.subject_kind == subject_kind, SharingGrant.subject_id == subject_id
    )
    return session.scalars(stmt.order_by(SharingGrant.created_at, SharingGrant.id)).all()
