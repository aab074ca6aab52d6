"""CSV export without formula injection (OWASP "CSV Injection").

A spreadsheet runs a cell that starts with ``= + - @`` (or a tab / carriage return before one) as a
formula. Every CSV Loomline writes goes through :func:`write_csv`, which prefixes such cells with a
single quote so they show as text. Plain numbers (``-3``, ``+4.5``) are left alone: they cannot
run anything and a quote would turn them into text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise_cell(value: object) -> str:
    """The text of one exported cell, made inert for spreadsheets."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and _PLAIN_NUMBER.fullmatch(text) is None:
        return "'" + text
    return text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV document (header + rows), every cell neutralised, CRLF line ends (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise_cell(h) for h in header])
    for row in rows:
        writer.writerow([neutralise_cell(v) for v in row])
    return out.getvalue()
