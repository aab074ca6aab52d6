"""SMETA-style audit: header, non-compliances and the corrective action plan. XLSX or JSON.

Spec: ``docs/formats/smeta.md``. Severity is the auditor's grade (critical / major / minor); each
corrective action names the non-compliance it answers by its ``nc_ref``.
"""

from __future__ import annotations

from enum import StrEnum

from ingest.canonical import (
    ActionStatus,
    Assessment,
    AssessmentType,
    CorrectiveAction,
    Finding,
    Modality,
    Scheme,
    SubjectKind,
    Topic,
)
from ingest.errors import ProblemList
from ingest.fields import FieldReader
from ingest.formats import common
from ingest.mapping import SchemeMapping, load_mapping
from ingest.tabular import FileFormat, ReadLimits, SourceDocument, read_document

FORMATS: tuple[FileFormat, ...] = ("xlsx", "json")
TABLES = ("non_compliances", "corrective_actions")
NC_COLUMNS = ("nc_ref", "code_area", "severity", "description")
CA_COLUMNS = ("nc_ref", "action", "due_date", "status")
FOUR_PILLAR_TOPICS = frozenset({Topic.environment, Topic.business_ethics})


class AuditType(StrEnum):
    full_initial = "full_initial"
    periodic = "periodic"
    full_follow_up = "full_follow_up"
    partial_follow_up = "partial_follow_up"


class Announcement(StrEnum):
    announced = "announced"
    semi_announced = "semi_announced"
    unannounced = "unannounced"


class Pillars(StrEnum):
    two = "2"
    four = "4"


class ReportStatus(StrEnum):
    draft = "draft"
    final = "final"


ACTION_ALIASES = {"progress_made": ActionStatus.progress, "in_progress": ActionStatus.progress}


def parse(raw: bytes, *, file_format: FileFormat, limits: ReadLimits | None = None) -> Assessment:
    return parse_document(read_document(raw, file_format, TABLES, limits or ReadLimits()))


def parse_document(doc: SourceDocument) -> Assessment:
    mapping = load_mapping(Scheme.smeta)
    problems = ProblemList(doc.problems)
    header = common.header_reader(doc, problems)
    version = header.text("scheme_version", required=True)
    pillars = header.enum(
        "pillars", Pillars, required=True, aliases={"2_pillar": Pillars.two, "4_pillar": Pillars.four}
    )
    header.enum("audit_type", AuditType, required=True)
    header.enum("announcement", Announcement, required=True)
    status = header.enum("status", ReportStatus, required=True)
    subject = common.read_subject(header, SubjectKind.facility)
    assessor = common.read_assessor(header, key="auditor_organisation")
    period = common.read_period(header)
    modality = common.read_modality(header, Modality.onsite)
    findings, nc_refs = _non_compliances(doc, mapping, problems, four_pillar=pillars is Pillars.four)
    actions = _actions(doc, problems, nc_refs)
    problems.raise_if_any("invalid SMETA audit")
    return Assessment(
        scheme=Scheme.smeta,
        scheme_version=common.checked(version),
        mapping_version=mapping.version,
        modality=common.checked(modality),
        type=AssessmentType.audit,
        status=common.checked(status).value,
        period=common.checked(period),
        assessor=common.checked(assessor),
        subject=common.checked(subject),
        findings=findings,
        corrective_actions=actions,
        terms=header.text("terms"),
        attributes=common.attributes(header, ("pillars", "audit_type", "announcement")),
    )


def _non_compliances(
    doc: SourceDocument, mapping: SchemeMapping, problems: ProblemList, *, four_pillar: bool
) -> tuple[tuple[Finding, ...], set[str]]:
    """The findings, and every nc_ref listed (also of rows with problems: actions may point to them)."""
    table = doc.table("non_compliances")
    missing = common.require_columns(table, NC_COLUMNS, problems)
    findings: list[Finding] = []
    seen: set[str] = set()
    for row in table.rows:
        reader = common.row_reader(table, row, problems)
        nc_ref = reader.text("nc_ref", required="nc_ref" not in missing, field="source_id")
        if nc_ref is not None:
            if nc_ref in seen:
                reader.problem("nc_ref", f"{nc_ref!r} appears twice", field="source_id")
            seen.add(nc_ref)
        finding = _finding(reader, mapping, nc_ref, missing=missing)
        if finding is None:
            continue
        if finding.topic in FOUR_PILLAR_TOPICS and not four_pillar:
            reader.problem("code_area", f"{finding.ref!r} is a 4-pillar code area in a 2-pillar audit", field="ref")
            continue
        findings.append(finding)
    return tuple(findings), seen


def _finding(reader: FieldReader, mapping: SchemeMapping, nc_ref: str | None, *, missing: set[str]) -> Finding | None:
    coded = common.lookup_code(mapping, reader, "code_area") if "code_area" not in missing else None
    label = reader.text("severity", required="severity" not in missing, field="scheme_severity")
    severity = mapping.severity_of(label) if label is not None else None
    if label is not None and severity is None:
        reader.problem("severity", f"{label!r} is not one of: {', '.join(mapping.severities)}", field="scheme_severity")
    description = reader.text("description", required="description" not in missing, field="answer")
    if coded is None or severity is None or nc_ref is None:
        return None
    ref, code = coded
    return common.make_finding(
        ref,
        code,
        common.Outcome(severity=severity, scheme_severity=label.lower() if label else None),
        source_id=nc_ref,
        answer=description,
        legal_non_compliance=reader.flag("legal_non_compliance") or False,
        evidence_note=_join(reader.text("evidence_note"), reader.text("root_cause"), "root cause: "),
    )


def _join(note: str | None, root_cause: str | None, prefix: str) -> str | None:
    parts = [p for p in (note, f"{prefix}{root_cause}" if root_cause else None) if p]
    return "\n".join(parts) or None


def _actions(doc: SourceDocument, problems: ProblemList, nc_refs: set[str]) -> tuple[CorrectiveAction, ...]:
    table = doc.table("corrective_actions")
    missing = common.require_columns(table, CA_COLUMNS, problems)
    actions = []
    for row in table.rows:
        reader = common.row_reader(table, row, problems)
        nc_ref = reader.text("nc_ref", required="nc_ref" not in missing, field="finding_ref")
        if nc_ref is not None and nc_ref not in nc_refs:
            reader.problem("nc_ref", f"{nc_ref!r} is not the nc_ref of a listed non-compliance", field="finding_ref")
        action = reader.text("action", required="action" not in missing)
        due = reader.date("due_date", required="due_date" not in missing)
        status = reader.enum("status", ActionStatus, required="status" not in missing, aliases=ACTION_ALIASES)
        if action is None or status is None:
            continue
        actions.append(
            CorrectiveAction(
                action=action,
                status=status,
                finding_ref=nc_ref,
                owner=reader.text("owner"),
                due_date=due,
                root_cause=reader.text("root_cause"),
            )
        )
    return tuple(actions)
