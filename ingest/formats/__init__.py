"""One parser module per assessment format; :func:`parse_assessment` picks it by scheme."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ingest.canonical import Assessment, Scheme
from ingest.errors import reject
from ingest.formats import better_work, recruiter_ddq, self_assessment, slcp, smeta
from ingest.tabular import FileFormat, ReadLimits, SourceDocument, document_from_json, read_document


@dataclass(frozen=True, slots=True)
class SchemeFormat:
    formats: tuple[FileFormat, ...]  # file formats accepted; every scheme also takes a JSON body
    tables: tuple[str, ...]
    parse_document: Callable[[SourceDocument], Assessment]


SCHEMES: Mapping[Scheme, SchemeFormat] = MappingProxyType(
    {
        Scheme.slcp: SchemeFormat(slcp.FORMATS, slcp.TABLES, slcp.parse_document),
        Scheme.smeta: SchemeFormat(smeta.FORMATS, smeta.TABLES, smeta.parse_document),
        Scheme.better_work: SchemeFormat(better_work.FORMATS, better_work.TABLES, better_work.parse_document),
        Scheme.self_assessment: SchemeFormat(
            self_assessment.FORMATS, self_assessment.TABLES, self_assessment.parse_document
        ),
        Scheme.recruiter_ddq: SchemeFormat(recruiter_ddq.FORMATS, recruiter_ddq.TABLES, recruiter_ddq.parse_document),
    }
)
_SUFFIXES: Mapping[str, FileFormat] = {"csv": "csv", "xlsx": "xlsx", "json": "json"}


def parse_assessment(
    raw: bytes, *, scheme: Scheme, file_format: FileFormat, limits: ReadLimits | None = None
) -> Assessment:
    """Parse one uploaded file; raise ``FormatError`` listing every problem in it."""
    spec = SCHEMES[scheme]
    if file_format not in spec.formats:
        raise reject(f"{scheme} assessments come as {', '.join(spec.formats)}, not {file_format}")
    return spec.parse_document(read_document(raw, file_format, spec.tables, limits or ReadLimits()))


def parse_assessment_json(body: object, *, scheme: Scheme, limits: ReadLimits | None = None) -> Assessment:
    """Parse an already-decoded JSON body (the API's JSON upload)."""
    spec = SCHEMES[scheme]
    return spec.parse_document(document_from_json(body, spec.tables, limits or ReadLimits()))


def detect_format(filename: str) -> FileFormat | None:
    """The format a file name announces (``.csv``, ``.xlsx``, ``.json``), or None."""
    return _SUFFIXES.get(filename.rsplit(".", 1)[-1].lower()) if "." in filename else None
