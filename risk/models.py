"""Stored risk scores: one row per scored subject, with the breakdown it was computed with."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base, UTCDateTime, string_enum
from core.ids import uuid7


class ScoredKind(StrEnum):
    facility = "facility"
    recruiter = "recruiter"


class RiskScore(Base):
    """The latest score of a facility or recruiter. ``components`` holds the score's components
    and their items (refs into the pooled evidence: never shown as such to a caller who may not see
    them); ``inputs_fingerprint`` is the SHA-256 of the canonical inputs, so a recompute that finds
    the same inputs and method version writes nothing."""

    __tablename__ = "risk_scores"
    __table_args__ = (sa.UniqueConstraint("subject_kind", "subject_id", name="uq_risk_scores_subject"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    subject_kind: Mapped[ScoredKind] = mapped_column(string_enum(ScoredKind, "risk_subject_kind"))
    subject_id: Mapped[uuid.UUID]
    score: Mapped[float]
    band: Mapped[str] = mapped_column(sa.String(16))
    confidence: Mapped[float]
    components: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    method_version: Mapped[str] = mapped_column(sa.String(32))
    inputs_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
