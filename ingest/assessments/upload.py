"""Upload one assessment: check who may, parse every problem at once, store atomically, idempotently.

Who may upload (``policies.visibility.may_upload_assessment``): auditor organisations for any
subject they can see, the subject's owner (supplier that claimed the facility, recruiter
organisation that owns the recruiter record), and platform operators. Brands and CTIP
organisations get assessments by grant, never by upload.

- The same bytes for the same subject return the assessment stored the first time (``created``
  is False; the API answers 200).
- A different file for the same scheme, subject and assessed period start is a new verification
  of the same assessment: it supersedes the current one, which stays readable as history; grants
  in force on the old one are carried over to the new one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import ErrorItem, InvalidInput, LoomlineError, PermissionDenied
from core.principal import OrganizationKind, Principal
from ingest import canonical
from ingest.assessments import events, repository, storage
from ingest.assessments.models import Assessment
from ingest.assessments.subjects import resolve_subject_or_raise
from ingest.errors import FormatError
from ingest.formats import parse_assessment, parse_assessment_json
from ingest.tabular import FileFormat, ReadLimits
from policies import audit
from policies.models import SharingGrant
from policies.visibility import ASSESSMENT_GRANT, may_upload_assessment

#: Schemes whose subject is a recruiter; every other scheme assesses a facility.
RECRUITER_SCHEMES = frozenset({canonical.Scheme.recruiter_ddq})


class AssessmentTooLarge(LoomlineError):
    """The upload exceeds the size or row limit (the API answers 413)."""

    title = "Content too large"


@dataclass(frozen=True, slots=True)
class UploadSource:
    """The bytes of a file (with its format) or an already-decoded JSON body."""

    file_format: FileFormat
    raw: bytes | None = None
    body: object = None

    def sha256(self) -> str:
        if self.raw is not None:
            return hashlib.sha256(self.raw).hexdigest()
        text = json.dumps(self.body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    assessment: Assessment
    created: bool
    superseded: Assessment | None = None


def _is_limit(error: FormatError) -> bool:
    # tabular.read_document rejects an oversized file or too many rows with one whole-file problem.
    if len(error.problems) != 1 or error.problems[0].table != "file":
        return False
    message = error.problems[0].message
    return "the limit is" in message or "split it" in message


def parse(source: UploadSource, *, scheme: canonical.Scheme, limits: ReadLimits) -> canonical.Assessment:
    """The canonical assessment, or ``FormatError`` listing every problem (``AssessmentTooLarge`` for limits)."""
    if source.raw is not None and len(source.raw) > limits.max_bytes:
        raise AssessmentTooLarge(f"The file is {len(source.raw)} bytes; the limit is {limits.max_bytes}.")
    try:
        if source.raw is not None:
            return parse_assessment(source.raw, scheme=scheme, file_format=source.file_format, limits=limits)
        return parse_assessment_json(source.body, scheme=scheme, limits=limits)
    except FormatError as error:
        if _is_limit(error):
            raise AssessmentTooLarge(error.detail, errors=error.errors) from error
        raise


def _check_subject_kind(scheme: canonical.Scheme, subject: storage.StoredSubject) -> None:
    wanted = canonical.SubjectKind.recruiter if scheme in RECRUITER_SCHEMES else canonical.SubjectKind.facility
    if subject.kind is not wanted:
        raise InvalidInput(
            f"{scheme.value} assessments are about a {wanted.value}; {subject.public_id} is a {subject.kind.value}.",
            errors=[ErrorItem(("body", "subject"), f"must name a {wanted.value}")],
        )


def _carry_grants_over(session: Session, old: Assessment, new: Assessment) -> None:
    now = utcnow()
    grants = repository.grants_on(session, subject_kind=ASSESSMENT_GRANT, subject_id=old.id)
    for grant in grants:
        if grant.revoked_at is None and (grant.expires_at is None or grant.expires_at > now):
            session.add(
                SharingGrant(
                    grantor_organization_id=grant.grantor_organization_id,
                    grantee_organization_id=grant.grantee_organization_id,
                    subject_kind=ASSESSMENT_GRANT,
                    subject_id=new.id,
                    expires_at=grant.expires_at,
                )
            )


def upload_assessment(
    session: Session,
    principal: Principal,
    *,
    source: UploadSource,
    scheme: canonical.Scheme,
    subject_public_id: str,
    limits: ReadLimits,
    pooled_signal: bool = True,
) -> UploadOutcome:
    """Store one assessment of a visible subject; see the module docstring for the rules."""
    subject = resolve_subject_or_raise(session, principal, public_id=subject_public_id)
    if not may_upload_assessment(principal, subject_owner_id=subject.owner_organization_id):
        raise PermissionDenied("Only auditors, the subject's owner and platform operators upload assessments.")
    _check_subject_kind(scheme, subject)
    parsed = parse(source, scheme=scheme, limits=limits)
    digest = source.sha256()
    existing = repository.by_source(session, subject_id=subject.id, source_sha256=digest)
    if existing is not None:
        return UploadOutcome(existing, created=False)
    previous = repository.current_of(
        session, scheme=scheme, subject_id=subject.id, period_start=parsed.period.start_date
    )
    provenance = storage.Provenance(
        uploaded_by=principal.organization_id,
        assessor_organization_id=(
            principal.organization_id if principal.organization_kind is OrganizationKind.auditor else None
        ),
        source_sha256=digest,
        source_format=source.file_format,
        pooled_signal=pooled_signal,
    )
    try:
        # A savepoint: the same file uploaded twice at once makes one of the two inserts hit the
        # (subject, sha256) unique constraint; that upload then returns the other's assessment.
        with session.begin_nested():
            stored = storage.store(session, parsed, subject=subject, provenance=provenance)
    except IntegrityError:
        existing = repository.by_source(session, subject_id=subject.id, source_sha256=digest)
        if existing is None:
            raise
        return UploadOutcome(existing, created=False)
    if previous is not None:
        stored.supersedes_id = previous.id
        previous.superseded_by_id = stored.id
        _carry_grants_over(session, previous, stored)
        session.flush()
    audit.record(
        session,
        principal,
        action="assessment.uploaded",
        subject_kind="assessment",
        subject_id=stored.public_id,
        details={
            "scheme": scheme.value,
            "subject": subject.public_id,
            "findings": len(parsed.findings),
            "supersedes": previous.public_id if previous is not None else None,
        },
    )
    events.submit_assessment_stored(session, stored)
    return UploadOutcome(stored, created=True, superseded=previous)
