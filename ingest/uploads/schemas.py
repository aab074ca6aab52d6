"""Pydantic shapes of facility-list uploads."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from ingest.uploads.models import RowStatus, UploadStatus


class UploadCounts(BaseModel):
    created: int
    matched: int
    potential_match: int
    error: int


class UploadRead(BaseModel):
    id: uuid.UUID = Field(description="The upload id: GET /v1/uploads/{id} shows its progress")
    filename: str
    file_format: str
    status: UploadStatus
    total_rows: int
    processed_rows: int
    percent: float = Field(description="processed_rows / total_rows, 0-100")
    counts: UploadCounts
    error: str | None = Field(None, description="Why processing failed, when status is failed")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class UploadPage(BaseModel):
    items: list[UploadRead]
    next_cursor: str | None


class RowError(BaseModel):
    column: str
    reason: str


class UploadRowRead(BaseModel):
    row: int = Field(description="Line (CSV) or sheet row (XLSX) in the file, the header counted")
    status: RowStatus
    facility_id: str | None = Field(None, description="Public id of the facility the row created or matched")
    potential_matches: list[str] = Field(default_factory=list, description="Facilities that may be the same site")
    error: RowError | None = None
    values: dict[str, str] = Field(description="The row's cells as read (tier included)")


class UploadRowPage(BaseModel):
    items: list[UploadRowRead]
    next_cursor: str | None
