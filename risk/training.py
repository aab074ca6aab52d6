"""Training priorities: the shared factories where pooling money for training matters most.

A factory qualifies when the caller sources from it and at least one other member brand does too
(counted in SQL by ``graph.network_repository.shared_suppliers``: which brands is never shown,
only how many, and the names of those that consented). Each is ranked by

    priority = score / 100 x log(1 + workers) x sharing brands x (1 + open trainable findings)

- the stored risk score (unscored sites rank last), the workforce a training reaches (log: a
  10,000-worker site is not a hundred times a 100-worker one), how many brands would co-fund, and
  the open findings in topics a training can address (a finding of a current, pooled assessment,
  above "none", whose corrective action is not closed). The suggested topics are those findings'
  topics, most frequent first; topics are an aggregate of pooled evidence, never the findings.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.principal import Principal
from graph import merge_store, network_repository
from graph.models import Facility
from ingest.assessments.models import Assessment, CorrectiveAction, Finding
from ingest.canonical import ActionStatus, Severity, Topic
from risk.models import RiskScore, ScoredKind

#: Topics a training programme can act on (management and worker training, grievance systems...).
TRAINABLE = frozenset(
    {
        Topic.recruitment_and_hiring,
        Topic.recruitment_fees,
        Topic.contracts_and_terms,
        Topic.identity_documents,
        Topic.forced_labour,
        Topic.discrimination,
        Topic.freedom_of_association,
        Topic.wages_and_benefits,
        Topic.working_hours,
        Topic.worker_treatment,
        Topic.worker_involvement,
        Topic.grievance_and_remedy,
        Topic.health_and_safety,
        Topic.management_systems,
    }
)


@dataclass(frozen=True, slots=True)
class Priority:
    public_id: str
    name: str
    country: str
    workers: int | None
    score: float | None
    band: str | None
    sharing_brands: int  # the caller included
    named_brands: list[str]
    open_trainable_findings: int
    topics: list[str]
    priority: float


def open_trainable_topics(session: Session, facility_ids: list[uuid.UUID]) -> dict[uuid.UUID, Counter[str]]:
    """Per facility, the topics of its open findings a training can address, counted (findings
    about a record merged into the facility included)."""
    if not facility_ids:
        return {}
    owner = merge_store.members(session, Facility, facility_ids)
    closed = sa.exists().where(
        CorrectiveAction.finding_id == Finding.id, CorrectiveAction.status == ActionStatus.closed
    )
    rows = session.execute(
        sa.select(Assessment.facility_id, Finding.topic)
        .join(Finding, Finding.assessment_id == Assessment.id)
        .where(
            Assessment.facility_id.in_(list(owner)),
            Assessment.superseded_by_id.is_(None),
            Assessment.pooled_signal.is_(True),
            Finding.severity != Severity.none,
            Finding.topic.in_(sorted(TRAINABLE)),
            sa.not_(closed),
        )
    )
    topics: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
    for facility_id, topic in rows:
        if facility_id is not None:
            topics[owner[facility_id]][Topic(topic).value] += 1
    return topics


def training_priorities(session: Session, principal: Principal) -> list[Priority]:
    shared = network_repository.shared_suppliers(session, principal.organization_id, today=utcnow().date())
    ids = [s.facility_id for s in shared]
    facts = {
        facility_id: (country, workers, score, band)
        for facility_id, country, workers, score, band in session.execute(
            sa.select(Facility.id, Facility.country, Facility.number_of_workers, RiskScore.score, RiskScore.band)
            .outerjoin(
                RiskScore, sa.and_(RiskScore.subject_kind == ScoredKind.facility, RiskScore.subject_id == Facility.id)
            )
            .where(Facility.id.in_(ids))
        )
    } if ids else {}  # fmt: skip
    topics = open_trainable_topics(session, ids)
    ranked = []
    for s in shared:
        country, workers, score, band = facts.get(s.facility_id, ("", None, None, None))
        counted = topics.get(s.facility_id, Counter())
        findings = sum(counted.values())
        brands = s.sharing_members + 1
        priority = (score or 0.0) / 100 * math.log1p(workers or 0) * brands * (1 + findings)
        ranked.append(
            Priority(
                public_id=s.public_id,
                name=s.name,
                country=country,
                workers=workers,
                score=score,
                band=band,
                sharing_brands=brands,
                named_brands=list(s.named_members),
                open_trainable_findings=findings,
                topics=[topic for topic, _ in counted.most_common()],
                priority=round(priority, 3),
            )
        )
    ranked.sort(key=lambda p: (-p.priority, p.public_id))
    return ranked
