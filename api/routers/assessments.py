"""The assessment exchange: upload assessments, read those shared with you."""

from __future__ import annotations

import json
from datetime import date
from functools import partial
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import SessionDep, SettingsDep, principal_with, writes_on_read
from api.problems import PROBLEM_MEDIA_TYPE, PROBLEM_RESPONSES, Problem, problem_response
from api.routers.facilities import CURSOR_PATTERN
from core.principal import Principal
from core.settings import Settings
from core.text import NO_NUL_PATTERN
from ingest.assessments import service, upload
from ingest.assessments.repository import AssessmentFilters
from ingest.assessments.schemas import (
    AssessmentCountsRead,
    AssessmentDetail,
    AssessmentJsonUpload,
    AssessmentPage,
    assessment_detail,
    assessment_read,
)
from ingest.canonical import Modality, Scheme, Severity, Topic
from ingest.errors import FormatError, ParseProblem
from ingest.formats import detect_format
from ingest.tabular import ReadLimits
from policies.scopes import ApiScope

router = APIRouter(prefix="/assessments", tags=["assessments"], responses=PROBLEM_RESPONSES)

#: A public id as typed by a person (case, spaces and confusable letters are forgiven).
AssessmentId = Annotated[str, Path(max_length=64, pattern=NO_NUL_PATTERN, description="Public id LA-XXXX-XXXX-C")]
SubjectQuery = Annotated[
    str | None, Query(max_length=64, pattern=NO_NUL_PATTERN, description="Facility (LL-...) or recruiter (LR-...)")
]

Reader = Annotated[Principal, principal_with(ApiScope.assessments_read)]
Writer = Annotated[Principal, principal_with(ApiScope.assessments_write)]

_SCHEMES = [s.value for s in Scheme]
_SUBJECT = {"type": "string", "maxLength": 64, "pattern": NO_NUL_PATTERN}
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "scheme", "subject"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "scheme": {"type": "string", "enum": _SCHEMES},
                        "subject": _SUBJECT,
                        "pooled_signal": {"type": "boolean", "default": True},
                    },
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["scheme", "subject", "document"],
                    "additionalProperties": False,
                    "properties": {
                        "scheme": {"type": "string", "enum": _SCHEMES},
                        "subject": _SUBJECT,
                        "pooled_signal": {"type": "boolean", "default": True},
                        "document": {"type": "object"},
                    },
                }
            },
        },
    }
}
_TOO_LARGE = {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": "Over the size or row limit"}
_UNSUPPORTED = {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": "Neither multipart nor JSON"}


def _limits(settings: Settings) -> ReadLimits:
    return ReadLimits(max_bytes=settings.assessment_max_bytes, max_rows=settings.assessment_max_rows)


def _invalid(location: tuple[str | int, ...], message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": location, "msg": message, "type": "value_error"}])


async def _json_upload(request: Request, limits: ReadLimits) -> tuple[upload.UploadSource, AssessmentJsonUpload]:
    raw = await request.body()
    if len(raw) > limits.max_bytes:
        raise upload.AssessmentTooLarge(f"The body is {len(raw)} bytes; the limit is {limits.max_bytes}.")
    try:
        body = AssessmentJsonUpload.model_validate(json.loads(raw))
    except (ValueError, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from exc
        raise _invalid(("body",), "not a JSON document") from exc
    if _has_nul(body.document):
        raise FormatError("NUL characters cannot be stored", [ParseProblem("a value contains U+0000")])
    return upload.UploadSource(file_format="json", body=body.document), body


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip() or "\x00" in value or len(value) > 64:
        raise _invalid(("body", name), "required")
    return value.strip()


async def _multipart_upload(request: Request, limits: ReadLimits) -> tuple[upload.UploadSource, AssessmentJsonUpload]:
    try:
        parsed_form = await request.form(max_files=1, max_fields=10)
    except StarletteHTTPException as exc:  # Starlette's answer to a malformed multipart body
        raise _invalid(("body",), str(exc.detail)) from exc
    try:
        file = parsed_form.get("file")
        if not isinstance(file, UploadFile):
            raise _invalid(("body", "file"), "a file is required")
        file_format = detect_format(file.filename or "")
        if file_format is None:
            raise _invalid(("body", "file"), "name the file .csv, .xlsx or .json")
        raw = await file.read(limits.max_bytes + 1)
        scheme = _form_text(parsed_form, "scheme")
        if scheme not in _SCHEMES:
            raise _invalid(("body", "scheme"), f"one of {', '.join(_SCHEMES)}")
        pooled = str(parsed_form.get("pooled_signal", "true")).lower() not in ("false", "0", "no")
        subject = _form_text(parsed_form, "subject")
    finally:
        await parsed_form.close()  # the spooled file
    meta = AssessmentJsonUpload(scheme=Scheme(scheme), subject=subject, pooled_signal=pooled, document={})
    return upload.UploadSource(file_format=file_format, raw=raw), meta


@router.post(
    "",
    response_model=AssessmentDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Upload an assessment",
    openapi_extra=UPLOAD_BODY,
    responses={
        200: {"model": AssessmentDetail, "description": "The same file was already stored for this subject"},
        413: _TOO_LARGE,
        415: _UNSUPPORTED,
    },
)
async def upload_assessment(
    request: Request, session: SessionDep, settings: SettingsDep, principal: Writer, response: Response
) -> AssessmentDetail | Response:
    """Upload one assessment of a facility or recruiter: `multipart/form-data` with `file`
    (`.csv`, `.xlsx` or `.json`, per `docs/formats`), `scheme` and `subject` (public id), or a JSON
    body `{scheme, subject, document}` with the document in the formats' JSON form.

    Who may upload: auditor organisations (any subject), the subject's owner, platform operators;
    others get 403. A bad file is a 422 listing every problem (table, row, column) and writes
    nothing; over the size or row limit is a 413. The same file for the same subject returns the
    stored assessment (200). A different file for the same scheme, subject and assessed period
    start is a new verification: it supersedes the current one (kept, with `superseded_by`)."""
    limits = _limits(settings)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type == "application/json":
            source, meta = await _json_upload(request, limits)
        elif content_type == "multipart/form-data":
            source, meta = await _multipart_upload(request, limits)
        else:
            raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "Send multipart/form-data or application/json.")
        # The service and the session are synchronous: run them off the event loop.
        call = partial(_store, session, principal, source=source, meta=meta, limits=limits)
        detail, created = await anyio.to_thread.run_sync(call)
    except upload.AssessmentTooLarge as exc:
        return problem_response(413, slug="content-too-large", title=exc.title, detail=exc.detail)
    if not created:
        response.status_code = status.HTTP_200_OK
    return detail


def _store(
    session: Session,
    principal: Principal,
    *,
    source: upload.UploadSource,
    meta: AssessmentJsonUpload,
    limits: ReadLimits,
) -> tuple[AssessmentDetail, bool]:
    outcome = upload.upload_assessment(
        session,
        principal,
        source=source,
        scheme=meta.scheme,
        subject_public_id=meta.subject,
        limits=limits,
        pooled_signal=meta.pooled_signal,
    )
    return assessment_detail(outcome.assessment), outcome.created


def _filters(
    scheme: Scheme | None,
    modality: Modality | None,
    status_filter: str | None,
    period_from: date | None,
    period_to: date | None,
    topic: Topic | None,
    severity: Severity | None,
    include_superseded: bool,
) -> AssessmentFilters:
    return AssessmentFilters(
        scheme=scheme,
        modality=modality,
        status=status_filter,
        period_from=period_from,
        period_to=period_to,
        topic=topic,
        severity=severity,
        include_superseded=include_superseded,
    )


StatusQuery = Annotated[str | None, Query(alias="status", max_length=32, pattern=NO_NUL_PATTERN)]
PeriodFrom = Annotated[date | None, Query(description="Assessed periods ending on or after this date")]
PeriodTo = Annotated[date | None, Query(description="Assessed periods starting on or before this date")]
SeverityQuery = Annotated[Severity | None, Query(description="Has a finding at least this severe")]
TopicQuery = Annotated[Topic | None, Query(description="Has a finding on this topic")]
HistoryQuery = Annotated[bool, Query(description="Also list superseded verifications")]


@router.get("", response_model=AssessmentPage, summary="Assessments you may read")
def list_assessments(
    session: SessionDep,
    principal: Reader,
    subject: SubjectQuery = None,
    scheme: Scheme | None = None,
    modality: Modality | None = None,
    status_filter: StatusQuery = None,
    period_from: PeriodFrom = None,
    period_to: PeriodTo = None,
    topic: TopicQuery = None,
    severity: SeverityQuery = None,
    include_superseded: HistoryQuery = False,
    cursor: Annotated[str | None, Query(max_length=64, pattern=CURSOR_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AssessmentPage:
    """Assessments your organisation uploaded or ran, of the subjects it owns, or granted to it
    (grants in force now), oldest first; pass `next_cursor` back as `cursor` for the next page.
    Superseded verifications are left out unless `include_superseded`."""
    filters = _filters(scheme, modality, status_filter, period_from, period_to, topic, severity, include_superseded)
    items, next_cursor = service.list_assessments(
        session, principal, filters=filters, subject=subject, cursor=cursor, limit=limit
    )
    return AssessmentPage(items=[assessment_read(a) for a in items], next_cursor=next_cursor)


@router.get("/count", response_model=AssessmentCountsRead, summary="Count assessments you may read")
def count_assessments(
    session: SessionDep,
    principal: Reader,
    subject: SubjectQuery = None,
    scheme: Scheme | None = None,
    modality: Modality | None = None,
    status_filter: StatusQuery = None,
    period_from: PeriodFrom = None,
    period_to: PeriodTo = None,
    topic: TopicQuery = None,
    severity: SeverityQuery = None,
    include_superseded: HistoryQuery = False,
) -> AssessmentCountsRead:
    """How many assessments the list would return, and how many findings and corrective actions they hold."""
    filters = _filters(scheme, modality, status_filter, period_from, period_to, topic, severity, include_superseded)
    counts = service.count_assessments(session, principal, filters=filters, subject=subject)
    return AssessmentCountsRead(
        assessments=counts.assessments, findings=counts.findings, corrective_actions=counts.corrective_actions
    )


@router.get("/{assessment_id}", response_model=AssessmentDetail, summary="One assessment")
@writes_on_read  # a read allowed by a grant is audited
def get_assessment(session: SessionDep, principal: Reader, assessment_id: AssessmentId) -> AssessmentDetail:
    """An assessment with its findings and corrective actions (each with its status history).
    404 unless your organisation may read it; a read allowed by a grant is written to the audit trail."""
    return assessment_detail(service.read_assessment(session, principal, public_id=assessment_id))
