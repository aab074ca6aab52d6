"""Better-Work-style compliance assessment and virtual compliance check (VCC). CSV or JSON.

Spec: ``docs/formats/better_work.md``. One row per question: cluster, compliance point, question,
compliant yes/no/not applicable, notes. A VCC is virtual or hybrid and names the triangulation
sources it used; in service phases 1 and 2 no visit is possible, so an on-site modality is refused.
"""

from __future__ import annotations

from enum import StrEnum

from ingest.canonical import (
    Assessment,
    AssessmentType,
    Finding,
    Modality,
    Scheme,
    Severity,
    SubjectKind,
    TriangulationSource,
)
from ingest.errors import ProblemList
from ingest.fields import FieldReader
from ingest.formats import common
from ingest.mapping import SchemeMapping, load_mapping
from ingest.tabular import FileFormat, ReadLimits, SourceDocument, read_document

FORMATS: tuple[FileFormat, ...] = ("csv", "json")
TABLES = ("findings",)
COLUMNS = ("cluster", "compliance_point", "question_id", "compliant")


class BwAssessmentType(StrEnum):
    assessment = "assessment"
    vcc = "vcc"


class Compliant(StrEnum):
    yes = "yes"
    no = "no"
    not_applicable = "not_applicable"


class ReportStatus(StrEnum):
    draft = "draft"
    final = "final"


COMPLIANT_ALIASES = {
    "n/a": Compliant.not_applicable,
    "na": Compliant.not_applicable,
    "true": Compliant.yes,
    "false": Compliant.no,
    "compliant": Compliant.yes,
    "non_compliant": Compliant.no,
}
NO_VISIT_PHASES = frozenset({"1", "2"})


def parse(raw: bytes, *, file_format: FileFormat, limits: ReadLimits | None = None) -> Assessment:
    return parse_document(read_document(raw, file_format, TABLES, limits or ReadLimits()))


def parse_document(doc: SourceDocument) -> Assessment:
    mapping = load_mapping(Scheme.better_work)
    problems = ProblemList(doc.problems)
    header = common.header_reader(doc, problems)
    version = header.text("scheme_version", required=True)
    kind = header.enum("assessment_type", BwAssessmentType, required=True, field="type")
    status = header.enum("status", ReportStatus, required=True)
    subject = common.read_subject(header, SubjectKind.facility)
    assessor = common.read_assessor(header)
    period = common.read_period(header)
    sources = header.enums("triangulation_sources", TriangulationSource)
    modality = _modality(header, kind, sources)
    findings = _findings(doc, mapping, problems)
    problems.raise_if_any("invalid Better Work assessment")
    return Assessment(
        scheme=Scheme.better_work,
        scheme_version=common.checked(version),
        mapping_version=mapping.version,
        modality=common.checked(modality),
        type=AssessmentType.vcc if kind is BwAssessmentType.vcc else AssessmentType.audit,
        status=common.checked(status).value,
        period=common.checked(period),
        assessor=common.checked(assessor),
        subject=common.checked(subject),
        findings=findings,
        terms=header.text("terms"),
        triangulation_sources=sources,
        attributes=common.attributes(header, ("service_phase", "announcement")),
    )


def _modality(
    header: FieldReader, kind: BwAssessmentType | None, sources: frozenset[TriangulationSource]
) -> Modality | None:
    default = Modality.virtual if kind is BwAssessmentType.vcc else Modality.onsite
    modality = common.read_modality(header, default)
    phase = header.text("service_phase")
    if phase is not None and phase not in {"1", "2", "3"}:
        header.problem("service_phase", f"{phase!r} is not a Better Work service phase (1, 2 or 3)")
    if kind is BwAssessmentType.vcc:
        if modality not in {None, Modality.virtual, Modality.hybrid}:
            header.problem("modality", "a virtual compliance check is virtual or hybrid")
        if not sources:
            header.problem(
                "triangulation_sources",
                "a virtual compliance check names the sources it triangulated: " + ", ".join(TriangulationSource),
            )
    if phase in NO_VISIT_PHASES and modality in {Modality.onsite, Modality.hybrid}:
        header.problem("modality", f"service phase {phase} allows no factory visits: {modality} is impossible")
    return modality


def _findings(doc: SourceDocument, mapping: SchemeMapping, problems: ProblemList) -> tuple[Finding, ...]:
    table = doc.table("findings")
    common.require_rows(table, problems)
    missing = common.require_columns(table, COLUMNS, problems)
    findings = []
    for row in table.rows:
        reader = common.row_reader(table, row, problems)
        finding = _finding(reader, mapping, missing=missing)
        if finding is not None:
            findings.append(finding)
    return tuple(findings)


def _finding(reader: FieldReader, mapping: SchemeMapping, *, missing: set[str]) -> Finding | None:
    cluster = reader.text("cluster", required="cluster" not in missing, field="section")
    point = reader.text("compliance_point", required="compliance_point" not in missing)
    coded = common.lookup_code(mapping, reader, "question_id") if "question_id" not in missing else None
    compliant = reader.enum("compliant", Compliant, required="compliant" not in missing, aliases=COMPLIANT_ALIASES)
    if coded is None or compliant is None or point is None:
        return None
    ref, code = coded
    if not ref.upper().startswith(point.upper()):
        reader.problem("question_id", f"{ref!r} is not a question of compliance point {point!r}", field="ref")
        return None
    if compliant is Compliant.no:
        outcome = common.Outcome(severity=code.severity, scheme_severity="non_compliant")
    else:
        outcome = common.Outcome(severity=Severity.none, scheme_severity=None)
    return common.make_finding(
        ref,
        code,
        outcome,
        section=cluster,
        question=reader.text("question"),
        answer=compliant.value,
        legal_non_compliance=reader.flag("legal_non_compliance") or False,
        evidence_note=reader.text("notes"),
    )
