"""Scheme mapping tables: scheme codes -> canonical topic, normalised severity, ILO indicators.

The tables are versioned data files, ``ingest/mappings/<scheme>.json``; each parsed assessment records
the version it was read with (``Assessment.mapping_version``), so a later table never silently
re-reads old findings. A code matches a finding's reference exactly or as its longest prefix cut at
``-`` or ``.``: ``FP-BAS`` covers ``FP-BAS-26``. Files are checked on load; a bad table is a bug in
the repository, so it raises ``MappingInvalid`` (not a user-facing error) naming every bad entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from ingest.canonical import IloIndicator, Scheme, Severity, Topic

E = TypeVar("E", Topic, Severity, IloIndicator)
_SPLIT = re.compile(r"[-.]")


class MappingInvalid(Exception):
    """A mapping file in the repository is malformed: fix the file, not the upload."""


@dataclass(frozen=True, slots=True)
class CodeMapping:
    code: str
    label: str
    topic: Topic
    severity: Severity  # the severity of a non-compliance on this code when the scheme gives none
    ilo_indicators: frozenset[IloIndicator]
    allowed_answers: frozenset[str] | None = None  # questionnaires: the answers the question accepts
    risk_answers: frozenset[str] = frozenset()  # questionnaires: answers that make the row a finding


@dataclass(frozen=True, slots=True)
class SchemeMapping:
    scheme: Scheme
    version: str
    source: str
    severities: Mapping[str, Severity]  # scheme severity label (lower case) -> normalised
    codes: Mapping[str, CodeMapping]  # upper-case code -> mapping
    risk_share: float | None = None  # survey aggregates: share of risk answers that makes a finding

    def lookup(self, ref: str) -> CodeMapping | None:
        """The mapping of a finding reference: exact code, else the longest prefix that is a code."""
        key = ref.strip().upper()
        while key:
            found = self.codes.get(key)
            if found is not None:
                return found
            cut = [m.start() for m in _SPLIT.finditer(key)]
            key = key[: cut[-1]] if cut else ""
        return None

    def severity_of(self, label: str) -> Severity | None:
        return self.severities.get(label.strip().lower())


@cache
def load_mapping(scheme: Scheme) -> SchemeMapping:
    text = resources.files("ingest").joinpath("mappings", f"{scheme.value}.json").read_text(encoding="utf-8")
    return parse_mapping(scheme, json.loads(text))


def parse_mapping(scheme: Scheme, body: Any) -> SchemeMapping:
    """Validate one mapping document; raise ``MappingInvalid`` listing every bad entry."""
    bad: list[str] = []
    if not isinstance(body, dict):
        raise MappingInvalid(f"{scheme}: the mapping must be a JSON object")
    if body.get("scheme") != scheme.value:
        bad.append(f"scheme is {body.get('scheme')!r}, expected {scheme.value!r}")
    for key in ("version", "source"):
        if not isinstance(body.get(key), str) or not body[key].strip():
            bad.append(f"{key} must be a non-empty string")
    severities = _severities(body.get("severities"), bad)
    codes = _codes(body.get("codes"), bad)
    risk_share = body.get("risk_share")
    if risk_share is not None and not (isinstance(risk_share, int | float) and 0 < risk_share <= 1):
        bad.append(f"risk_share: {risk_share!r} must be a number in (0, 1]")
    if bad:
        raise MappingInvalid(f"{scheme} mapping: " + "; ".join(bad))
    return SchemeMapping(
        scheme=scheme,
        version=str(body["version"]),
        source=str(body["source"]),
        severities=severities,
        codes=codes,
        risk_share=float(risk_share) if risk_share is not None else None,
    )


def _severities(value: Any, bad: list[str]) -> dict[str, Severity]:
    severities: dict[str, Severity] = {}
    for label, name in dict(value or {}).items():
        sev = _member(Severity, name)
        if sev is None:
            bad.append(f"severities.{label}: {name!r} is not a normalised severity")
        else:
            severities[str(label).lower()] = sev
    return severities


def _codes(value: Any, bad: list[str]) -> dict[str, CodeMapping]:
    if not isinstance(value, dict) or not value:
        bad.append("codes must be a non-empty object")
        return {}
    codes: dict[str, CodeMapping] = {}
    for code, entry in value.items():
        parsed = _code(str(code), entry, bad)
        if parsed is not None:
            if parsed.code in codes:
                bad.append(f"codes.{code}: duplicate (codes compare in upper case)")
            codes[parsed.code] = parsed
    return codes


def _code(code: str, entry: Any, bad: list[str]) -> CodeMapping | None:
    where = f"codes.{code}"
    if not isinstance(entry, dict):
        bad.append(f"{where}: must be an object")
        return None
    before = len(bad)
    topic = _member(Topic, entry.get("topic"))
    if topic is None:
        bad.append(f"{where}.topic: {entry.get('topic')!r} is not a canonical topic")
    severity = _member(Severity, entry.get("severity"))
    if severity is None:
        bad.append(f"{where}.severity: {entry.get('severity')!r} is not a normalised severity")
    indicators = set()
    raw_indicators = entry.get("ilo_indicators")
    if not isinstance(raw_indicators, list):
        bad.append(f"{where}.ilo_indicators: must be a list (empty when no indicator applies)")
        raw_indicators = []
    for value in raw_indicators:
        indicator = _member(IloIndicator, value)
        if indicator is None:
            bad.append(f"{where}.ilo_indicators: {value!r} is not one of the 11 ILO indicators")
        else:
            indicators.add(indicator)
    allowed = _answers(entry.get("allowed_answers"), f"{where}.allowed_answers", bad)
    risk = _answers(entry.get("risk_answers"), f"{where}.risk_answers", bad) or frozenset()
    if allowed is not None and not risk <= allowed:
        bad.append(f"{where}.risk_answers: {sorted(risk - allowed)} not in allowed_answers")
    if len(bad) > before or topic is None or severity is None:
        return None
    return CodeMapping(
        code=code.strip().upper(),
        label=str(entry.get("label", "")),
        topic=topic,
        severity=severity,
        ilo_indicators=frozenset(indicators),
        allowed_answers=allowed,
        risk_answers=risk,
    )


def _answers(value: Any, where: str, bad: list[str]) -> frozenset[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        bad.append(f"{where}: must be a list of strings")
        return None
    return frozenset(v.strip().lower() for v in value)


def _member(kind: type[E], value: Any) -> E | None:
    try:
        return kind(value)
    except ValueError:
        return None
