"""Recruiter due-diligence questionnaire: fees charged to workers and by whom, contracts in the
worker's language, document retention, licence. CSV or JSON. Spec: ``docs/formats/recruiter_ddq.md``.

The subject is a recruiter, not a facility. Answers are checked against each other where the
questionnaire makes them depend on each other (a worker who pays fees is charged by someone).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from ingest.canonical import Assessment, AssessmentType, Finding, Modality, Scheme, SubjectKind
from ingest.errors import ProblemList
from ingest.fields import FieldReader
from ingest.formats import common, questionnaire
from ingest.mapping import SchemeMapping, load_mapping
from ingest.tabular import FileFormat, ReadLimits, SourceDocument, read_document

FORMATS: tuple[FileFormat, ...] = ("csv", "json")
TABLES = ("answers",)
COLUMNS = ("question_id", "answer")
FEE_AMOUNT = "DDQ-FEE-03"
_CURRENCY = re.compile(r"[A-Z]{3}")


class DdqType(StrEnum):
    self = "self"  # answered by the recruiter
    joint = "joint"
    verified = "verified"  # answers checked by an assessor


class ReportStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    verified = "verified"


def parse(raw: bytes, *, file_format: FileFormat, limits: ReadLimits | None = None) -> Assessment:
    return parse_document(read_document(raw, file_format, TABLES, limits or ReadLimits()))


def parse_document(doc: SourceDocument) -> Assessment:
    mapping = load_mapping(Scheme.recruiter_ddq)
    problems = ProblemList(doc.problems)
    header = common.header_reader(doc, problems)
    version = header.text("scheme_version", required=True)
    kind = header.enum("assessment_type", DdqType) if header.text("assessment_type") else DdqType.self
    status = header.enum("status", ReportStatus, required=True)
    header.date("licence_valid_until")
    subject = common.read_subject(header, SubjectKind.recruiter)
    assessor = common.read_assessor(header)
    period = common.read_period(header)
    modality = common.read_modality(header, Modality.desk)
    for key in ("origin_country", "destination_country"):
        value = header.text(key)
        if value is not None and not (len(value) == 2 and value.isalpha()):
            header.problem(key, f"{value!r} is not an ISO 3166-1 alpha-2 code")
    findings = _answers(doc, mapping, problems)
    _cross_check(header, findings, problems)
    problems.raise_if_any("invalid recruiter due-diligence questionnaire")
    return Assessment(
        scheme=Scheme.recruiter_ddq,
        scheme_version=common.checked(version),
        mapping_version=mapping.version,
        modality=common.checked(modality),
        type=AssessmentType(common.checked(kind).value),
        status=common.checked(status).value,
        period=common.checked(period),
        assessor=common.checked(assessor),
        subject=common.checked(subject),
        findings=findings,
        terms=header.text("terms"),
        attributes=common.attributes(
            header, ("licence_authority", "licence_valid_until", "origin_country", "destination_country", "sector")
        ),
    )


def _answers(doc: SourceDocument, mapping: SchemeMapping, problems: ProblemList) -> tuple[Finding, ...]:
    table = doc.table("answers")
    common.require_rows(table, problems)
    missing = common.require_columns(table, COLUMNS, problems)
    findings: list[Finding] = []
    seen: set[str] = set()
    for row in table.rows:
        reader = common.row_reader(table, row, problems)
        finding = _answer(reader, mapping, missing=missing)
        if finding is None:
            continue
        if finding.ref.upper() in seen:
            reader.problem("question_id", f"{finding.ref!r} is answered twice", field="ref")
            continue
        seen.add(finding.ref.upper())
        findings.append(finding)
    return tuple(findings)


def _answer(reader: FieldReader, mapping: SchemeMapping, *, missing: set[str]) -> Finding | None:
    coded = common.lookup_code(mapping, reader, "question_id") if "question_id" not in missing else None
    if coded is None:
        return None
    ref, code = coded
    question, note = reader.text("question"), reader.text("evidence_note")
    if code.code == FEE_AMOUNT:
        answer = _fee_amount(reader)
    else:
        answer = questionnaire.read_answer(reader, code)
        if answer is None and "answer" not in missing and reader.text("answer") is None:
            reader.problem("answer", "required", field="answer")
    if answer is None:
        return None
    return questionnaire.answer_finding(ref, code, answer, question=question, evidence_note=note)


def _fee_amount(reader: FieldReader) -> str | None:
    """The highest fee a worker paid: ``amount`` and ``currency`` columns (ISO 4217), e.g. 1200 USD."""
    amount = reader.text("amount", required=True, field="answer")
    currency = reader.text("currency", required=True, field="answer")
    value = None
    if amount is not None:
        try:
            value = Decimal(amount)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or value < 0:
            reader.problem("amount", f"{amount!r} is not an amount >= 0", field="answer")
            value = None
    if currency is not None and not _CURRENCY.fullmatch(currency):
        reader.problem("currency", f"{currency!r} is not an ISO 4217 currency code (e.g. USD)", field="answer")
        currency = None
    if value is None or currency is None:
        return None
    return f"{value} {currency}"


def _cross_check(header: FieldReader, findings: tuple[Finding, ...], problems: ProblemList) -> None:
    answers = {f.ref.upper(): f.answer for f in findings}
    workers_pay = answers.get("DDQ-FEE-01")
    charged_by = answers.get("DDQ-FEE-02")
    if workers_pay == "yes" and charged_by in {None, "none"}:
        problems.add(
            "workers pay fees (DDQ-FEE-01 = yes): DDQ-FEE-02 must say who charges them",
            table="answers",
            column="answer",
            field="DDQ-FEE-02",
        )
    if workers_pay == "no" and charged_by not in {None, "none"}:
        problems.add(
            f"DDQ-FEE-01 says workers pay no fees but DDQ-FEE-02 names {charged_by!r} as charging them",
            table="answers",
            column="answer",
            field="DDQ-FEE-02",
        )
    if answers.get("DDQ-LIC-01") == "yes" and header.text("licence_number") is None:
        header.problem("licence_number", "required when DDQ-LIC-01 says the agency is licensed", field="subject")
