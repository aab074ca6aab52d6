"""Shared helpers of the format tests: the committed sample files and how to break them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.canonical import Assessment, Finding, Scheme
from ingest.errors import FormatError, ParseProblem
from ingest.formats import detect_format, parse_assessment, parse_assessment_json

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "docs" / "formats" / "samples"
SCHEME_OF = {
    "slcp": Scheme.slcp,
    "smeta": Scheme.smeta,
    "better_work": Scheme.better_work,
    "better_work_vcc": Scheme.better_work,
    "self_assessment": Scheme.self_assessment,
    "worker_voice": Scheme.self_assessment,
    "recruiter_ddq": Scheme.recruiter_ddq,
}


def sample(name: str) -> Assessment:
    fmt = detect_format(name)
    assert fmt is not None
    return parse_assessment((SAMPLES / name).read_bytes(), scheme=SCHEME_OF[name.rsplit(".", 1)[0]], file_format=fmt)


def sample_json(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((SAMPLES / name).read_bytes())
    return body


def problems_of(scheme: Scheme, body: dict[str, Any]) -> list[ParseProblem]:
    with pytest.raises(FormatError) as caught:
        parse_assessment_json(body, scheme=scheme)
    return list(caught.value.problems)


def where(problems: list[ParseProblem]) -> set[tuple[str, int | None, str | None]]:
    return {(p.table, p.row, p.column) for p in problems}


def finding(assessment: Assessment, ref: str) -> Finding:
    return next(f for f in assessment.findings if f.ref == ref)
