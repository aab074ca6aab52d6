"""Job bodies of facility-list uploads: take ids, open their own sessions, idempotent."""

from __future__ import annotations

import uuid

from core import jobs
from ingest.uploads import processing
from ingest.uploads.service import PROCESS_JOB


def process_facility_upload(context: jobs.JobContext, /, **ids: str) -> None:
    """Register the pending rows of one upload, chunk by chunk (a rerun resumes)."""
    processing.process_upload(context.sessions, uuid.UUID(ids["upload_id"]), heartbeat=context.heartbeat)


def register() -> None:
    jobs.register(PROCESS_JOB, process_facility_upload)
