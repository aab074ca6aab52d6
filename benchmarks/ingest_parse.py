"""Parse + validate time of one assessment of N findings (default 1,000), per scheme and file format.

    uv run python benchmarks/ingest_parse.py [--findings 1000] [--runs 9]

Each input is built from the committed sample of its scheme (docs/formats/samples): the sample's
header, and its rows repeated with unique references until there are N findings (SMETA: N
non-compliances and one corrective action each). Files are written before timing; a run times
``ingest.formats.parse_assessment`` on the bytes: decode, read, validate every field, map every
code, build the canonical assessment. Storing is not included (no tables yet). Prints the p50,
min and max over the runs, and findings per second at the p50.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from ingest.canonical import Scheme
from ingest.formats import SCHEMES, parse_assessment
from ingest.layout import Cell, DocumentContent, to_csv, to_json, to_xlsx
from ingest.tabular import FileFormat, ReadLimits, read_document

SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "formats" / "samples"
SOURCE = {
    Scheme.slcp: "slcp.csv",
    Scheme.smeta: "smeta.json",
    Scheme.better_work: "better_work_vcc.json",
    Scheme.self_assessment: "self_assessment.csv",
    Scheme.recruiter_ddq: "recruiter_ddq.json",
}
WRITERS: Mapping[FileFormat, Callable[[DocumentContent], bytes]] = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json}


def unique_ref(ref: str, i: int) -> str:
    """A distinct reference that still maps to the same code (prefix lookup)."""
    return f"{ref}-{i}"


def row_of(cells: Mapping[str, str], i: int) -> dict[str, Cell]:
    row: dict[str, Cell] = dict(cells)
    for key in ("question_ref", "question_id"):
        if key in row and isinstance(row[key], str):
            row[key] = unique_ref(str(row[key]), i)
    if "nc_ref" in row:
        row["nc_ref"] = f"NC-{i}"
    return row


def content(scheme: Scheme, findings: int) -> DocumentContent:
    name = SOURCE[scheme]
    spec = SCHEMES[scheme]
    fmt: FileFormat = "json" if name.endswith(".json") else "csv"
    doc = read_document((SAMPLES / name).read_bytes(), fmt, spec.tables, ReadLimits())
    tables: dict[str, list[dict[str, Cell]]] = {}
    for table_name in spec.tables:
        rows = doc.table(table_name).rows
        if rows:
            tables[table_name] = [row_of(rows[i % len(rows)].cells, i + 1) for i in range(findings)]
    return DocumentContent(record=dict(doc.record), tables=tables)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--findings", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    print(
        f"{'scheme':<16} {'format':<6} {'bytes':>9} {'findings':>8} {'p50 ms':>8} {'min ms':>8} {'max ms':>8}", end=""
    )
    print(f" {'findings/s':>11}")
    for scheme, spec in SCHEMES.items():
        built = content(scheme, args.findings)
        for fmt in spec.formats:
            raw = WRITERS[fmt](built)
            times = []
            for _ in range(args.runs + 1):  # the first run warms caches (mapping load, imports): not counted
                start = time.perf_counter()
                assessment = parse_assessment(raw, scheme=scheme, file_format=fmt)
                times.append(time.perf_counter() - start)
            times = times[1:]
            p50 = statistics.median(times)
            n = len(assessment.findings)
            print(
                f"{scheme.value:<16} {fmt:<6} {len(raw):>9} {n:>8} {p50 * 1000:>8.1f} {min(times) * 1000:>8.1f} "
                f"{max(times) * 1000:>8.1f} {n / p50:>11.0f}"
            )


if __name__ == "__main__":
    main()
