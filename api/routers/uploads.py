"""Bulk facility uploads: a CSV or XLSX list, processed as a job, with per-row status."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile, status

from api.deps import SessionDep, SettingsDep, principal_with
from api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_RESPONSES, Problem
from core.principal import Principal
from ingest.uploads import service as upload_service
from ingest.uploads.models import FacilityUpload, FacilityUploadRow, RowStatus
from ingest.uploads.reader import UploadLimits
from ingest.uploads.schemas import RowError, UploadCounts, UploadPage, UploadRead, UploadRowPage, UploadRowRead
from policies.scopes import ApiScope

router = APIRouter(prefix="/uploads", tags=["uploads"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, principal_with(ApiScope.graph_read)]
Writer = Annotated[Principal, principal_with(ApiScope.graph_write)]

_LIMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": "Over the size or row limit"},
    415: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": "Neither CSV nor XLSX"},
}


def upload_read(upload: FacilityUpload) -> UploadRead:
    percent = 100.0 * upload.processed_rows / upload.total_rows if upload.total_rows else 100.0
    return UploadRead(
        id=upload.id,
        filename=upload.filename,
        file_format=upload.file_format,
        status=upload.status,
        total_rows=upload.total_rows,
        processed_rows=upload.processed_rows,
        percent=round(percent, 1),
        counts=UploadCounts(
            created=upload.created_count,
            matched=upload.matched_count,
            potential_match=upload.potential_match_count,
            error=upload.error_count,
        ),
        error=upload.error,
        created_at=upload.created_at,
        started_at=upload.started_at,
        finished_at=upload.finished_at,
    )


def _row_read(row: FacilityUploadRow) -> UploadRowRead:
    error = RowError(column=row.error_column or "row", reason=row.error_reason or "") if row.error_reason else None
    return UploadRowRead(
        row=row.row_number,
        status=row.status,
        facility_id=row.facility_public_id,
        potential_matches=row.potential_matches or [],
        error=error,
        values={str(k): str(v) for k, v in row.raw_values.items()},
    )


@router.post(
    "/facilities",
    response_model=UploadRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Upload a facility list",
    responses={200: {"model": UploadRead, "description": "The same file was uploaded before"}, **_LIMIT_RESPONSES},
)
def upload_facilities(
    session: SessionDep,
    principal: Writer,
    settings: SettingsDep,
    response: Response,
    file: Annotated[UploadFile, File(description="CSV or XLSX facility list")],
) -> UploadRead:
    """Upload a facility list (CSV or XLSX, Open Supply Hub's list columns: `name`, `address`,
    `country`, optional `lat`, `lng`, `sector`, `product_type`, `number_of_workers`, external ids
    `os_id`, `slcp`, `sedex`, `better_work`, `gln`, `lei`, `x_<scheme>`, and `tier`).

    The whole file is checked first (format, size, header, row count: 413/415/422, nothing
    stored); then the upload is stored and processed in the background: 202 with the upload id,
    whose progress `GET /v1/uploads/{id}` shows. Each row is matched against the registry like
    `POST /v1/facilities`; a bad row does not fail the upload (its status is `error`, naming the
    column). The same file again returns the same upload (200)."""
    limits = UploadLimits(max_bytes=settings.upload_max_bytes, max_rows=settings.upload_max_rows)
    raw = file.file.read(limits.max_bytes + 1)
    stored = upload_service.store_upload(session, principal, raw=raw, filename=file.filename or "upload", limits=limits)
    if not stored.created:
        response.status_code = status.HTTP_200_OK
    return upload_read(stored.upload)


@router.get("", response_model=UploadPage, summary="Your uploads")
def list_uploads(
    session: SessionDep,
    principal: Reader,
    cursor: Annotated[uuid.UUID | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=upload_service.MAX_PAGE)] = 50,
) -> UploadPage:
    """Your organisation's uploads, newest first; pass `next_cursor` back as `cursor`."""
    items, next_cursor = upload_service.list_uploads(session, principal, cursor=cursor, limit=limit)
    return UploadPage(items=[upload_read(u) for u in items], next_cursor=next_cursor)


@router.get("/{upload_id}", response_model=UploadRead, summary="An upload's progress")
def get_upload(session: SessionDep, principal: Reader, upload_id: uuid.UUID) -> UploadRead:
    """Status, rows processed of the total, and counts per outcome (created, matched, potential
    match, error). Only your organisation's uploads are visible (404 otherwise)."""
    return upload_read(upload_service.get_upload_or_raise(session, principal, upload_id=upload_id))


@router.get("/{upload_id}/rows", response_model=UploadRowPage, summary="An upload's rows")
def list_upload_rows(
    session: SessionDep,
    principal: Reader,
    upload_id: uuid.UUID,
    row_status: Annotated[RowStatus | None, Query(alias="status")] = None,
    cursor: Annotated[str | None, Query(max_length=9, pattern=r"^[0-9]{1,9}$")] = None,
    limit: Annotated[int, Query(ge=1, le=upload_service.MAX_PAGE)] = 100,
) -> UploadRowPage:
    """Rows in file order with their status: the facility created or matched, potential matches
    to check, or the column and reason of an error. Filter with `status`."""
    rows, next_cursor = upload_service.list_rows(
        session, principal, upload_id=upload_id, status=row_status, cursor=cursor, limit=limit
    )
    return UploadRowPage(items=[_row_read(r) for r in rows], next_cursor=next_cursor)
