"""One row of a facility list -> the registration it asks for, or the column that is wrong and why.

A bad row never fails the upload: it is stored with status ``error``, its column and the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from graph.countries import country_code
from graph.schemas import FacilityCreate
from ingest.uploads import columns

_INTEGERS = ("number_of_workers",)
_FLOATS = ("lat", "lng", "migrant_worker_share", "female_worker_share")
MAX_TIER = 5


@dataclass(frozen=True, slots=True)
class RowProblem:
    column: str
    reason: str


class _Bad(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.problem = RowProblem(column, reason)


def _number(column: str, text: str, *, integer: bool) -> float | int:
    cleaned = text.replace(",", "").replace(" ", "") if integer else text.replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise _Bad(column, f"{text!r} is not a number") from None
    if integer:
        if not value.is_integer():
            raise _Bad(column, f"{text!r} is not a whole number")
        return int(value)
    return value


def _country(text: str) -> str:
    code = country_code(text)
    if code is None:
        raise _Bad("country", f"{text!r} is not a country name or ISO 3166-1 code")
    return code


def _tier(text: str) -> None:
    if not text.isdigit() or not 1 <= int(text) <= MAX_TIER:
        raise _Bad("tier", f"{text!r} is not a tier (1 to {MAX_TIER})")


def _fields(cells: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The registration's fields, and the column of each identifier in order."""
    fields: dict[str, Any] = {}
    identifier_columns: list[str] = []
    identifiers: list[dict[str, str]] = []
    for column, text in cells.items():
        scheme = columns.scheme_of(column)
        if scheme is not None:
            identifiers.append({"scheme": scheme, "value": text})
            identifier_columns.append(column)
        elif column == "country":
            fields["country"] = _country(text)
        elif column == "tier":
            _tier(text)
        elif column in _INTEGERS or column in _FLOATS:
            fields[column] = _number(column, text, integer=column in _INTEGERS)
        elif column in columns.REQUIRED or column in columns.ATTRIBUTES:
            fields[column] = text
    if ("lat" in fields) != ("lng" in fields):
        raise _Bad("lng" if "lat" in fields else "lat", "lat and lng go together")
    fields["identifiers"] = identifiers
    return fields, identifier_columns


def parse_row(cells: Mapping[str, str]) -> FacilityCreate | RowProblem:
    """The registration a row asks for, or the first problem found in it."""
    for column in columns.REQUIRED:
        if not cells.get(column):
            return RowProblem(column, "required")
    try:
        fields, identifier_columns = _fields(cells)
    except _Bad as bad:
        return bad.problem
    try:
        return FacilityCreate.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = error.get("loc", ())
        column = str(loc[0]) if loc else "row"
        if column == "identifiers" and len(loc) > 1 and isinstance(loc[1], int):
            column = identifier_columns[loc[1]]
        return RowProblem(column, str(error.get("msg", "invalid")))
