"""Question/answer rows shared by the self-assessment, worker-voice and recruiter DDQ formats.

Each question code in the scheme's mapping lists the answers it accepts and the ones that make the
row a finding. A worker-voice row carries a distribution instead (``yes=12;no=88``): it is a finding
when the risk answers' share reaches the mapping's ``risk_share``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.canonical import Finding, Severity
from ingest.fields import FieldReader
from ingest.formats import common
from ingest.mapping import CodeMapping, SchemeMapping


@dataclass(frozen=True, slots=True)
class Distribution:
    counts: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    def share(self, answers: frozenset[str]) -> float:
        return sum(n for a, n in self.counts if a in answers) / self.total if self.total else 0.0

    def text(self) -> str:
        return ";".join(f"{a}={n}" for a, n in self.counts)


def answer_key(value: str) -> str:
    return "_".join(value.lower().replace("-", " ").split())


def read_answer(reader: FieldReader, code: CodeMapping, column: str = "answer") -> str | None:
    value = reader.text(column)
    if value is None:
        return None
    key = answer_key(value)
    if code.allowed_answers is not None and key not in code.allowed_answers:
        allowed = ", ".join(sorted(code.allowed_answers))
        reader.problem(column, f"{value!r} is not an answer to {code.code} ({allowed})", field="answer")
        return None
    return key if code.allowed_answers is not None else value


def read_distribution(reader: FieldReader, code: CodeMapping, column: str = "distribution") -> Distribution | None:
    value = reader.text(column)
    if value is None:
        return None
    counts: dict[str, int] = {}
    for part in value.split(";"):
        answer, sep, number = part.partition("=")
        key = answer_key(answer)
        if not sep or not number.strip().isdigit() or not key:
            reader.problem(column, f"{part.strip()!r} is not answer=count", field="answer")
            return None
        if code.allowed_answers is not None and key not in code.allowed_answers:
            allowed = ", ".join(sorted(code.allowed_answers))
            reader.problem(column, f"{answer.strip()!r} is not an answer to {code.code} ({allowed})", field="answer")
            return None
        counts[key] = counts.get(key, 0) + int(number)
    return Distribution(counts=tuple(counts.items()))


def answer_finding(
    ref: str, code: CodeMapping, answer: str, *, question: str | None, evidence_note: str | None
) -> Finding:
    adverse = answer in code.risk_answers
    outcome = common.Outcome(severity=code.severity if adverse else Severity.none)
    return common.make_finding(ref, code, outcome, question=question, answer=answer, evidence_note=evidence_note)


def distribution_finding(
    ref: str,
    code: CodeMapping,
    mapping: SchemeMapping,
    distribution: Distribution,
    *,
    question: str | None,
    evidence_note: str | None,
) -> Finding:
    share = distribution.share(code.risk_answers)
    threshold = mapping.risk_share or 1.0
    adverse = bool(code.risk_answers) and share >= threshold
    outcome = common.Outcome(severity=code.severity if adverse else Severity.none)
    note = f"risk answers {share:.0%} of {distribution.total} (threshold {threshold:.0%})"
    return common.make_finding(
        ref,
        code,
        outcome,
        question=question,
        answer=distribution.text(),
        evidence_note=f"{evidence_note}\n{note}" if evidence_note else note,
    )
