"""Read typed fields out of text cells, recording every problem instead of stopping at the first."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from ingest.errors import ProblemList

E = TypeVar("E", bound=StrEnum)

_YES = frozenset({"yes", "y", "true", "1", "x"})
_NO = frozenset({"no", "n", "false", "0", ""})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class FieldReader:
    """Typed access to one row (or the header record) of a source file.

    Each getter returns ``None`` when the cell is missing or bad, and records why in ``problems`` with
    the row and column, so a parser reads the whole file and reports every problem at once.
    """

    def __init__(
        self,
        cells: Mapping[str, str],
        problems: ProblemList,
        *,
        table: str,
        row: int | None = None,
        rows: Mapping[str, int | None] | None = None,
    ) -> None:
        self._cells = cells
        self._problems = problems
        self._table = table
        self._row = row
        self._rows = rows  # the header record: each key has its own line

    def problem(self, column: str, message: str, *, field: str | None = None) -> None:
        row = self._rows.get(column) if self._rows is not None else self._row
        self._problems.add(message, table=self._table, row=row, column=column, field=field or column)

    def text(self, column: str, *, required: bool = False, field: str | None = None) -> str | None:
        value = self._cells.get(column, "").strip()
        if not value:
            if required:
                self.problem(column, "required", field=field)
            return None
        return value

    def enum(
        self,
        column: str,
        kind: type[E],
        *,
        required: bool = False,
        aliases: Mapping[str, E] | None = None,
        field: str | None = None,
    ) -> E | None:
        value = self.text(column, required=required, field=field)
        if value is None:
            return None
        key = "_".join(value.lower().replace("-", " ").split())
        if aliases is not None and key in aliases:
            return aliases[key]
        try:
            return kind(key)
        except ValueError:
            allowed = sorted({*(m.value for m in kind), *(aliases or {})})
            self.problem(column, f"{value!r} is not one of: {', '.join(allowed)}", field=field)
            return None

    def enums(self, column: str, kind: type[E], *, field: str | None = None) -> frozenset[E]:
        """A ``;``-separated list of enum values (``worker_survey; document_review``)."""
        value = self.text(column, field=field)
        if value is None:
            return frozenset()
        found: set[E] = set()
        for part in value.split(";"):
            key = "_".join(part.lower().replace("-", " ").split())
            if not key:
                continue
            try:
                found.add(kind(key))
            except ValueError:
                allowed = ", ".join(m.value for m in kind)
                self.problem(column, f"{part.strip()!r} is not one of: {allowed}", field=field)
        return frozenset(found)

    def flag(self, column: str, *, required: bool = False, field: str | None = None) -> bool | None:
        value = self._cells.get(column, "").strip().lower()
        if not value and required:
            self.problem(column, "required (yes or no)", field=field)
            return None
        if value in _YES:
            return True
        if value in _NO:
            return False
        self.problem(column, f"{value!r} is not yes or no", field=field)
        return None

    def date(self, column: str, *, required: bool = False, field: str | None = None) -> dt.date | None:
        value = self.text(column, required=required, field=field)
        if value is None:
            return None
        if _DATE.fullmatch(value[:10]) and (len(value) == 10 or value[10] == "T"):
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                pass
        self.problem(column, f"{value!r} is not a date (YYYY-MM-DD)", field=field)
        return None

    def count(self, column: str, *, required: bool = False, field: str | None = None) -> int | None:
        value = self.text(column, required=required, field=field)
        if value is None:
            return None
        if value.isdigit():
            return int(value)
        self.problem(column, f"{value!r} is not a whole number >= 0", field=field)
        return None
