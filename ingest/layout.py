"""Write an assessment document in the file layouts the parsers read (``ingest/tabular.py``).

Used to make the sample files in ``docs/formats/samples`` and test and benchmark inputs, and by any
export of assessments as files. CSV goes through ``csv_safety`` like every CSV Loomline writes.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import openpyxl

from ingest.csv_safety import write_csv
from ingest.tabular import RECORD

Cell = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class DocumentContent:
    record: Mapping[str, Cell]
    tables: Mapping[str, Sequence[Mapping[str, Cell]]] = field(default_factory=dict)


def _columns(rows: Sequence[Mapping[str, Cell]]) -> list[str]:
    return list(dict.fromkeys(k for row in rows for k in row))


def to_csv(content: DocumentContent) -> bytes:
    parts = [write_csv(["key", "value"], list(content.record.items()))]
    for rows in content.tables.values():
        columns = _columns(rows)
        parts.append(write_csv(columns, [[row.get(c) for c in columns] for row in rows]))
    return "\r\n".join(parts).encode("utf-8")


def to_json(content: DocumentContent) -> bytes:
    body: dict[str, object] = {RECORD: dict(content.record)}
    body.update({name: [dict(r) for r in rows] for name, rows in content.tables.items()})
    return (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def to_xlsx(content: DocumentContent) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.worksheets[0])
    header = workbook.create_sheet(RECORD)
    header.append(["key", "value"])
    for key, value in content.record.items():
        header.append([key, value])
    for name, rows in content.tables.items():
        sheet = workbook.create_sheet(name)
        columns = _columns(rows)
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) for c in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
