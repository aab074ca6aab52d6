"""Recompute stored risk scores: for some facilities (a job after a change), or for the whole
network (vectorised). A score is rewritten only when its inputs fingerprint or method version
changed, so recomputing an unchanged network writes nothing."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from enum import Enum
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.ids import uuid7
from graph import merge_store
from graph.models import Facility, Recruiter
from risk import upstream
from risk.gather import gather, gather_recruiters
from risk.inputs import RiskInputs
from risk.method import Method, current_method
from risk.models import RiskScore, ScoredKind
from risk.scoring import Score, own_points, score
from risk.vectorised import COMPONENTS, Frames, Scores, frames_of, score_frames

#: Facilities gathered and scored per batch of the whole-network recompute (bounded memory).
BATCH = 5000


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    scored: int
    written: int


def _plain(value: Any) -> Any:
    """Inputs as JSON-ready values: dataclasses as {field: value}, sets sorted, enums as values."""
    if value is None or isinstance(value, str | int | float):  # StrEnum members are str: their value
        return value.value if isinstance(value, Enum) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(kind))


def fingerprint(inputs: RiskInputs) -> str:
    """SHA-256 of the canonical JSON of the inputs (fields by name, sets sorted, keys sorted)."""
    text = json.dumps(_plain(inputs), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def components_json(result: Score) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name,
            "points": c.points,
            "cap": c.cap,
            "raw": c.raw,
            "items": [{"kind": i.kind, "ref": i.ref, "raw": i.raw, "points": i.points} for i in c.items],
        }
        for c in result.components
    ]


@dataclasses.dataclass(frozen=True, slots=True)
class _Row:
    subject_id: uuid.UUID
    score: float
    band: str
    confidence: float
    components: list[dict[str, Any]]
    fingerprint: str


def _store(session: Session, rows: Sequence[_Row], method: Method, kind: ScoredKind = ScoredKind.facility) -> int:
    """Upsert the rows whose fingerprint or method version differs from the stored one."""
    stored = {
        r.subject_id: r
        for r in session.execute(
            sa.select(RiskScore.subject_id, RiskScore.id, RiskScore.inputs_fingerprint, RiskScore.method_version).where(
                RiskScore.subject_kind == kind, RiskScore.subject_id.in_([r.subject_id for r in rows])
            )
        )
    }
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in rows:
        old = stored.get(row.subject_id)
        if old is not None and old.inputs_fingerprint == row.fingerprint and old.method_version == method.version:
            continue
        values = {
            "score": row.score,
            "band": row.band,
            "confidence": row.confidence,
            "components": row.components,
            "method_version": method.version,
            "inputs_fingerprint": row.fingerprint,
            "computed_at": now,
        }
        if old is None:
            inserts.append({"id": uuid7(), "subject_kind": kind, "subject_id": row.subject_id, **values})
        else:
            updates.append({"id": old.id, **values})
    # Bulk statements (one executemany each), not one ORM object per row: 100,000 rows in seconds.
    if inserts:
        session.execute(sa.insert(RiskScore), inserts)
    if updates:
        session.execute(sa.update(RiskScore), updates)
    if updates:
        session.expire_all()  # ORM objects already loaded must not keep the old values
    return len(inserts) + len(updates)


def recompute_facilities(
    session: Session,
    ids: Sequence[uuid.UUID],
    *,
    method: Method | None = None,
    today: date | None = None,
    customers: bool = True,
) -> Outcome:
    """Gather and score each facility of ``ids`` (``scoring.score``), storing changed scores; then
    (``customers``) rescore the sites they supply up to ``max_depth`` tiers down, whose upstream
    term rests on these sites' own scores."""
    method = method or current_method()
    today = today or utcnow().date()
    ids = _live(session, Facility, ScoredKind.facility, ids)
    own_inputs = gather(session, ids, method, today=today)
    own = {site: own_points(score(inputs, method)) for site, inputs in own_inputs.items()}
    outcome = _score_and_store(session, with_upstream(session, own_inputs, own, method, today), method)
    if customers:
        touched = upstream.customers_within(session, own_inputs, today, method) - set(own_inputs)
        if touched:
            more = recompute_facilities(session, sorted(touched), method=method, today=today, customers=False)
            outcome = Outcome(outcome.scored + more.scored, outcome.written + more.written)
    return outcome


def with_upstream(
    session: Session, inputs: dict[uuid.UUID, RiskInputs], own: Mapping[uuid.UUID, float], method: Method, today: date
) -> dict[uuid.UUID, RiskInputs]:
    """``inputs`` with the risk their suppliers carry: own scores from ``own``, else as stored."""
    links = upstream.links_above(session, inputs, today, method)
    stored = upstream.stored_own_scores(session, {link.supplier for link in links} - own.keys())
    risks = upstream.Upstream(links, {**stored, **own}, method).for_sites(inputs)
    return {site: dataclasses.replace(value, upstream=risks.get(site, ())) for site, value in inputs.items()}


def recompute_recruiters(
    session: Session, ids: Sequence[uuid.UUID], *, method: Method | None = None, today: date | None = None
) -> Outcome:
    """Score each recruiter of ``ids`` from the paths through it and its own assessments, storing
    changed scores (see ``risk.gather.gather_recruiters``)."""
    method = method or current_method()
    today = today or utcnow().date()
    ids = _live(session, Recruiter, ScoredKind.recruiter, ids)
    return _score_and_store(session, gather_recruiters(session, ids, method, today=today), method, ScoredKind.recruiter)


def _live(session: Session, record: Any, kind: ScoredKind, ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    """The live records ``ids`` name: a merged-away record (a job queued before its merge, a link
    stated about it) stands for its survivor, and its own stored score goes."""
    survivors = merge_store.survivors(session, record, ids)
    if survivors:
        session.execute(
            sa.delete(RiskScore).where(RiskScore.subject_kind == kind, RiskScore.subject_id.in_(list(survivors)))
        )
    return list(dict.fromkeys(survivors.get(i, i) for i in ids))


def _forget_merged(session: Session, record: Any, kind: ScoredKind) -> None:
    """Delete the stored scores of merged-away records (the whole-network passes score survivors only)."""
    merged = sa.select(record.id).where(record.merged_into_id.is_not(None))
    session.execute(sa.delete(RiskScore).where(RiskScore.subject_kind == kind, RiskScore.subject_id.in_(merged)))


def _score_and_store(
    session: Session, inputs: dict[uuid.UUID, RiskInputs], method: Method, kind: ScoredKind = ScoredKind.facility
) -> Outcome:
    rows = []
    for subject_id, subject_inputs in inputs.items():
        result = score(subject_inputs, method)
        rows.append(
            _Row(
                subject_id,
                result.total,
                result.band.value,
                result.confidence,
                components_json(result),
                fingerprint(subject_inputs),
            )
        )
    return Outcome(scored=len(rows), written=_store(session, rows, method, kind) if rows else 0)


def _components_of(scores: Scores) -> list[list[dict[str, Any]]]:
    items: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for site, component, kind, ref, raw, points in scores.items[
        ["site", "component", "kind", "ref", "raw", "points"]
    ].itertuples(index=False):
        items.setdefault((int(site), component), []).append({"kind": kind, "ref": ref, "raw": raw, "points": points})
    totals = scores.totals
    points = {c: totals[f"{c}_points"].to_numpy(dtype=float).tolist() for c in COMPONENTS}
    raws = {c: totals[f"{c}_raw"].to_numpy(dtype=float).tolist() for c in COMPONENTS}
    caps = {c: totals[f"{c}_cap"].to_numpy(dtype=float).tolist() for c in COMPONENTS}
    return [
        [
            {"name": c, "points": points[c][n], "cap": caps[c][n], "raw": raws[c][n], "items": items.get((n, c), [])}
            for c in COMPONENTS
        ]
        for n in range(len(totals))
    ]


def all_facility_ids(session: Session) -> list[uuid.UUID]:
    return list(session.scalars(sa.select(Facility.id).where(Facility.merged_into_id.is_(None)).order_by(Facility.id)))


def recompute_all(
    session: Session,
    *,
    method: Method | None = None,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """The whole network, in batches: set-based gathering, vectorised scoring, changed rows stored.

    Two passes, each over every facility (``progress`` counts both): the own scores first, then
    the scores with the risk their suppliers carry (which rests on those own scores)."""
    method = method or current_method()
    today = today or utcnow().date()
    _forget_merged(session, Facility, ScoredKind.facility)
    ids = all_facility_ids(session)
    own: dict[uuid.UUID, float] = {}
    for batch in _batches(ids):
        inputs = gather(session, batch, method, today=today)
        totals = score_frames(frames_of(list(inputs.values())), method).totals["total"].to_numpy(dtype=float)
        own.update(zip(inputs, totals.tolist(), strict=True))
        if progress is not None:
            progress(len(batch))
    carried = upstream.Upstream(upstream.all_links(session, today), own, method)
    scored = written = 0
    for batch in _batches(ids):
        inputs = gather(session, batch, method, today=today)
        risks = carried.for_sites(inputs)
        batch_ids = list(inputs)
        values = [dataclasses.replace(inputs[i], upstream=risks.get(i, ())) for i in batch_ids]
        scores = score_frames(frames_of(values), method)
        written += _store(session, _rows(batch_ids, values, scores), method)
        scored += len(batch_ids)
        if progress is not None:
            progress(len(batch))
    return Outcome(scored=scored, written=written)


def score_network(frames: Frames, method: Method) -> Scores:
    """Vectorised scores of laid-out inputs (the part the benchmark times on its own as well)."""
    return score_frames(frames, method)


def _rows(ids: list[uuid.UUID], values: list[RiskInputs], scores: Scores) -> list[_Row]:
    totals = scores.totals
    components = _components_of(scores)
    total, confidence = totals["total"].to_numpy(dtype=float), totals["confidence"].to_numpy(dtype=float)
    band = totals["band"].to_numpy(dtype=str)
    return [
        _Row(
            facility_id,
            float(total[n]),
            str(band[n]),
            float(confidence[n]),
            components[n],
            fingerprint(values[n]),
        )
        for n, facility_id in enumerate(ids)
    ]


def _batches(ids: list[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def all_recruiter_ids(session: Session) -> list[uuid.UUID]:
    return list(
        session.scalars(sa.select(Recruiter.id).where(Recruiter.merged_into_id.is_(None)).order_by(Recruiter.id))
    )


def recompute_all_recruiters(
    session: Session,
    *,
    method: Method | None = None,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Every recruiter, in batches: set-based gathering, vectorised scoring, changed rows stored."""
    method = method or current_method()
    today = today or utcnow().date()
    _forget_merged(session, Recruiter, ScoredKind.recruiter)
    scored = written = 0
    for batch in _batches(all_recruiter_ids(session)):
        inputs = gather_recruiters(session, batch, method, today=today)
        ids = list(inputs)
        values = [inputs[i] for i in ids]
        scores = score_frames(frames_of(values), method)
        written += _store(session, _rows(ids, values, scores), method, ScoredKind.recruiter)
        scored += len(ids)
        if progress is not None:
            progress(len(batch))
    return Outcome(scored=scored, written=written)
