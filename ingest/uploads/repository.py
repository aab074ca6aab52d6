"""SQL statements of facility-list uploads; readers take a policies scope object."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from ingest.uploads.models import FacilityUpload, FacilityUploadRow, RowStatus
from ingest.uploads.reader import ListRow
from policies.visibility import UploadReadScope

#: Rows inserted per statement when an upload is stored.
INSERT_BATCH = 2_000


def visible_uploads(scope: UploadReadScope) -> ColumnElement[bool]:
    if scope.all_uploads:
        return sa.true()
    return FacilityUpload.organization_id == scope.own_organization_id


def readable_upload(session: Session, scope: UploadReadScope, upload_id: uuid.UUID) -> FacilityUpload | None:
    return session.scalars(
        sa.select(FacilityUpload).where(visible_uploads(scope), FacilityUpload.id == upload_id)
    ).first()


def readable_uploads(
    session: Session, scope: UploadReadScope, *, before: uuid.UUID | None, limit: int
) -> Sequence[FacilityUpload]:
    """Newest first (the ids are time-ordered)."""
    stmt = sa.select(FacilityUpload).where(visible_uploads(scope))
    if before is not None:
        stmt = stmt.where(FacilityUpload.id < before)
    return session.scalars(stmt.order_by(FacilityUpload.id.desc()).limit(limit)).all()


def upload_of_content(session: Session, organization_id: uuid.UUID, content_sha256: str) -> FacilityUpload | None:
    return session.scalars(
        sa.select(FacilityUpload).where(
            FacilityUpload.organization_id == organization_id, FacilityUpload.content_sha256 == content_sha256
        )
    ).first()


def insert_rows(session: Session, upload_id: uuid.UUID, rows: Sequence[ListRow]) -> None:
    for start in range(0, len(rows), INSERT_BATCH):
        session.execute(
            sa.insert(FacilityUploadRow),
            [
                {"upload_id": upload_id, "row_number": r.number, "status": RowStatus.pending, "raw_values": r.cells}
                for r in rows[start : start + INSERT_BATCH]
            ],
        )


def rows_page(
    session: Session,
    scope: UploadReadScope,
    upload_id: uuid.UUID,
    *,
    status: RowStatus | None,
    after: int | None,
    limit: int,
) -> Sequence[FacilityUploadRow]:
    """Rows of a visible upload in file order (the join applies the scope to the rows too)."""
    stmt = (
        sa.select(FacilityUploadRow)
        .join(FacilityUpload, FacilityUpload.id == FacilityUploadRow.upload_id)
        .where(visible_uploads(scope), FacilityUploadRow.upload_id == upload_id)
    )
    if status is not None:
        stmt = stmt.where(FacilityUploadRow.status == status)
    if after is not None:
        stmt = stmt.where(FacilityUploadRow.row_number > after)
    return session.scalars(stmt.order_by(FacilityUploadRow.row_number).limit(limit)).all()


def pending_rows(session: Session, upload_id: uuid.UUID, *, limit: int) -> Sequence[FacilityUploadRow]:
    """The next rows to process, in file order (the job's own read: no principal)."""
    stmt = (
        sa.select(FacilityUploadRow)
        .where(FacilityUploadRow.upload_id == upload_id, FacilityUploadRow.status == RowStatus.pending)
        .order_by(FacilityUploadRow.row_number)
        .limit(limit)
    )
    return session.scalars(stmt).all()


def upload_for_job(session: Session, upload_id: uuid.UUID) -> FacilityUpload | None:
    """The upload a job processes (the job acts for the uploader: no principal scope here)."""
    return session.get(FacilityUpload, upload_id, populate_existing=True)


def lock_upload(session: Session, upload_id: uuid.UUID) -> None:
    """Write first in a processing transaction: on SQLite it then waits for the write lock instead
    of failing when another writer commits between its first read and its first write."""
    session.execute(
        sa.update(FacilityUpload)
        .where(FacilityUpload.id == upload_id)
        .values(processed_rows=FacilityUpload.processed_rows)
    )
