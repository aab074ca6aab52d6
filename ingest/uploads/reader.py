"""Read an uploaded facility list (CSV or XLSX) into numbered rows of text cells, within limits.

Reuses the safe readers of ``ingest/``: encoding detection (UTF-8, BOM, UTF-16, Windows-1252),
the XLSX zip-bomb check and openpyxl with defusedxml. The whole file is checked before anything
is stored: format, size, header (required and unknown columns), row count.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import openpyxl

from core.errors import ErrorItem
from ingest.encoding import decode_text
from ingest.errors import FormatError
from ingest.tabular import ReadLimits, cell_text, check_zip, column_name
from ingest.uploads import columns
from ingest.uploads.errors import UploadFileInvalid, UploadFormatUnsupported, UploadTooLarge

ListFormat = Literal["csv", "xlsx"]
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class ListRow:
    number: int  # CSV line / XLSX sheet row, 1-based, the header counted
    cells: dict[str, str]  # known column -> text; empty cells left out


@dataclass(frozen=True, slots=True)
class FacilityList:
    file_format: ListFormat
    columns: tuple[str, ...]
    rows: tuple[ListRow, ...]


@dataclass(frozen=True, slots=True)
class UploadLimits:
    max_bytes: int
    max_rows: int


def detect_format(raw: bytes, filename: str) -> ListFormat:
    name = filename.lower()
    if raw.startswith(_ZIP_MAGIC) or name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".csv", ".txt", ".tsv")) or not name.rpartition(".")[1]:
        return "csv"
    raise UploadFormatUnsupported(
        f"{filename!r} is neither CSV nor XLSX; upload a .csv or .xlsx facility list",
        errors=[ErrorItem(("file",), "expected a .csv or .xlsx file")],
    )


def read_facility_list(raw: bytes, *, filename: str, limits: UploadLimits) -> FacilityList:
    """The rows of a facility list; raises before anything is stored when the file is unusable."""
    if len(raw) > limits.max_bytes:
        raise UploadTooLarge(
            f"the file is {len(raw)} bytes; the limit is {limits.max_bytes} bytes",
            errors=[ErrorItem(("file",), f"larger than {limits.max_bytes} bytes")],
        )
    if not raw.strip():
        raise UploadFileInvalid("the file is empty")
    file_format = detect_format(raw, filename)
    try:
        table = _csv_rows(raw, limits) if file_format == "csv" else _xlsx_rows(raw, limits)
        return _facility_list(file_format, table, limits)
    except FormatError as exc:  # the shared readers' whole-file problems (encoding, zip bomb...)
        raise UploadFileInvalid(exc.detail, errors=exc.errors) from None


def _too_many(limits: UploadLimits) -> UploadTooLarge:
    return UploadTooLarge(
        f"the file has more than {limits.max_rows} data rows; split it",
        errors=[ErrorItem(("file",), f"more than {limits.max_rows} rows")],
    )


def _csv_rows(raw: bytes, limits: UploadLimits) -> Iterator[tuple[int, Sequence[object]]]:
    text = decode_text(raw).text
    first = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for count, cells in enumerate(reader, start=1):
            if count > limits.max_rows + 1_000:  # blank lines do not count, but cannot go on forever
                raise _too_many(limits)
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UploadFileInvalid(f"the file is not valid CSV: {exc}") from None


def _xlsx_rows(raw: bytes, limits: UploadLimits) -> Iterator[tuple[int, Sequence[object]]]:
    check_zip(raw, ReadLimits(max_bytes=limits.max_bytes, max_rows=limits.max_rows))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, InvalidFileException, defusedxml errors)
        raise UploadFileInvalid("the workbook cannot be read") from None
    try:
        sheet: Any = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > limits.max_rows + 1_000:
                raise _too_many(limits)
            yield number, values
    except (UploadFileInvalid, UploadTooLarge):
        raise
    except Exception:  # read-only sheets parse lazily: bad XML surfaces while iterating
        raise UploadFileInvalid("the workbook cannot be read") from None
    finally:
        workbook.close()


def _header(number: int, head: Sequence[object]) -> tuple[str, ...]:
    names = tuple(column_name(c) for c in head)
    problems: list[ErrorItem] = []
    for i, name in enumerate(names):
        if name and name in names[:i]:
            problems.append(ErrorItem(("header", number, name), "column appears twice"))
        elif name and not columns.is_known(name):
            problems.append(ErrorItem(("header", number, name), "unknown column"))
    problems.extend(
        ErrorItem(("header", number, name), "required column missing") for name in columns.REQUIRED if name not in names
    )
    if problems:
        known = ", ".join((*columns.REQUIRED, *columns.ATTRIBUTES, *columns.KEPT, *columns.IDENTIFIERS))
        raise UploadFileInvalid(
            f"the header has {len(problems)} problem(s); columns are: {known}, x_<scheme>", errors=problems
        )
    return names


def _facility_list(
    file_format: ListFormat, table: Iterator[tuple[int, Sequence[object]]], limits: UploadLimits
) -> FacilityList:
    names: tuple[str, ...] | None = None
    rows: list[ListRow] = []
    for number, values in table:
        texts = [cell_text(v) for v in values]
        if not any(texts):
            continue
        if names is None:
            names = _header(number, values)
            continue
        cells = {name: text for name, text in zip(names, texts, strict=False) if name and text}
        rows.append(ListRow(number=number, cells=cells))
        if len(rows) > limits.max_rows:
            raise _too_many(limits)
    if names is None:
        raise UploadFileInvalid("the file has no header row")
    if not rows:
        raise UploadFileInvalid("the file has a header but no data rows")
    return FacilityList(file_format=file_format, columns=tuple(n for n in names if n), rows=tuple(rows))
