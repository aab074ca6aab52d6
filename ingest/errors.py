"""Errors of the assessment parsers: every bad row, column and field of one file, in one error.

A parser never stops at the first problem: it collects them all in a :class:`ProblemList` and raises
one :class:`FormatError` at the end, so the uploader fixes the file once. ``FormatError`` is an
``InvalidInput``: the API renders it as an RFC 9457 problem whose ``errors`` name each location.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from core.errors import ErrorItem, InvalidInput


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """One bad thing in a source file.

    ``table`` is the part of the file (``assessment``, ``findings``, ``corrective_actions``, ``file``);
    ``row`` the 1-based line (CSV), sheet row (XLSX) or array position (JSON) when the problem sits in
    one row; ``column`` the column or key as written in the file; ``field`` the canonical field it feeds.
    """

    message: str
    table: str = "file"
    row: int | None = None
    column: str | None = None
    field: str | None = None

    def location(self) -> tuple[str | int, ...]:
        parts: list[str | int] = [self.table]
        if self.row is not None:
            parts.append(self.row)
        if self.column is not None:
            parts.append(self.column)
        return tuple(parts)


class FormatError(InvalidInput):
    """A file that cannot become an assessment; ``problems`` lists every reason, in file order."""

    title = "Invalid assessment file"

    def __init__(self, detail: str, problems: Sequence[ParseProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            detail,
            errors=[ErrorItem(location=p.location(), message=p.message) for p in self.problems],
        )


class ProblemList:
    """Collects problems while a parser reads on; ``raise_if_any`` ends the parse with all of them."""

    def __init__(self, found: Iterable[ParseProblem] = ()) -> None:
        self._problems: list[ParseProblem] = list(found)

    def add(
        self,
        message: str,
        *,
        table: str = "file",
        row: int | None = None,
        column: str | None = None,
        field: str | None = None,
    ) -> None:
        self._problems.append(ParseProblem(message=message, table=table, row=row, column=column, field=field))

    def __len__(self) -> int:
        return len(self._problems)

    def __iter__(self) -> Iterator[ParseProblem]:
        return iter(self._problems)

    def raise_if_any(self, what: str) -> None:
        if self._problems:
            n = len(self._problems)
            raise FormatError(f"{what}: {n} problem{'s' if n != 1 else ''} in the file", self._problems)


def reject(message: str, *, table: str = "file", row: int | None = None, column: str | None = None) -> FormatError:
    """A whole-file problem (bad encoding, too large, not a spreadsheet): nothing further can be read."""
    return FormatError(message, [ParseProblem(message=message, table=table, row=row, column=column)])
