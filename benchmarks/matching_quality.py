"""Quality of site matching on the labelled pairs in benchmarks/data/facility_pairs.csv.

    uv run python benchmarks/matching_quality.py [--pairs PATH] [--worst 10] [--misses-from tune]

For every pair: blocking (do the two records share a key?), score, decide. A pair that shares
no blocking key is never compared by the registry, so it counts as ``new`` whatever its score.
Prints, for the tuning half, the held-out half, all pairs and the real pairs alone (no synthetic
rewrites): counts, precision and recall of ``match`` (automatic attach) and of
``match|potential`` (attach or ask a person), and blocking recall; then the decisions per kind of
pair and the worst misses with their scores, so every figure can be traced to pairs. Exits 0.

The halves are fixed by a hash of pair_id (not by kind), so real and synthetic pairs fall in both.
Weights and thresholds in graph/matching.py were tuned on the misses of the tuning half
(``--misses-from tune``); the held-out and real-only figures are the honest ones (see
benchmarks/data/README.md). Regenerate the pairs with make_facility_pairs.py.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from graph.countries import country_code
from graph.matching import MatchDecision, MatchScore, SiteRecord, blocking_keys, decide, score

PAIRS = Path(__file__).parent / "data" / "facility_pairs.csv"


@dataclass(frozen=True, slots=True)
class Pair:
    pair_id: str
    same: bool
    a: SiteRecord
    b: SiteRecord
    note: str

    @property
    def half(self) -> str:
        """ "tune" or "holdout", fixed by the pair id."""
        return "tune" if hashlib.sha256(self.pair_id.encode()).digest()[0] % 2 == 0 else "holdout"

    @property
    def kind(self) -> str:
        return self.pair_id.rsplit("-", 1)[0]


@dataclass(frozen=True, slots=True)
class Result:
    pair: Pair
    blocked_together: bool
    score: MatchScore
    decision: MatchDecision  # "new" when the pair shares no blocking key


@dataclass(frozen=True, slots=True)
class Metrics:
    pairs: int
    positives: int
    matched: int  # decided "match"
    matched_correct: int
    flagged: int  # decided "match" or "potential"
    flagged_correct: int
    blocked_positives: int

    @property
    def match_precision(self) -> float:
        return self.matched_correct / self.matched if self.matched else 1.0

    @property
    def match_recall(self) -> float:
        return self.matched_correct / self.positives if self.positives else 1.0

    @property
    def flagged_precision(self) -> float:
        return self.flagged_correct / self.flagged if self.flagged else 1.0

    @property
    def flagged_recall(self) -> float:
        return self.flagged_correct / self.positives if self.positives else 1.0

    @property
    def blocking_recall(self) -> float:
        return self.blocked_positives / self.positives if self.positives else 1.0


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


def _record(row: dict[str, str], side: str) -> SiteRecord:
    country = row[f"country_{side}"]
    return SiteRecord(
        name=row[f"name_{side}"],
        country=country_code(country) or country.strip().upper(),
        address=row[f"address_{side}"] or None,
        lat=_float(row[f"lat_{side}"]),
        lon=_float(row[f"lng_{side}"]),
    )


def load_pairs(path: Path = PAIRS) -> list[Pair]:
    with open(path, encoding="utf-8", newline="") as f:
        return [
            Pair(row["pair_id"], row["label"] == "same", _record(row, "a"), _record(row, "b"), row["note"])
            for row in csv.DictReader(f)
        ]


def evaluate(pairs: Iterable[Pair]) -> list[Result]:
    results = []
    for pair in pairs:
        together = bool(blocking_keys(pair.a) & blocking_keys(pair.b))
        s = score(pair.a, pair.b)
        results.append(Result(pair, together, s, decide(s) if together else MatchDecision.new))
    return results


def metrics(results: Sequence[Result]) -> Metrics:
    positives = [r for r in results if r.pair.same]
    matched = [r for r in results if r.decision is MatchDecision.match]
    flagged = [r for r in results if r.decision is not MatchDecision.new]
    return Metrics(
        pairs=len(results),
        positives=len(positives),
        matched=len(matched),
        matched_correct=sum(r.pair.same for r in matched),
        flagged=len(flagged),
        flagged_correct=sum(r.pair.same for r in flagged),
        blocked_positives=sum(r.blocked_together for r in positives),
    )


def _describe(r: Result) -> str:
    p, s = r.pair, r.score
    parts = [
        f"  {p.pair_id:<14} {r.decision.value:<9} total={s.total:.3f}  {p.note}",
        f"      a: {p.a.name!r} | {p.a.address or '-'} | {p.a.lat}, {p.a.lon}",
        f"      b: {p.b.name!r} | {p.b.address or '-'} | {p.b.lat}, {p.b.lon}",
        f"      components={s.components} evidence={s.evidence}",
    ]
    if s.blockers:
        parts.append(f"      blockers={list(s.blockers)}")
    if not r.blocked_together:
        parts.append("      (no shared blocking key)")
    return "\n".join(parts)


def report(results: Sequence[Result], *, worst: int, misses_from: str = "all") -> str:
    """Figures per half, decisions per kind of pair, and the worst misses (of ``misses_from``)."""
    lines = []
    header = "half      pairs  same  match P    R     | match|potential P    R     | blocking R"
    lines += [header, "-" * len(header)]
    subsets = {
        "tune": [r for r in results if r.pair.half == "tune"],
        "holdout": [r for r in results if r.pair.half == "holdout"],
        "all": list(results),
        "real only": [r for r in results if not r.pair.kind.startswith("syn")],
    }
    for name, subset in subsets.items():
        m = metrics(subset)
        lines.append(
            f"{name:<9} {m.pairs:>5} {m.positives:>5}  {m.matched:>5} {m.match_precision:.3f} {m.match_recall:.3f} |"
            f" {m.flagged:>5}           {m.flagged_precision:.3f} {m.flagged_recall:.3f} | {m.blocking_recall:.3f}"
        )
    lines += ["", "decisions by kind (label: match / potential / new):"]
    for kind in sorted({r.pair.kind for r in results}):
        counts = Counter(r.decision.value for r in results if r.pair.kind == kind)
        label = "same" if any(r.pair.same for r in results if r.pair.kind == kind) else "different"
        lines.append(f"  {kind:<9} ({label:<9}) {counts['match']:>4} / {counts['potential']:>4} / {counts['new']:>4}")
    listed = [r for r in results if misses_from in ("all", r.pair.half)]
    false_pos = sorted(
        (r for r in listed if not r.pair.same and r.decision is not MatchDecision.new),
        key=lambda r: (r.decision is not MatchDecision.match, -r.score.total),
    )
    false_neg = sorted(
        (r for r in listed if r.pair.same and r.decision is not MatchDecision.match),
        key=lambda r: (r.decision is not MatchDecision.new, r.score.total),
    )
    scope = "" if misses_from == "all" else f" in the {misses_from} half"
    lines += ["", f"worst false positives{scope} (different sites decided match, then potential; {len(false_pos)}):"]
    lines += [_describe(r) for r in false_pos[:worst]]
    lines += ["", f"worst false negatives{scope} (same site not decided match, new first; {len(false_neg)}):"]
    lines += [_describe(r) for r in false_neg[:worst]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--worst", type=int, default=10, help="misses listed per side (default 10)")
    parser.add_argument(
        "--misses-from", choices=("all", "tune", "holdout"), default="all", help="list misses of one half only"
    )
    args = parser.parse_args(argv)
    print(report(evaluate(load_pairs(args.pairs)), worst=args.worst, misses_from=args.misses_from))


if __name__ == "__main__":
    main()
