"""Self-assessment questionnaire (answers by management) or worker-voice survey aggregates
(answer distributions over respondents). CSV or JSON. Spec: ``docs/formats/self_assessment.md``."""

from __future__ import annotations

from enum import StrEnum

from ingest.canonical import Assessment, AssessmentType, Finding, Modality, Scheme, SubjectKind
from ingest.errors import ProblemList
from ingest.fields import FieldReader
from ingest.formats import common, questionnaire
from ingest.mapping import SchemeMapping, load_mapping
from ingest.tabular import FileFormat, ReadLimits, SourceDocument, read_document

FORMATS: tuple[FileFormat, ...] = ("csv", "json")
TABLES = ("answers",)


class Survey(StrEnum):
    questionnaire = "questionnaire"  # one answer per question, given by the facility's management
    worker_voice = "worker_voice"  # aggregated answers of workers: a distribution per question


class ReportStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"


def parse(raw: bytes, *, file_format: FileFormat, limits: ReadLimits | None = None) -> Assessment:
    return parse_document(read_document(raw, file_format, TABLES, limits or ReadLimits()))


def parse_document(doc: SourceDocument) -> Assessment:
    mapping = load_mapping(Scheme.self_assessment)
    problems = ProblemList(doc.problems)
    header = common.header_reader(doc, problems)
    version = header.text("scheme_version", required=True)
    survey = header.enum("survey", Survey, required=True)
    status = header.enum("status", ReportStatus, required=True)
    respondents = header.count("respondents", required=survey is Survey.worker_voice)
    subject = common.read_subject(header, SubjectKind.facility)
    assessor = common.read_assessor(header)
    period = common.read_period(header)
    modality = common.read_modality(header, Modality.desk)
    findings = _answers(doc, mapping, problems, survey) if survey is not None else ()
    problems.raise_if_any("invalid self-assessment")
    return Assessment(
        scheme=Scheme.self_assessment,
        scheme_version=common.checked(version),
        mapping_version=mapping.version,
        modality=common.checked(modality),
        type=AssessmentType.self,
        status=common.checked(status).value,
        period=common.checked(period),
        assessor=common.checked(assessor),
        subject=common.checked(subject),
        findings=findings,
        terms=header.text("terms"),
        attributes=(("survey", common.checked(survey).value),)
        + ((("respondents", str(respondents)),) if respondents is not None else ()),
    )


def _answers(doc: SourceDocument, mapping: SchemeMapping, problems: ProblemList, survey: Survey) -> tuple[Finding, ...]:
    table = doc.table("answers")
    common.require_rows(table, problems)
    value_column = "answer" if survey is Survey.questionnaire else "distribution"
    missing = common.require_columns(table, ("question_id", value_column), problems)
    findings = []
    for row in table.rows:
        reader = common.row_reader(table, row, problems)
        finding = _answer(reader, mapping, survey, missing=missing)
        if finding is not None:
            findings.append(finding)
    return tuple(findings)


def _answer(reader: FieldReader, mapping: SchemeMapping, survey: Survey, *, missing: set[str]) -> Finding | None:
    coded = common.lookup_code(mapping, reader, "question_id") if "question_id" not in missing else None
    if coded is None:
        return None
    ref, code = coded
    question, note = reader.text("question"), reader.text("evidence_note")
    if survey is Survey.questionnaire:
        answer = questionnaire.read_answer(reader, code)
        if answer is None:
            if "answer" not in missing and reader.text("answer") is None:
                reader.problem("answer", "required", field="answer")
            return None
        return questionnaire.answer_finding(ref, code, answer, question=question, evidence_note=note)
    distribution = questionnaire.read_distribution(reader, code)
    if distribution is None:
        if "distribution" not in missing and reader.text("distribution") is None:
            reader.problem("distribution", "required (answer=count;answer=count)", field="answer")
        return None
    return questionnaire.distribution_finding(ref, code, mapping, distribution, question=question, evidence_note=note)
