"""Read an uploaded CSV, XLSX or JSON file into one neutral shape, within limits, safely.

Every format becomes a :class:`SourceDocument`: a key/value ``record`` (the assessment header) and
named ``tables`` of rows whose cells are text. Scheme parsers only ever see that shape, so CSV, XLSX
and JSON share one validation path and report the same locations.

Layouts (see ``docs/formats/``):
- CSV: the header block (``key,value`` lines), a blank line, then each table as a header row and data
  rows, tables separated by blank lines, in the order the scheme lists them.
- XLSX: a sheet ``assessment`` (keys in column A, values in column B) and one sheet per table.
- JSON: ``{"assessment": {...}, "<table>": [{...}, ...]}``.

Safety: size and row limits are parameters; XLSX is a zip, so its members' declared uncompressed
sizes and compression ratio are checked before openpyxl opens it (zipfile never inflates a member
past its declared size, so the check cannot be lied around); openpyxl parses XML with defusedxml,
which refuses entity expansion and external entities.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

import openpyxl

from ingest.encoding import decode_text
from ingest.errors import FormatError, ParseProblem, ProblemList, reject

FileFormat = Literal["csv", "xlsx", "json"]
RECORD = "assessment"

if not openpyxl.DEFUSEDXML:  # pragma: no cover - only when defusedxml is missing or OPENPYXL_DEFUSEDXML=False
    raise RuntimeError("openpyxl must parse XLSX with defusedxml: install defusedxml, unset OPENPYXL_DEFUSEDXML")


@dataclass(frozen=True, slots=True)
class ReadLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 50_000  # data rows over all tables
    max_uncompressed_bytes: int = 200 * 1024 * 1024  # XLSX: sum of the zip members' sizes
    max_compression_ratio: float = 100.0  # XLSX: uncompressed / compressed, whole archive
    max_zip_members: int = 1_000


@dataclass(frozen=True, slots=True)
class SourceRow:
    number: int  # CSV line, XLSX sheet row, JSON array position (all 1-based)
    cells: Mapping[str, str]  # normalised column name -> text ("" when empty)


@dataclass(frozen=True, slots=True)
class SourceTable:
    name: str
    columns: tuple[str, ...]
    header_row: int | None  # where the column names are (None for JSON)
    rows: tuple[SourceRow, ...]


@dataclass(frozen=True, slots=True)
class SourceDocument:
    file_format: FileFormat
    record: Mapping[str, str]  # header key -> value
    record_rows: Mapping[str, int | None]  # header key -> line/row it came from
    tables: Mapping[str, SourceTable] = field(default_factory=dict)
    problems: tuple[ParseProblem, ...] = ()  # layout problems (repeated keys or columns) the parser reports too

    def table(self, name: str) -> SourceTable:
        return self.tables.get(name) or SourceTable(name=name, columns=(), header_row=None, rows=())


def column_name(raw: object) -> str:
    """Column and key names compare case- and spacing-insensitively: ``Question Ref`` == ``question_ref``."""
    return "_".join(cell_text(raw).lower().replace("-", " ").split())


def cell_text(value: object) -> str:
    """The text of one cell, whatever the format gave: dates as ISO dates, 3.0 as 3, booleans as yes/no."""
    if type(value) is str:  # nearly every cell: skip the other checks
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return ";".join(cell_text(v) for v in value)
    return str(value).strip()


def read_document(raw: bytes, file_format: FileFormat, tables: Sequence[str], limits: ReadLimits) -> SourceDocument:
    if len(raw) > limits.max_bytes:
        raise reject(f"the file is {len(raw)} bytes; the limit is {limits.max_bytes}")
    if not raw:
        raise reject("the file is empty")
    if file_format == "csv":
        return _read_csv(raw, tables, limits)
    if file_format == "xlsx":
        return _read_xlsx(raw, tables, limits)
    return _read_json(raw, tables, limits)


# --- CSV ---------------------------------------------------------------------------------------


def _read_csv(raw: bytes, tables: Sequence[str], limits: ReadLimits) -> SourceDocument:
    text = decode_text(raw).text
    try:
        lines = list(_numbered_rows(text, limits))
    except csv.Error as exc:
        raise reject(f"the file is not valid CSV: {exc}") from None
    blocks = _blocks(lines)
    if not blocks:
        raise reject("the file has no rows")
    layout: list[ParseProblem] = []
    record, record_rows = _key_values(blocks[0], layout)
    if len(blocks) - 1 > len(tables):
        extra = blocks[len(tables) + 1][0][0]
        raise reject(
            f"unexpected block starting on line {extra}: this format has {len(tables)} table(s) ({', '.join(tables)})",
            row=extra,
        )
    read = {name: _table(name, block, layout) for name, block in zip(tables, blocks[1:], strict=False)}
    _check_rows(read, limits)
    return SourceDocument(
        file_format="csv", record=record, record_rows=record_rows, tables=read, problems=tuple(layout)
    )


def _check_rows(tables: Mapping[str, SourceTable], limits: ReadLimits) -> None:
    # The streaming guards stop a huge file early; this is the exact count of data rows.
    rows = sum(len(t.rows) for t in tables.values())
    if rows > limits.max_rows:
        raise reject(f"the file has {rows} data rows, more than {limits.max_rows}; split it")


def _numbered_rows(text: str, limits: ReadLimits) -> Iterator[tuple[int, list[str]]]:
    # csv.reader counts physical lines (a quoted cell may span several); report the line a row starts on.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    start = 1
    for count, cells in enumerate(reader, start=1):
        if count > limits.max_rows + 100:  # the header block and table heads are a few lines more
            raise reject(f"the file has more than {limits.max_rows} rows; split it")
        yield start, cells
        start = reader.line_num + 1


def _delimiter(text: str) -> str:
    """Comma, or what a spreadsheet in a comma-decimal locale writes instead (semicolon), or tab.

    Decided by the first line, which is always a key/value or column-name line without quotes."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def _blocks(lines: Iterable[tuple[int, list[str]]]) -> list[list[tuple[int, list[str]]]]:
    blocks: list[list[tuple[int, list[str]]]] = [[]]
    for number, cells in lines:
        if all(not c.strip() for c in cells):
            if blocks[-1]:
                blocks.append([])
            continue
        blocks[-1].append((number, cells))
    return [b for b in blocks if b]


def _key_values(
    block: Sequence[tuple[int, Sequence[object]]], problems: list[ParseProblem]
) -> tuple[dict[str, str], dict[str, int | None]]:
    record: dict[str, str] = {}
    rows: dict[str, int | None] = {}
    for number, cells in block:
        key = column_name(cells[0]) if cells else ""
        if key == "key":  # the optional "key,value" title row
            continue
        if key in record:
            problems.append(
                ParseProblem(f"{key!r} appears twice (also on row {rows[key]})", table=RECORD, row=number, column=key)
            )
        elif key:
            record[key] = cell_text(cells[1]) if len(cells) > 1 else ""
            rows[key] = number
    return record, rows


def _table(name: str, block: Sequence[tuple[int, Sequence[object]]], problems: list[ParseProblem]) -> SourceTable:
    header_row, head = block[0]
    columns = tuple(column_name(c) for c in head)
    for i, column in enumerate(columns):
        if column and column in columns[:i]:
            problems.append(ParseProblem("column appears twice", table=name, row=header_row, column=column))
    rows = []
    for number, cells in block[1:]:
        values: dict[str, str] = {}
        for col, v in zip(columns, cells, strict=False):
            if col and col not in values:  # a repeated column (reported above) keeps its first value
                values[col] = cell_text(v)
        rows.append(SourceRow(number=number, cells=values))
    return SourceTable(name=name, columns=tuple(c for c in columns if c), header_row=header_row, rows=tuple(rows))


# --- XLSX --------------------------------------------------------------------------------------


def check_zip(raw: bytes, limits: ReadLimits) -> None:
    """Refuse an archive that would inflate beyond the limits, before anything decompresses it."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, EOFError):
        raise reject("the file is not an XLSX workbook (not a zip archive)") from None
    if len(members) > limits.max_zip_members:
        raise reject(f"the workbook has {len(members)} parts; the limit is {limits.max_zip_members}")
    unpacked = sum(m.file_size for m in members)
    packed = max(1, sum(m.compress_size for m in members))
    if unpacked > limits.max_uncompressed_bytes:
        raise reject(f"the workbook unpacks to {unpacked} bytes; the limit is {limits.max_uncompressed_bytes}")
    if unpacked / packed > limits.max_compression_ratio:
        raise reject(
            f"the workbook's compression ratio is {unpacked / packed:.0f}:1; the limit is "
            f"{limits.max_compression_ratio:.0f}:1 (a zip bomb?)"
        )


def _read_xlsx(raw: bytes, tables: Sequence[str], limits: ReadLimits) -> SourceDocument:
    check_zip(raw, limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, InvalidFileException, defusedxml errors)
        raise _unreadable(exc) from None
    try:
        return _read_sheets(workbook, tables, limits)
    except FormatError:
        raise
    except Exception as exc:  # read-only sheets parse lazily: bad XML surfaces while iterating
        raise _unreadable(exc) from None
    finally:
        workbook.close()


def _unreadable(exc: BaseException) -> FormatError:
    # openpyxl wraps the parser's error (e.g. defusedxml's EntitiesForbidden) in a ValueError: name the cause.
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return reject(f"the workbook cannot be read: {type(exc).__name__}")


def _read_sheets(workbook: Any, tables: Sequence[str], limits: ReadLimits) -> SourceDocument:
    sheets = {column_name(name): name for name in workbook.sheetnames}
    if RECORD not in sheets:
        raise reject(f"the workbook has no sheet named {RECORD!r} (sheets: {', '.join(workbook.sheetnames)})")
    budget = _RowBudget(limits)
    layout: list[ParseProblem] = []
    record, record_rows = _key_values(list(_sheet_rows(workbook[sheets[RECORD]], budget)), layout)
    read = {}
    for name in tables:
        if name in sheets:
            rows = list(_sheet_rows(workbook[sheets[name]], budget))
            if rows:
                read[name] = _table(name, rows, layout)
    _check_rows(read, limits)
    return SourceDocument(
        file_format="xlsx", record=record, record_rows=record_rows, tables=read, problems=tuple(layout)
    )


class _RowBudget:
    def __init__(self, limits: ReadLimits) -> None:
        self.left = limits.max_rows + 100
        self.limit = limits.max_rows

    def take(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise reject(f"the workbook has more than {self.limit} rows; split it")


def _sheet_rows(sheet: object, budget: _RowBudget) -> Iterator[tuple[int, tuple[object, ...]]]:
    iter_rows = getattr(sheet, "iter_rows", None)
    if iter_rows is None:  # a chartsheet
        return
    for number, values in enumerate(iter_rows(values_only=True), start=1):
        if any(cell_text(v) for v in values):
            budget.take()
            yield number, tuple(values)


# --- JSON --------------------------------------------------------------------------------------


def _read_json(raw: bytes, tables: Sequence[str], limits: ReadLimits) -> SourceDocument:
    text = decode_text(raw).text
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise reject(f"the file is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    return document_from_json(body, tables, limits)


def document_from_json(body: object, tables: Sequence[str], limits: ReadLimits) -> SourceDocument:
    """Also the entry for a JSON request body the API has already decoded."""
    problems = ProblemList()
    if not isinstance(body, dict):
        raise reject("the JSON document must be an object with an 'assessment' object")
    header = body.get(RECORD)
    if not isinstance(header, dict):
        problems.add("missing or not an object", table=RECORD, field=RECORD)
        header = {}
    record = {column_name(k): cell_text(v) for k, v in header.items()}
    total = 0
    read: dict[str, SourceTable] = {}
    for name in tables:
        items = body.get(name, [])
        if not isinstance(items, list):
            problems.add("must be an array of objects", table=name, field=name)
            continue
        total += len(items)
        if total > limits.max_rows:
            raise reject(f"the document has more than {limits.max_rows} rows; split it")
        rows = []
        for i, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                problems.add("must be an object", table=name, row=i)
                continue
            rows.append(SourceRow(number=i, cells={column_name(k): cell_text(v) for k, v in item.items()}))
        columns = tuple(dict.fromkeys(c for r in rows for c in r.cells))
        read[name] = SourceTable(name=name, columns=columns, header_row=None, rows=tuple(rows))
    problems.raise_if_any("invalid JSON assessment")
    return SourceDocument(file_format="json", record=record, record_rows=dict.fromkeys(record, None), tables=read)
