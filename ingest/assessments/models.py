"""Tables of stored assessments: assessments, findings, corrective actions (with their status
history) and access requests (a member asks the data owner for an assessment or a subject's)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.db import Base, UTCDateTime, string_enum
from core.ids import uuid7
from graph.models import Facility, Recruiter
from ingest.canonical import ActionStatus, AssessmentType, Modality, Scheme, Severity, SubjectKind, Topic


class Assessment(Base):
    """One uploaded assessment of a facility or a recruiter, as verified; never edited after.

    A new verification of the same assessment (same scheme, subject and assessed period start)
    supersedes it: both stay, linked by ``supersedes_id`` / ``superseded_by_id``."""

    __tablename__ = "assessments"
    __table_args__ = (
        sa.UniqueConstraint("subject_id", "source_sha256", name="uq_assessments_subject_id_source_sha256"),
        sa.CheckConstraint(
            "(subject_kind = 'facility' AND facility_id IS NOT NULL AND recruiter_id IS NULL) OR "
            "(subject_kind = 'recruiter' AND recruiter_id IS NOT NULL AND facility_id IS NULL)",
            name="one_subject",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    public_id: Mapped[str] = mapped_column(sa.String(16), unique=True)
    scheme: Mapped[Scheme] = mapped_column(string_enum(Scheme, "assessment_scheme", length=24), index=True)
    scheme_version: Mapped[str] = mapped_column(sa.String(32))
    mapping_version: Mapped[str] = mapped_column(sa.String(32))
    modality: Mapped[Modality] = mapped_column(string_enum(Modality, "assessment_modality"))
    type: Mapped[AssessmentType] = mapped_column(string_enum(AssessmentType, "assessment_type"))
    #: The scheme's own status (SLCP ASI..VRF, SMETA/Better Work draft|final), as written.
    status: Mapped[str] = mapped_column(sa.String(32))
    period_start_date: Mapped[date]
    period_end_date: Mapped[date]
    assessor_name: Mapped[str] = mapped_column(sa.String(300))
    assessor_identifier: Mapped[str | None] = mapped_column(sa.String(100))
    assessor_lead: Mapped[str | None] = mapped_column(sa.String(200))
    #: The auditor organisation that ran it, when an auditor member uploaded it.
    assessor_organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("organizations.id"))
    subject_kind: Mapped[SubjectKind] = mapped_column(string_enum(SubjectKind, "assessment_subject_kind"))
    #: The facility's or recruiter's id (the one of the two FKs below that is set).
    subject_id: Mapped[uuid.UUID] = mapped_column(index=True)
    facility_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("facilities.id"), index=True)
    recruiter_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("recruiters.id"), index=True)
    #: SHA-256 of the uploaded bytes (of the canonical JSON text for a JSON body): idempotency.
    source_sha256: Mapped[str] = mapped_column(sa.String(64))
    source_format: Mapped[str] = mapped_column(sa.String(8))
    #: Sharing terms declared by the uploader.
    terms: Mapped[str | None] = mapped_column(sa.String(200))
    #: Consent that the findings feed pooled risk scores without being shown.
    pooled_signal: Mapped[bool] = mapped_column(default=True)
    triangulation_sources: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("assessments.id"))
    superseded_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    uploaded_by_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    facility: Mapped[Facility | None] = relationship(lazy="joined")
    recruiter: Mapped[Recruiter | None] = relationship(lazy="joined")
    supersedes: Mapped[Assessment | None] = relationship(foreign_keys=[supersedes_id], remote_side=[id])
    superseded_by: Mapped[Assessment | None] = relationship(foreign_keys=[superseded_by_id], remote_side=[id])
    findings: Mapped[list[Finding]] = relationship(
        back_populates="assessment", order_by="Finding.position", cascade="all, delete-orphan"
    )
    corrective_actions: Mapped[list[CorrectiveAction]] = relationship(
        back_populates="assessment", order_by="CorrectiveAction.position", cascade="all, delete-orphan"
    )


class Finding(Base):
    """One question / compliance point / non-compliance of an assessment, with its canonical reading."""

    __tablename__ = "findings"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    assessment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    ref: Mapped[str] = mapped_column(sa.String(100))
    source_id: Mapped[str | None] = mapped_column(sa.String(100))
    topic: Mapped[Topic] = mapped_column(string_enum(Topic, "finding_topic", length=40), index=True)
    section: Mapped[str | None] = mapped_column(sa.String(200))
    question: Mapped[str | None] = mapped_column(sa.Text)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    verified: Mapped[bool | None]
    corrected_value: Mapped[str | None] = mapped_column(sa.Text)
    legal_non_compliance: Mapped[bool] = mapped_column(default=False)
    scheme_severity: Mapped[str | None] = mapped_column(sa.String(32))
    severity: Mapped[Severity] = mapped_column(string_enum(Severity, "finding_severity"), index=True)
    ilo_indicators: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    evidence_note: Mapped[str | None] = mapped_column(sa.Text)

    assessment: Mapped[Assessment] = relationship(back_populates="findings")


class CorrectiveAction(Base):
    """An action of a corrective-action / improvement plan; its status changes are kept as events."""

    __tablename__ = "corrective_actions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    assessment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    finding_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    finding_ref: Mapped[str | None] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.Text)
    owner: Mapped[str | None] = mapped_column(sa.String(200))
    due_date: Mapped[date | None] = mapped_column(index=True)
    root_cause: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[ActionStatus] = mapped_column(string_enum(ActionStatus, "corrective_action_status"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="corrective_actions")
    finding: Mapped[Finding | None] = relationship()
    events: Mapped[list[CorrectiveActionEvent]] = relationship(
        order_by="CorrectiveActionEvent.occurred_at", cascade="all, delete-orphan"
    )


class CorrectiveActionEvent(Base):
    """One status of a corrective action: as uploaded (no organisation) or set later by a member."""

    __tablename__ = "corrective_action_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    corrective_action_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("corrective_actions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ActionStatus] = mapped_column(string_enum(ActionStatus, "corrective_action_event_status"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("organizations.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AccessRequestStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    denied = "denied"


class AccessRequest(Base):
    """A member asks the data owner for read access to one assessment or to a subject's assessments."""

    __tablename__ = "access_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    requester_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    #: Who decides: the subject's owner, or the uploading auditor of an unclaimed subject's assessment.
    decider_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    #: ``assessment``, ``facility`` or ``recruiter`` (the grant it would create).
    subject_kind: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[uuid.UUID]
    subject_public_id: Mapped[str] = mapped_column(sa.String(16))
    message: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[AccessRequestStatus] = mapped_column(
        string_enum(AccessRequestStatus, "access_request_status"), default=AccessRequestStatus.pending
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    grant_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("sharing_grants.id"))
