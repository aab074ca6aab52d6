"""Processing an upload's rows: chunk by chunk, one transaction each, resumable.

Each chunk takes the next pending rows in file order, registers them (graph/bulk.py), records each
row's outcome and the upload's counts, and commits: a worker that dies loses at most one chunk,
and the job run again goes on from the first pending row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from core.clock import utcnow
from core.db import transaction
from core.principal import Principal
from graph import bulk
from graph.schemas import FacilityCreate
from ingest.uploads import repository
from ingest.uploads.models import FacilityUpload, FacilityUploadRow, RowStatus, UploadStatus
from ingest.uploads.rows import RowProblem, parse_row
from policies.models import Organization
from policies.scopes import ApiScope

CHUNK_ROWS = 500
Method = Literal["bulk", "per_row"]
Progress = Callable[[FacilityUpload], None]

_STATUS = {
    bulk.RowOutcomeKind.created: RowStatus.created,
    bulk.RowOutcomeKind.matched: RowStatus.matched,
    bulk.RowOutcomeKind.potential_match: RowStatus.potential_match,
    bulk.RowOutcomeKind.error: RowStatus.error,
}
_COUNTER = {
    RowStatus.created: "created_count",
    RowStatus.matched: "matched_count",
    RowStatus.potential_match: "potential_match_count",
    RowStatus.error: "error_count",
}


def uploader(session: Session, upload: FacilityUpload) -> Principal:
    """The job states the rows as the uploading client would through the API."""
    organization = session.get(Organization, upload.organization_id)
    if organization is None:
        raise LookupError(f"organisation {upload.organization_id} of upload {upload.id} is gone")
    return Principal(
        organization_id=upload.organization_id,
        organization_kind=organization.kind,
        client_id=upload.client_id,
        scopes=frozenset({ApiScope.graph_read, ApiScope.graph_write}),
        token_id=f"upload:{upload.id}",
    )


def _start(session: Session, upload_id: uuid.UUID) -> FacilityUpload | None:
    upload = repository.upload_for_job(session, upload_id)
    if upload is None or upload.status is UploadStatus.done:
        return None
    upload.status = UploadStatus.processing
    upload.started_at = upload.started_at or utcnow()
    upload.error = None
    return upload


def _record(upload: FacilityUpload, row: FacilityUploadRow, outcome: bulk.RowOutcome | RowProblem) -> None:
    if isinstance(outcome, RowProblem):
        row.status, row.error_column, row.error_reason = RowStatus.error, outcome.column, outcome.reason
    else:
        row.status = _STATUS[outcome.kind]
        row.facility_public_id = outcome.facility_public_id
        row.potential_matches = list(outcome.potential_matches) or None
        if outcome.kind is bulk.RowOutcomeKind.error:
            row.error_column = _column_of_scheme(outcome.error_scheme, row.raw_values)
            row.error_reason = outcome.error_reason
    counter = _COUNTER[row.status]
    setattr(upload, counter, getattr(upload, counter) + 1)
    upload.processed_rows += 1


def _column_of_scheme(scheme: str | None, cells: dict[str, str]) -> str:
    if scheme is None:
        return "row"
    column = scheme.replace("-", "_")
    return column if column in cells else "row"


def process_chunk(session: Session, principal: Principal, upload: FacilityUpload, *, method: Method) -> int:
    """Register the next pending rows; the number processed (0 when none was left)."""
    rows = repository.pending_rows(session, upload.id, limit=CHUNK_ROWS)
    parsed = [parse_row(row.raw_values) for row in rows]
    bodies = [p for p in parsed if isinstance(p, FacilityCreate)]
    register = bulk.register_many if method == "bulk" else bulk.register_each
    registered = iter(register(session, principal, bodies))
    for row, result in zip(rows, parsed, strict=True):
        _record(upload, row, result if isinstance(result, RowProblem) else next(registered))
    return len(rows)


def process_upload(
    sessions: sessionmaker[Session],
    upload_id: uuid.UUID,
    *,
    method: Method = "bulk",
    heartbeat: Callable[[], None] | None = None,
    progress: Progress | None = None,
) -> None:
    """Process every pending row of an upload, one committed chunk at a time (idempotent)."""
    with transaction(sessions) as session:
        if _start(session, upload_id) is None:
            return
    try:
        while _next_chunk(sessions, upload_id, method=method, progress=progress):
            if heartbeat is not None:
                heartbeat()
    except Exception as exc:
        with transaction(sessions) as session:
            upload = repository.upload_for_job(session, upload_id)
            if upload is not None:
                upload.status, upload.error = UploadStatus.failed, f"{type(exc).__name__}: {exc}"[:2000]
        raise
    with transaction(sessions) as session:
        upload = repository.upload_for_job(session, upload_id)
        if upload is not None:
            upload.status, upload.finished_at = UploadStatus.done, utcnow()


def _next_chunk(
    sessions: sessionmaker[Session], upload_id: uuid.UUID, *, method: Method, progress: Progress | None
) -> bool:
    with transaction(sessions) as session:
        repository.lock_upload(session, upload_id)
        upload = repository.upload_for_job(session, upload_id)
        if upload is None:
            return False
        done = process_chunk(session, uploader(session, upload), upload, method=method)
    if progress is not None and done:
        progress(upload)
    return done > 0
