"""Tables of facility-list uploads: one row per upload, one per data row of its file."""

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


class UploadStatus(StrEnum):
    queued = "queued"
    processing = "processing"
    done = "done"
    failed = "failed"


class RowStatus(StrEnum):
    pending = "pending"  # stored, not yet processed
    created = "created"  # a new facility was registered
    matched = "matched"  # attached to a facility already registered
    potential_match = "potential_match"  # registered, but may be the same site as others: check them
    error = "error"  # not registered: ``error_column`` and ``error_reason`` say why


class FacilityUpload(Base):
    """A facility list an organisation uploaded; the same file twice is the same upload."""

    __tablename__ = "facility_uploads"
    __table_args__ = (
        sa.UniqueConstraint(
            "organization_id", "content_sha256", name="uq_facility_uploads_organization_id_content_sha256"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    #: The client that uploaded it: the job states the rows as this client would through the API.
    client_id: Mapped[str] = mapped_column(sa.String(64))
    content_sha256: Mapped[str] = mapped_column(sa.String(64))
    filename: Mapped[str] = mapped_column(sa.String(255))
    file_format: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[UploadStatus] = mapped_column(
        string_enum(UploadStatus, "upload_status"), default=UploadStatus.queued
    )
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    matched_count: Mapped[int] = mapped_column(default=0)
    potential_match_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FacilityUploadRow(Base):
    """One data row of an uploaded list, its raw cells and what became of it."""

    __tablename__ = "facility_upload_rows"
    __table_args__ = (sa.Index("ix_facility_upload_rows_upload_id_status", "upload_id", "status", "row_number"),)

    upload_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("facility_uploads.id", ondelete="CASCADE"), primary_key=True
    )
    #: The line (CSV) or sheet row (XLSX) the row is on, 1-based, header included.
    row_number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[RowStatus] = mapped_column(string_enum(RowStatus, "upload_row_status"), default=RowStatus.pending)
    facility_public_id: Mapped[str | None] = mapped_column(sa.String(16))
    #: Facilities that may be the same site (public ids), for ``potential_match`` rows.
    potential_matches: Mapped[list[str] | None] = mapped_column(sa.JSON)
    error_column: Mapped[str | None] = mapped_column(sa.String(64))
    error_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: The cells as read (column -> text), ``tier`` and unknown-to-the-registry columns included.
    raw_values: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
