"""What every scheme parser shares: header fields (subject, assessor, period), required columns,
code lookup in the scheme's mapping table, and the finding a mapped code becomes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from ingest.canonical import (
    AssessedPeriod,
    Assessor,
    Finding,
    Modality,
    Severity,
    Subject,
    SubjectIdentifier,
    SubjectKind,
)
from ingest.errors import ProblemList
from ingest.fields import FieldReader
from ingest.mapping import CodeMapping, SchemeMapping
from ingest.tabular import RECORD, SourceDocument, SourceRow, SourceTable

T = TypeVar("T")

# Header keys that carry a subject id, per subject kind: key -> identifier scheme.
FACILITY_IDS = {
    "loomline_facility_id": "loomline",
    "slcp_facility_id": "slcp",
    "sedex_site_id": "sedex",
    "os_id": "open_supply_hub",
    "better_work_factory_id": "better_work",
}
RECRUITER_IDS = {
    "loomline_recruiter_id": "loomline",
    "licence_number": "licence",
    "iris_id": "iom_iris",
}


def header_reader(doc: SourceDocument, problems: ProblemList) -> FieldReader:
    return FieldReader(doc.record, problems, table=RECORD, rows=doc.record_rows)


def row_reader(table: SourceTable, row: SourceRow, problems: ProblemList) -> FieldReader:
    return FieldReader(row.cells, problems, table=table.name, row=row.number)


def read_subject(header: FieldReader, kind: SubjectKind) -> Subject | None:
    keys = FACILITY_IDS if kind is SubjectKind.facility else RECRUITER_IDS
    ids = tuple(
        SubjectIdentifier(scheme=scheme, value=value)
        for key, scheme in keys.items()
        if (value := header.text(key)) is not None
    )
    if not ids:
        header.problem(next(iter(keys)), f"at least one {kind} id is required: {', '.join(keys)}", field="subject")
        return None
    name = header.text(f"{kind.value}_name")
    country = header.text("country")
    if country is not None and not (len(country) == 2 and country.isalpha()):
        header.problem("country", f"{country!r} is not an ISO 3166-1 alpha-2 code", field="subject.country")
        country = None
    return Subject(kind=kind, identifiers=ids, name=name, country=country.upper() if country else None)


def read_assessor(header: FieldReader, *, key: str = "assessor_organisation") -> Assessor | None:
    organisation = header.text(key, required=True, field="assessor.organisation")
    if organisation is None:
        return None
    return Assessor(
        organisation=organisation,
        identifier=header.text(key.replace("_organisation", "_id")),
        lead=header.text(key.replace("_organisation", "_lead")),
    )


def read_period(header: FieldReader) -> AssessedPeriod | None:
    start = header.date("period_start", required=True, field="period.start_date")
    end = header.date("period_end", required=True, field="period.end_date")
    if start is None or end is None:
        return None
    if end < start:
        header.problem("period_end", f"ends ({end}) before it starts ({start})", field="period.end_date")
        return None
    return AssessedPeriod(start_date=start, end_date=end)


def read_modality(header: FieldReader, default: Modality) -> Modality | None:
    if header.text("modality") is None:
        return default
    return header.enum("modality", Modality, aliases={"on_site": Modality.onsite, "remote": Modality.virtual})


def require_columns(table: SourceTable, columns: Sequence[str], problems: ProblemList) -> set[str]:
    """Report each missing column once (not once per row); return the ones that are missing."""
    if table.header_row is None:  # JSON: each row names its keys; a missing key is a missing value
        return set()
    missing = [c for c in columns if c not in table.columns]
    for column in missing:
        problems.add("missing column", table=table.name, row=table.header_row, column=column, field=column)
    return set(missing)


def require_rows(table: SourceTable, problems: ProblemList) -> None:
    if not table.rows:
        problems.add(f"no {table.name.replace('_', ' ')}: the file must list at least one", table=table.name)


def lookup_code(mapping: SchemeMapping, reader: FieldReader, column: str) -> tuple[str, CodeMapping] | None:
    ref = reader.text(column, required=True, field="ref")
    if ref is None:
        return None
    code = mapping.lookup(ref)
    if code is None:
        reader.problem(
            column,
            f"{ref!r} is not a known {mapping.scheme.value} code (mapping version {mapping.version})",
            field="ref",
        )
        return None
    return ref, code


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one row reads: its answer and whether (and how badly) it is a finding against the code."""

    severity: Severity
    scheme_severity: str | None = None


def make_finding(
    ref: str,
    code: CodeMapping,
    outcome: Outcome,
    *,
    section: str | None = None,
    question: str | None = None,
    answer: str | None = None,
    verified: bool | None = None,
    corrected_value: str | None = None,
    legal_non_compliance: bool = False,
    evidence_note: str | None = None,
    source_id: str | None = None,
) -> Finding:
    # ILO indicators describe a problem: a compliant answer on a forced-labour question is not tagged.
    adverse = outcome.severity is not Severity.none or legal_non_compliance
    return Finding(
        ref=ref,
        topic=code.topic,
        source_id=source_id,
        section=section,
        question=question or (code.label or None),
        answer=answer,
        verified=verified,
        corrected_value=corrected_value,
        legal_non_compliance=legal_non_compliance,
        scheme_severity=outcome.scheme_severity,
        severity=outcome.severity,
        ilo_indicators=code.ilo_indicators if adverse else frozenset(),
        evidence_note=evidence_note,
    )


def attributes(header: FieldReader, keys: Iterable[str]) -> tuple[tuple[str, str], ...]:
    return tuple((key, value) for key in keys if (value := header.text(key)) is not None)


def checked(value: T | None) -> T:
    """A field that was read without problems. Call only after ``ProblemList.raise_if_any``: every
    getter that returns None records a problem, so None here is a bug in the parser, not in the file."""
    if value is None:
        raise RuntimeError("a field was missing but no problem was recorded")
    return value
