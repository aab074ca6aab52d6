"""A parsed (canonical) assessment becomes rows: one flush, inside the caller's transaction.

Nothing here commits: the request (or the CLI's unit of work) commits or rolls back the whole
assessment, its findings and corrective actions together, so a failed upload writes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.ids import uuid7
from graph import public_ids
from ingest import canonical
from ingest.assessments.models import Assessment, CorrectiveAction, CorrectiveActionEvent, Finding
from ingest.errors import ProblemList

#: Public ids of assessments: ``LA-XXXX-XXXX-C`` (same alphabet and check character as facilities).
ASSESSMENT_PREFIX = "LA"


@dataclass(frozen=True, slots=True)
class StoredSubject:
    """The facility or recruiter an assessment is about (already resolved and visible)."""

    kind: canonical.SubjectKind
    id: uuid.UUID
    public_id: str
    owner_organization_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where the stored assessment came from: who uploaded which bytes."""

    uploaded_by: uuid.UUID
    assessor_organization_id: uuid.UUID | None
    source_sha256: str
    source_format: str
    pooled_signal: bool = True


#: Widths of the bounded text columns, by canonical field (PostgreSQL refuses longer values).
_HEADER_WIDTHS = {"scheme_version": 32, "mapping_version": 32, "status": 32, "terms": 200}
_ASSESSOR_WIDTHS = {"organisation": 300, "identifier": 100, "lead": 200}
_FINDING_WIDTHS = {"ref": 100, "source_id": 100, "section": 200, "scheme_severity": 32}
_ACTION_WIDTHS = {"finding_ref": 100, "owner": 200}


def _too_long(problems: ProblemList, value: object, width: int, *, table: str, row: int | None, field: str) -> None:
    if isinstance(value, str) and len(value) > width:
        problems.add(f"longer than {width} characters", table=table, row=row, column=field, field=field)


def check_widths(parsed: canonical.Assessment) -> None:
    """Raise ``FormatError`` naming every value too long for its column (rows are 1-based positions)."""
    problems = ProblemList()
    for name, width in _HEADER_WIDTHS.items():
        _too_long(problems, getattr(parsed, name), width, table="assessment", row=None, field=name)
    for name, width in _ASSESSOR_WIDTHS.items():
        _too_long(problems, getattr(parsed.assessor, name), width, table="assessment", row=None, field=name)
    for row, finding in enumerate(parsed.findings, start=1):
        for name, width in _FINDING_WIDTHS.items():
            _too_long(problems, getattr(finding, name), width, table="findings", row=row, field=name)
    for row, action in enumerate(parsed.corrective_actions, start=1):
        for name, width in _ACTION_WIDTHS.items():
            _too_long(problems, getattr(action, name), width, table="corrective_actions", row=row, field=name)
    problems.raise_if_any("The assessment cannot be stored")


def new_assessment_public_id(session: Session) -> str:
    for _ in range(10):
        candidate = public_ids.new_public_id(ASSESSMENT_PREFIX)
        if session.scalar(sa.select(Assessment.id).where(Assessment.public_id == candidate)) is None:
            return candidate
    raise RuntimeError("could not draw a free assessment public id")  # 40 random bits: never in practice


def _finding_row(assessment_id: uuid.UUID, position: int, finding: canonical.Finding) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "assessment_id": assessment_id,
        "position": position,
        "ref": finding.ref,
        "source_id": finding.source_id,
        "topic": finding.topic,
        "section": finding.section,
        "question": finding.question,
        "answer": finding.answer,
        "verified": finding.verified,
        "corrected_value": finding.corrected_value,
        "legal_non_compliance": finding.legal_non_compliance,
        "scheme_severity": finding.scheme_severity,
        "severity": finding.severity,
        "ilo_indicators": sorted(i.value for i in finding.ilo_indicators),
        "evidence_note": finding.evidence_note,
    }


def _action_row(
    assessment_id: uuid.UUID, position: int, action: canonical.CorrectiveAction, finding_id: uuid.UUID | None
) -> dict[str, Any]:
    return {
        "id": uuid7(),
        "assessment_id": assessment_id,
        "finding_id": finding_id,
        "position": position,
        "finding_ref": action.finding_ref,
        "action": action.action,
        "owner": action.owner,
        "due_date": action.due_date,
        "root_cause": action.root_cause,
        "status": action.status,
        "updated_at": utcnow(),
    }


class _FindingIndex:
    """The finding an action answers: by the row id it names (SMETA nc_ref), else by question ref."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._by_source = {r["source_id"]: r["id"] for r in reversed(rows) if r["source_id"] is not None}
        self._by_ref = {r["ref"]: r["id"] for r in reversed(rows)}  # reversed: the first of equal refs wins

    def get(self, ref: str | None) -> uuid.UUID | None:
        if ref is None:
            return None
        return self._by_source.get(ref) or self._by_ref.get(ref)


def _insert_children(session: Session, assessment_id: uuid.UUID, parsed: canonical.Assessment) -> None:
    # Bulk INSERTs of plain rows: a 1,000-finding SMETA audit is thousands of rows, and building
    # an ORM object (and its unit-of-work bookkeeping) per row cost most of the upload time.
    findings = [_finding_row(assessment_id, i, f) for i, f in enumerate(parsed.findings, start=1)]
    index = _FindingIndex(findings)
    actions = [
        _action_row(assessment_id, i, a, index.get(a.finding_ref))
        for i, a in enumerate(parsed.corrective_actions, start=1)
    ]
    events = [
        {"id": uuid7(), "corrective_action_id": a["id"], "status": a["status"], "note": "as uploaded"}
        | {"occurred_at": a["updated_at"]}
        for a in actions
    ]
    for model, rows in ((Finding, findings), (CorrectiveAction, actions), (CorrectiveActionEvent, events)):
        if rows:
            session.execute(sa.insert(model), rows)


def store(
    session: Session, parsed: canonical.Assessment, *, subject: StoredSubject, provenance: Provenance
) -> Assessment:
    """Insert one assessment with its findings and corrective actions; flush, never commit."""
    check_widths(parsed)
    assessment = Assessment(
        public_id=new_assessment_public_id(session),
        scheme=parsed.scheme,
        scheme_version=parsed.scheme_version,
        mapping_version=parsed.mapping_version,
        modality=parsed.modality,
        type=parsed.type,
        status=parsed.status,
        period_start_date=parsed.period.start_date,
        period_end_date=parsed.period.end_date,
        assessor_name=parsed.assessor.organisation,
        assessor_identifier=parsed.assessor.identifier,
        assessor_lead=parsed.assessor.lead,
        assessor_organization_id=provenance.assessor_organization_id,
        subject_kind=subject.kind,
        subject_id=subject.id,
        facility_id=subject.id if subject.kind is canonical.SubjectKind.facility else None,
        recruiter_id=subject.id if subject.kind is canonical.SubjectKind.recruiter else None,
        source_sha256=provenance.source_sha256,
        source_format=provenance.source_format,
        terms=parsed.terms,
        pooled_signal=provenance.pooled_signal,
        triangulation_sources=sorted(s.value for s in parsed.triangulation_sources),
        attributes=dict(parsed.attributes),
        uploaded_by_organization_id=provenance.uploaded_by,
        created_at=utcnow(),
    )
    session.add(assessment)
    session.flush()
    _insert_children(session, assessment.id, parsed)
    session.expire(assessment, ["findings", "corrective_actions"])  # loaded from the rows on first use
    return assessment
