"""A stored score, explained to one caller: every point is shown, but evidence is named only
when the caller may see it.

- Reference rows (goods flags, the country index) and the site's profile (sector, migrant share,
  tier) are always named.
- A finding is named when its assessment is visible to the caller (``assessment_read_scope``).
- A recruiter path is named when every link of it is visible (``relationship_read_scope``).
- A supplier (upstream) is named when at least one link stating it supplies the site is visible;
  only the visible links are listed.
- Everything else of a component collapses into ONE ``pooled_signal`` item with the points summed
  and the number of assessments (or recruiter paths) behind it: never listed, never named.

The total is the stored pooled score: the same for every caller who may see the site.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.principal import Principal
from graph import recruiters as graph_recruiters
from graph import service as graph_service
from graph.models import Relationship
from graph.relationship_repository import visible_relationships
from ingest.assessments.models import Assessment, Finding
from ingest.assessments.repository import visible_assessments
from policies.visibility import assessment_read_scope, relationship_read_scope
from risk import recompute
from risk.models import RiskScore, ScoredKind
from risk.schemas import RiskComponentRead, RiskExplanation, RiskItemRead

POOLED = "pooled_signal"


@dataclass(frozen=True, slots=True)
class Explained:
    explanation: RiskExplanation
    etag: str


def _stored_or_computed(session: Session, kind: ScoredKind, subject_id: uuid.UUID) -> RiskScore:
    def stored() -> RiskScore | None:
        return session.scalars(
            sa.select(RiskScore).where(RiskScore.subject_kind == kind, RiskScore.subject_id == subject_id)
        ).first()

    found = stored()
    if found is None:
        if kind is ScoredKind.facility:
            recompute.recompute_facilities(session, [subject_id])
        else:
            recompute.recompute_recruiters(session, [subject_id])
        found = stored()
    if found is None:  # pragma: no cover - a recompute stores every live subject it is given
        raise RuntimeError(f"no score computed for {kind} {subject_id}")
    return found


def facility_risk_or_raise(session: Session, principal: Principal, *, public_id: str, now: datetime) -> Explained:
    """The facility's score with its explanation for this caller; NotFound when the caller may
    not see the facility (unknown ids, and CTIP organisations without site-level access)."""
    facility = graph_service.get_facility_or_raise(session, principal, public_id=public_id).facility
    return _explained(
        session, principal, _stored_or_computed(session, ScoredKind.facility, facility.id), facility.public_id, now
    )


def recruiter_risk_or_raise(session: Session, principal: Principal, *, public_id: str, now: datetime) -> Explained:
    """The recruiter's score (the recruiter paths through it and its own assessments) with its
    explanation for this caller; NotFound when unknown or not visible."""
    recruiter = graph_recruiters.get_recruiter_or_raise(session, principal, public_id=public_id).recruiter
    stored = _stored_or_computed(session, ScoredKind.recruiter, recruiter.id)
    return _explained(session, principal, stored, recruiter.public_id, now)


def _explained(session: Session, principal: Principal, stored: RiskScore, public_id: str, now: datetime) -> Explained:
    refs = [item["ref"] for c in stored.components for item in c["items"]]
    findings = _visible_findings(session, principal, refs, now)
    paths = _visible_links(session, principal, refs)
    components = [_component(c, findings, paths) for c in stored.components]
    explanation = RiskExplanation(
        subject_kind=stored.subject_kind.value,
        subject_id=public_id,
        score=stored.score,
        band=stored.band,
        confidence=stored.confidence,
        method_version=stored.method_version,
        computed_at=stored.computed_at,
        components=components,
    )
    shown = sorted(item.ref or "" for c in components for item in c.items if item.kind != POOLED)
    digest = hashlib.sha256("\n".join([stored.inputs_fingerprint, *shown]).encode()).hexdigest()
    return Explained(explanation, f'"{stored.method_version}-{digest[:32]}"')


@dataclass(frozen=True, slots=True)
class _Findings:
    #: finding id -> the public id of its assessment, for findings the caller may see.
    visible: dict[str, str]
    #: finding id -> its assessment's id, for every finding of the score.
    assessment_of: dict[str, str]


def _uuids(refs: list[str]) -> list[uuid.UUID]:
    out = []
    for ref in refs:
        try:
            out.append(uuid.UUID(ref))
        except ValueError:
            continue
    return out


def _visible_findings(session: Session, principal: Principal, refs: list[str], now: datetime) -> _Findings:
    ids = _uuids(refs)
    if not ids:
        return _Findings({}, {})
    scope = assessment_read_scope(principal, now=now)
    base = sa.select(Finding.id, Assessment.id, Assessment.public_id).join(Assessment).where(Finding.id.in_(ids))
    every = session.execute(base).all()
    visible = session.execute(base.where(visible_assessments(scope))).all()
    return _Findings({str(f): p for f, _, p in visible}, {str(f): str(a) for f, a, _ in every})


def _links_of(ref: str) -> list[str]:
    """The link public ids of a recruiter path (``LK-..+LK-..``) or a supplier (``LL-..|LK-..+LK-..``)."""
    if "|" in ref:
        return ref.split("|", 1)[1].split("+")
    return ref.split("+") if ref.startswith("LK-") else []


def _visible_links(session: Session, principal: Principal, refs: list[str]) -> set[str]:
    """Public ids of the links of recruiter paths and suppliers the caller may see."""
    links = {link for ref in refs for link in _links_of(ref)}
    if not links:
        return set()
    scope = relationship_read_scope(principal)
    return set(
        session.scalars(
            sa.select(Relationship.public_id).where(Relationship.public_id.in_(links), visible_relationships(scope))
        )
    )


def _component(stored: dict[str, Any], findings: _Findings, links: set[str]) -> RiskComponentRead:
    items: list[RiskItemRead] = []
    hidden_points, hidden_sources = 0.0, set()
    for item in stored["items"]:
        kind, ref, points = item["kind"], item["ref"], round(item["points"], 4)
        if kind == "finding":
            if ref in findings.visible:
                items.append(RiskItemRead(kind=kind, ref=ref, points=points, assessment=findings.visible[ref]))
                continue
            hidden_sources.add(findings.assessment_of.get(ref, ref))
        elif kind == "recruiter_path":
            chain = ref.split("+")
            if all(link in links for link in chain):
                items.append(RiskItemRead(kind=kind, ref=ref, points=points, links=chain))
                continue
            hidden_sources.add(ref)
        elif kind == "supplier":
            shown = [link for link in _links_of(ref) if link in links]
            if shown:
                items.append(RiskItemRead(kind=kind, ref=ref.split("|", 1)[0], points=points, links=shown))
                continue
            hidden_sources.add(ref)
        else:
            items.append(RiskItemRead(kind=kind, ref=ref, points=points))
            continue
        hidden_points += item["points"]
    if hidden_sources:
        what = {"evidence": "assessments", "upstream": "suppliers"}.get(stored["name"], "recruiter paths")
        items.append(
            RiskItemRead(
                kind=POOLED,
                ref=None,
                points=round(hidden_points, 4),
                count=len(hidden_sources),
                label=f"pooled signal from {len(hidden_sources)} {what} you cannot see",
            )
        )
    return RiskComponentRead(name=stored["name"], points=stored["points"], cap=stored["cap"], items=items)
