"""Corridor risk weights (0-1 per migration corridor, optionally per sector) from CSV.

Loomline ships no corridor weights: how risky a route is for recruitment-fee debt and deception
is the importing organisation's judgement (or a licensed source's), so it imports its own table,
naming the edition and the licence it is under.

Columns (case-insensitive): ``origin`` and ``destination`` (ISO alpha-2/alpha-3 code or an
English name), ``weight`` (a number from 0 to 1), optionally ``sector`` (empty = any sector), and
optionally ``name``, ``edition`` and ``licence`` (or ``licence_note``), which must then be the same
on every row. Countries that cannot be mapped to an ISO code are reported and their rows left out;
every other bad value is an error naming its line and column, and a route (origin, destination,
sector compared without case) named twice is an error naming both lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.countries import country_code
from ingest.errors import ProblemList
from risk.reference.country_index import csv_rows, number, reject
from risk.reference.goods_list import ReferenceFileError

_TABLE = "corridors"
_META = {"name": ("name",), "edition": ("edition", "year"), "licence": ("licence", "licence_note", "license")}


@dataclass(frozen=True, slots=True)
class CorridorWeight:
    origin: str  # ISO alpha-2
    destination: str  # ISO alpha-2
    #: As written in the file; '' = any sector.
    sector: str
    weight: float


@dataclass(frozen=True, slots=True)
class CorridorWeights:
    weights: tuple[CorridorWeight, ...]
    #: Name, edition and licence as the file states them (None where it does not).
    name: str | None
    edition: str | None
    licence: str | None
    unmapped_countries: tuple[str, ...]


def parse_corridor_weights(raw: bytes) -> CorridorWeights:
    rows = csv_rows(raw, table=_TABLE)
    header = _Header.of(rows[0])
    reader = _Reader(header)
    for line, cells in enumerate(rows[1:], start=2):
        if any(c.strip() for c in cells):
            reader.read(line, cells)
    for key, seen in reader.meta.items():
        if len(seen) > 1:
            reader.problems.add(f"the file names several {key}s: {', '.join(sorted(seen))}", table=_TABLE, column=key)
    if not reader.weights and not len(reader.problems):
        reader.problems.add("the file has no corridor weights", table=_TABLE)
    if len(reader.problems):
        n = len(reader.problems)
        raise ReferenceFileError(f"Corridor weights: {n} problem(s) in the file", list(reader.problems))
    first = {key: next(iter(seen), None) for key, seen in reader.meta.items()}
    return CorridorWeights(
        tuple(reader.weights.values()),
        first["name"],
        first["edition"],
        first["licence"],
        tuple(sorted(reader.unmapped)),
    )


@dataclass(frozen=True, slots=True)
class _Header:
    origin: int
    destination: int
    weight: int
    sector: int | None
    meta: dict[str, int]

    @classmethod
    def of(cls, names: list[str]) -> _Header:
        columns = {name.strip().casefold(): i for i, name in enumerate(names)}
        missing = [c for c in ("origin", "destination", "weight") if c not in columns]
        if missing:
            raise _reject(
                f"the header needs origin, destination and weight columns (missing: {', '.join(missing)})", row=1
            )
        meta = {
            key: next(columns[a] for a in aliases if a in columns)
            for key, aliases in _META.items()
            if any(a in columns for a in aliases)
        }
        return cls(columns["origin"], columns["destination"], columns["weight"], columns.get("sector"), meta)


class _Reader:
    """Reads the rows one by one, collecting weights, unmapped names, metadata and problems."""

    def __init__(self, header: _Header) -> None:
        self.header = header
        self.problems = ProblemList()
        #: (origin, destination, case-folded sector) -> weight
        self.weights: dict[tuple[str, str, str], CorridorWeight] = {}
        self.lines: dict[tuple[str, str, str], int] = {}
        self.unmapped: set[str] = set()
        self.meta: dict[str, set[str]] = {key: set() for key in _META}

    def read(self, line: int, cells: list[str]) -> None:
        origin = self._country(line, _cell(cells, self.header.origin), "origin")
        destination = self._country(line, _cell(cells, self.header.destination), "destination")
        weight = self._weight(line, _cell(cells, self.header.weight))
        sector = _cell(cells, self.header.sector) if self.header.sector is not None else ""
        for key, column in self.header.meta.items():
            if _cell(cells, column):
                self.meta[key].add(_cell(cells, column))
        if origin is None or destination is None:
            return
        route = (origin, destination, sector.casefold())
        if route in self.lines:
            shown = f"{origin}->{destination}" + (f" ({sector})" if sector else " (any sector)")
            self.problems.add(
                f"{shown} appears twice: lines {self.lines[route]} and {line}", table=_TABLE, row=line, column="origin"
            )
            return
        self.lines[route] = line
        if weight is not None:
            self.weights[route] = CorridorWeight(origin, destination, sector, weight)

    def _country(self, line: int, written: str, column: str) -> str | None:
        if not written:
            self.problems.add(f"{column} is empty", table=_TABLE, row=line, column=column)
            return None
        code = country_code(written)
        if code is None:
            self.unmapped.add(written)
        return code

    def _weight(self, line: int, text: str) -> float | None:
        value = number(text)
        if value is None:
            self.problems.add(f"weight {text!r} is not a number", table=_TABLE, row=line, column="weight")
        elif not 0.0 <= value <= 1.0:
            self.problems.add(f"weight {text} is outside 0-1", table=_TABLE, row=line, column="weight")
            return None
        return value


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _reject(message: str, row: int | None = None) -> ReferenceFileError:
    return reject(message, table=_TABLE, row=row)
