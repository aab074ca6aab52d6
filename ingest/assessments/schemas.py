"""Pydantic models of stored assessments, their grants, access requests and corrective actions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from core.text import NO_NUL_PATTERN, Text
from ingest.assessments.models import AccessRequestStatus, Assessment, CorrectiveAction
from ingest.canonical import ActionStatus, AssessmentType, Modality, Scheme, Severity, SubjectKind, Topic

PublicId = Annotated[str, Field(max_length=64, pattern=NO_NUL_PATTERN)]


class AssessmentJsonUpload(BaseModel):
    """An assessment sent as JSON: the scheme, the subject's public id and the document in the
    JSON form of ``docs/formats`` (``{"assessment": {...}, "<table>": [...]}``)."""

    model_config = ConfigDict(extra="forbid")

    scheme: Scheme
    subject: PublicId = Field(description="Public id of the facility (LL-...) or recruiter (LR-...) assessed")
    pooled_signal: bool = Field(True, description="Let the findings feed pooled risk scores without being shown")
    document: dict[str, Any]


class SubjectRead(BaseModel):
    kind: SubjectKind
    id: str = Field(description="Public id of the facility or recruiter")


class AssessorRead(BaseModel):
    name: str
    identifier: str | None
    lead: str | None
    organization_id: uuid.UUID | None = Field(description="The auditor member organisation, when it uploaded")


class AssessmentRead(BaseModel):
    id: str = Field(description="Public id LA-XXXX-XXXX-C")
    scheme: Scheme
    scheme_version: str
    mapping_version: str
    modality: Modality
    type: AssessmentType
    status: str
    period_start_date: date
    period_end_date: date
    assessor: AssessorRead
    subject: SubjectRead
    source_sha256: str
    source_format: str
    terms: str | None
    pooled_signal: bool
    triangulation_sources: list[str]
    attributes: dict[str, Any]
    supersedes: str | None = Field(description="The earlier verification this one replaces")
    superseded_by: str | None = Field(description="The later verification that replaces this one")
    uploaded_by_organization_id: uuid.UUID
    created_at: datetime


class FindingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    ref: str
    source_id: str | None
    topic: Topic
    section: str | None
    question: str | None
    answer: str | None
    verified: bool | None
    corrected_value: str | None
    legal_non_compliance: bool
    scheme_severity: str | None
    severity: Severity
    ilo_indicators: list[str]
    evidence_note: str | None


class CorrectiveActionEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: ActionStatus
    note: str | None
    organization_id: uuid.UUID | None
    occurred_at: datetime


class CorrectiveActionRead(BaseModel):
    id: uuid.UUID
    assessment: str = Field(description="Public id of the assessment")
    finding_ref: str | None
    action: str
    owner: str | None
    due_date: date | None
    root_cause: str | None
    status: ActionStatus
    updated_at: datetime
    history: list[CorrectiveActionEventRead]


class AssessmentDetail(AssessmentRead):
    findings: list[FindingRead]
    corrective_actions: list[CorrectiveActionRead]


class AssessmentPage(BaseModel):
    items: list[AssessmentRead]
    next_cursor: str | None


class AssessmentCountsRead(BaseModel):
    assessments: int
    findings: int
    corrective_actions: int


class CorrectiveActionPage(BaseModel):
    items: list[CorrectiveActionRead]
    next_cursor: str | None


class CorrectiveActionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ActionStatus
    note: Annotated[Text, Field(max_length=2000)] | None = None


class GrantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grantee_organization_id: uuid.UUID
    expires_at: AwareDatetime | None = Field(None, description="When the grant lapses (timezone required)")


class GrantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    subject_kind: str
    grantor_organization_id: uuid.UUID
    grantee_organization_id: uuid.UUID
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    in_force: bool


class AccessRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assessment: PublicId | None = Field(None, description="Public id LA-... of one assessment")
    subject: PublicId | None = Field(None, description="Public id LL-... / LR-...: all its assessments")
    message: Annotated[Text, Field(max_length=2000)] | None = None


class AccessRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    requester_organization_id: uuid.UUID
    decider_organization_id: uuid.UUID
    subject_kind: str
    subject_public_id: str
    message: str | None
    status: AccessRequestStatus
    created_at: datetime
    decided_at: datetime | None
    grant_id: uuid.UUID | None


class AccessRequestDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "deny"]
    expires_at: AwareDatetime | None = Field(None, description="Expiry of the grant an approval creates")


def assessment_read(assessment: Assessment) -> AssessmentRead:
    subject = assessment.facility if assessment.facility is not None else assessment.recruiter
    return AssessmentRead(
        id=assessment.public_id,
        scheme=assessment.scheme,
        scheme_version=assessment.scheme_version,
        mapping_version=assessment.mapping_version,
        modality=assessment.modality,
        type=assessment.type,
        status=assessment.status,
        period_start_date=assessment.period_start_date,
        period_end_date=assessment.period_end_date,
        assessor=AssessorRead(
            name=assessment.assessor_name,
            identifier=assessment.assessor_identifier,
            lead=assessment.assessor_lead,
            organization_id=assessment.assessor_organization_id,
        ),
        subject=SubjectRead(kind=assessment.subject_kind, id=subject.public_id if subject is not None else ""),
        source_sha256=assessment.source_sha256,
        source_format=assessment.source_format,
        terms=assessment.terms,
        pooled_signal=assessment.pooled_signal,
        triangulation_sources=list(assessment.triangulation_sources),
        attributes=dict(assessment.attributes),
        supersedes=assessment.supersedes.public_id if assessment.supersedes is not None else None,
        superseded_by=assessment.superseded_by.public_id if assessment.superseded_by is not None else None,
        uploaded_by_organization_id=assessment.uploaded_by_organization_id,
        created_at=assessment.created_at,
    )


def action_read(action: CorrectiveAction, assessment_public_id: str) -> CorrectiveActionRead:
    return CorrectiveActionRead(
        id=action.id,
        assessment=assessment_public_id,
        finding_ref=action.finding_ref,
        action=action.action,
        owner=action.owner,
        due_date=action.due_date,
        root_cause=action.root_cause,
        status=action.status,
        updated_at=action.updated_at,
        history=[CorrectiveActionEventRead.model_validate(e) for e in action.events],
    )


def assessment_detail(assessment: Assessment) -> AssessmentDetail:
    return AssessmentDetail(
        **assessment_read(assessment).model_dump(),
        findings=[FindingRead.model_validate(f) for f in assessment.findings],
        corrective_actions=[action_read(a, assessment.public_id) for a in assessment.corrective_actions],
    )
