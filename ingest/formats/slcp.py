"""SLCP-style verified assessment (Converged Assessment Framework data), CSV or XLSX (and JSON).

Spec: ``docs/formats/slcp.md``. One row per question: self-assessed answer, and once verified the
verifier's accuracy mark, the corrected value and the legal non-compliance flag.
"""

from __future__ import annotations

from enum import StrEnum

from ingest.canonical import Assessment, AssessmentType, Finding, Modality, Scheme, Severity, SubjectKind
from ingest.errors import ProblemList
from ingest.fields import FieldReader
from ingest.formats import common
from ingest.mapping import SchemeMapping, load_mapping
from ingest.tabular import FileFormat, ReadLimits, SourceDocument, read_document

FORMATS: tuple[FileFormat, ...] = ("csv", "xlsx", "json")
TABLES = ("findings",)
COLUMNS = (
    "section",
    "question_ref",
    "self_assessed_answer",
    "verified_answer",
    "accuracy",
    "legal_non_compliance",
)


class SlcpStatus(StrEnum):
    ASI = "ASI"  # self/joint assessment in progress
    ASC = "ASC"  # assessment complete
    ASD = "ASD"  # assessment deleted/declined by the facility
    VRP = "VRP"  # verification pending
    VRQ = "VRQ"  # verification requested / quality check
    VRE = "VRE"  # verification in progress
    VRC = "VRC"  # verification complete
    VRD = "VRD"  # verification disputed
    VRF = "VRF"  # verification finalised


# Once the verifier has been through the questions, every row must carry its accuracy mark.
VERIFIED = frozenset({SlcpStatus.VRC, SlcpStatus.VRD, SlcpStatus.VRF})


class Accuracy(StrEnum):
    accurate = "accurate"
    inaccurate = "inaccurate"


class SelfType(StrEnum):
    self = "self"
    joint = "joint"


def parse(raw: bytes, *, file_format: FileFormat, limits: ReadLimits | None = None) -> Assessment:
    return parse_document(read_document(raw, file_format, TABLES, limits or ReadLimits()))


def parse_document(doc: SourceDocument) -> Assessment:
    mapping = load_mapping(Scheme.slcp)
    problems = ProblemList(doc.problems)
    header = common.header_reader(doc, problems)
    status_text = header.text("status", required=True)
    status = None
    if status_text is not None:
        try:
            status = SlcpStatus(status_text.upper())
        except ValueError:
            header.problem("status", f"{status_text!r} is not an SLCP status: {', '.join(SlcpStatus)}")
    self_type = header.enum("assessment_type", SelfType, required=True, field="type")
    step = header.text("step")
    if step is not None and step not in {"1", "2", "3"}:
        header.problem("step", f"{step!r} is not an SLCP step (1, 2 or 3)")
    subject = common.read_subject(header, SubjectKind.facility)
    assessor = common.read_assessor(header, key="verifier_organisation")
    period = common.read_period(header)
    modality = common.read_modality(header, Modality.onsite)
    version = header.text("scheme_version", required=True)
    findings = _findings(doc, mapping, problems, verified=status in VERIFIED)
    problems.raise_if_any("invalid SLCP assessment")
    status = common.checked(status)
    return Assessment(
        scheme=Scheme.slcp,
        scheme_version=common.checked(version),
        mapping_version=mapping.version,
        modality=common.checked(modality),
        type=AssessmentType.verified if status.value.startswith("VR") else AssessmentType(common.checked(self_type)),
        status=status.value,
        period=common.checked(period),
        assessor=common.checked(assessor),
        subject=common.checked(subject),
        findings=findings,
        terms=header.text("terms"),
        attributes=common.attributes(header, ("step", "assessment_type")),
    )


def _findings(
    doc: SourceDocument, mapping: SchemeMapping, problems: ProblemList, *, verified: bool
) -> tuple[Finding, ...]:
    table = doc.table("findings")
    common.require_rows(table, problems)
    missing = common.require_columns(table, COLUMNS, problems)
    findings = []
    for row in table.rows:
        reader = common.row_reader(table, row, problems)
        finding = _finding(reader, mapping, verified=verified, missing=missing)
        if finding is not None:
            findings.append(finding)
    return tuple(findings)


def _finding(reader: FieldReader, mapping: SchemeMapping, *, verified: bool, missing: set[str]) -> Finding | None:
    coded = common.lookup_code(mapping, reader, "question_ref") if "question_ref" not in missing else None
    answer = reader.text("self_assessed_answer")
    accuracy = reader.enum("accuracy", Accuracy, required=verified and "accuracy" not in missing, field="verified")
    corrected = reader.text("verified_answer")
    if accuracy is Accuracy.inaccurate and corrected is None and "verified_answer" not in missing:
        reader.problem(
            "verified_answer", "required when accuracy is inaccurate (the corrected value)", field="corrected_value"
        )
    legal = reader.flag("legal_non_compliance")
    if coded is None:
        return None
    ref, code = coded
    if legal:
        outcome = common.Outcome(severity=code.severity, scheme_severity="legal_non_compliance")
    elif accuracy is Accuracy.inaccurate:
        outcome = common.Outcome(
            severity=mapping.severity_of("inaccurate") or Severity.low, scheme_severity="inaccurate"
        )
    else:
        outcome = common.Outcome(severity=Severity.none)
    return common.make_finding(
        ref,
        code,
        outcome,
        section=reader.text("section"),
        question=reader.text("question"),
        answer=answer,
        verified=None if accuracy is None else accuracy is Accuracy.accurate,
        corrected_value=corrected if accuracy is Accuracy.inaccurate else None,
        legal_non_compliance=bool(legal),
        evidence_note=reader.text("evidence_note"),
    )
