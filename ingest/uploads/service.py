"""Use cases of facility-list uploads: store a list (validated whole, idempotent by content), read
its progress and rows. Processing the rows is a job (ingest/uploads/processing.py)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import jobs
from core.errors import InvalidInput, NotFound
from core.principal import Principal
from ingest.uploads import repository
from ingest.uploads.models import FacilityUpload, FacilityUploadRow, RowStatus, UploadStatus
from ingest.uploads.reader import UploadLimits, read_facility_list
from policies import audit
from policies.visibility import upload_read_scope

PROCESS_JOB = "ingest.process_facility_upload"
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class StoredUpload:
    upload: FacilityUpload
    #: False when the same file was uploaded before by this organisation: that upload is returned.
    created: bool
    #: The job that processes it (None when the upload existed already).
    job_id: uuid.UUID | None = None


def store_upload(
    session: Session, principal: Principal, *, raw: bytes, filename: str, limits: UploadLimits
) -> StoredUpload:
    """Check the whole file, store the upload and its rows, and queue the job that processes them.
    The same content again (this organisation) returns the first upload; a refused file stores nothing."""
    digest = hashlib.sha256(raw).hexdigest()
    existing = repository.upload_of_content(session, principal.organization_id, digest)
    if existing is not None:
        return StoredUpload(existing, created=False)
    listing = read_facility_list(raw, filename=filename, limits=limits)
    upload = FacilityUpload(
        organization_id=principal.organization_id,
        client_id=principal.client_id,
        content_sha256=digest,
        filename=filename[:255],
        file_format=listing.file_format,
        status=UploadStatus.queued,
        total_rows=len(listing.rows),
        processed_rows=0,
        created_count=0,
        matched_count=0,
        potential_match_count=0,
        error_count=0,
    )
    try:
        with session.begin_nested():
            session.add(upload)
            session.flush()
    except IntegrityError:  # the same file, uploaded at the same moment by another request
        again = repository.upload_of_content(session, principal.organization_id, digest)
        if again is None:
            raise
        return StoredUpload(again, created=False)
    repository.insert_rows(session, upload.id, listing.rows)
    job = jobs.submit(session, PROCESS_JOB, upload_id=str(upload.id))
    audit.record(
        session,
        principal,
        action="facility_upload.created",
        subject_kind="facility_upload",
        subject_id=upload.id,
        details={"rows": upload.total_rows, "sha256": digest, "format": listing.file_format},
    )
    return StoredUpload(upload, created=True, job_id=job.id)


def get_upload_or_raise(session: Session, principal: Principal, *, upload_id: uuid.UUID) -> FacilityUpload:
    """An upload of the caller's organisation (any, for platform operators); NotFound otherwise."""
    upload = repository.readable_upload(session, upload_read_scope(principal), upload_id)
    if upload is None:
        raise NotFound(f"No upload {upload_id}.")
    return upload


def list_uploads(
    session: Session, principal: Principal, *, cursor: uuid.UUID | None = None, limit: int = 50
) -> tuple[Sequence[FacilityUpload], str | None]:
    """The caller's uploads, newest first, and the cursor of the next page (the last id)."""
    before = cursor
    limit = min(limit, MAX_PAGE)
    items = repository.readable_uploads(session, upload_read_scope(principal), before=before, limit=limit + 1)
    more = len(items) > limit
    items = items[:limit]
    return items, (str(items[-1].id) if more and items else None)


def list_rows(
    session: Session,
    principal: Principal,
    *,
    upload_id: uuid.UUID,
    status: RowStatus | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[Sequence[FacilityUploadRow], str | None]:
    """Rows of a visible upload in file order, optionally of one status, and the next cursor."""
    get_upload_or_raise(session, principal, upload_id=upload_id)
    after = _row_cursor(cursor)
    limit = min(limit, MAX_PAGE)
    scope = upload_read_scope(principal)
    rows = repository.rows_page(session, scope, upload_id, status=status, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (str(rows[-1].row_number) if more and rows else None)


def _row_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit() or len(cursor) > 9:
        raise InvalidInput("Invalid cursor.")
    return int(cursor)
