"""A user-supplied country index (a prevalence or vulnerability score per country) from CSV.

Loomline ships no restricted index: an organisation that holds a licence for one (the Global
Slavery Index, say) imports its own copy, naming the edition and the licence note it is under.

Columns (case-insensitive): ``country`` (ISO alpha-2/alpha-3 code or an English name; also accepted
as ``country_code`` or ``iso``), ``value`` (a number), and optionally ``name``, ``edition`` and
``licence`` (or ``licence_note``), which must then be the same on every row. Countries that cannot
be mapped to an ISO code are reported and left out; every other bad value is an error naming its
line and column.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from graph.countries import country_code
from ingest.encoding import decode_text
from ingest.errors import ProblemList
from risk.reference.goods_list import MAX_BYTES, ReferenceFileError

_COUNTRY = ("country", "country_code", "iso", "iso2", "iso3")
_META = {"name": ("name", "index"), "edition": ("edition", "year"), "licence": ("licence", "licence_note", "license")}


@dataclass(frozen=True, slots=True)
class CountryIndex:
    values: dict[str, float]  # ISO alpha-2 -> value
    #: Name, edition and licence as the file states them (None where it does not).
    name: str | None
    edition: str | None
    licence: str | None
    unmapped_countries: tuple[str, ...]


def csv_rows(raw: bytes, *, table: str) -> list[list[str]]:
    """The rows of a user-supplied reference CSV (any encoding ``decode_text`` reads), refusing a
    file over ``MAX_BYTES`` or one without a header; ``table`` names the data in the problems."""
    if len(raw) > MAX_BYTES:
        raise reject(f"the file is {len(raw)} bytes; the limit is {MAX_BYTES}", table=table)
    rows = list(csv.reader(io.StringIO(decode_text(raw).text, newline="")))
    if not rows or not any(c.strip() for c in rows[0]):
        raise reject("the file is empty", table=table)
    return rows


def parse_country_index(raw: bytes) -> CountryIndex:
    rows = csv_rows(raw, table="index")
    header = _Header.of(rows[0])
    problems = ProblemList()
    values: dict[str, float] = {}
    unmapped: set[str] = set()
    meta: dict[str, set[str]] = {key: set() for key in _META}
    for line, cells in enumerate(rows[1:], start=2):
        if any(c.strip() for c in cells):
            _read_row(line, cells, header, problems, values, unmapped)
            for key, column in header.meta.items():
                if _cell(cells, column):
                    meta[key].add(_cell(cells, column))
    _check_metadata(meta, problems)
    if not values and not len(problems):
        problems.add("the file has no country values", table="index")
    if len(problems):
        raise ReferenceFileError(f"Country index: {len(problems)} problem(s) in the file", list(problems))
    first = {key: next(iter(seen), None) for key, seen in meta.items()}
    return CountryIndex(values, first["name"], first["edition"], first["licence"], tuple(sorted(unmapped)))


def _check_metadata(meta: dict[str, set[str]], problems: ProblemList) -> None:
    for key, seen in meta.items():
        if len(seen) > 1:
            problems.add(f"the file names several {key}s: {', '.join(sorted(seen))}", table="index", column=key)


@dataclass(frozen=True, slots=True)
class _Header:
    country: int
    value: int
    meta: dict[str, int]

    @classmethod
    def of(cls, names: list[str]) -> _Header:
        columns = {name.strip().casefold(): i for i, name in enumerate(names)}
        country = next((columns[c] for c in _COUNTRY if c in columns), None)
        if country is None or "value" not in columns:
            raise _reject("the header needs a country column (country, country_code or iso) and a value column", row=1)
        meta = {
            key: next(columns[a] for a in aliases if a in columns)
            for key, aliases in _META.items()
            if any(a in columns for a in aliases)
        }
        return cls(country, columns["value"], meta)


def _read_row(
    line: int, cells: list[str], header: _Header, problems: ProblemList, values: dict[str, float], unmapped: set[str]
) -> None:
    written, value_text = _cell(cells, header.country), _cell(cells, header.value)
    value = number(value_text)
    if value is None:
        problems.add(f"value {value_text!r} is not a number", table="index", row=line, column="value")
    code = country_code(written) if written else None
    if not written:
        problems.add("country is empty", table="index", row=line, column="country")
    elif code is None:
        unmapped.add(written)
    elif code in values:
        problems.add(f"{code} ({written}) appears twice", table="index", row=line, column="country")
    elif value is not None:
        values[code] = value


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def number(text: str) -> float | None:
    """A finite number, with a comma or a point as the decimal mark; None for anything else."""
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def reject(message: str, *, table: str, row: int | None = None) -> ReferenceFileError:
    """The whole file refused for one problem (with its line, where it has one)."""
    problems = ProblemList()
    problems.add(message, table=table, row=row)
    return ReferenceFileError(message, list(problems))


def _reject(message: str, row: int | None = None) -> ReferenceFileError:
    return reject(message, table="index", row=row)
