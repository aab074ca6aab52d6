"""Small typed factories of a scored network (ORM rows: the risk tests read the database as the
jobs do)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from core.principal import OrganizationKind
from graph import public_ids
from graph.models import (
    Corridor,
    EndpointKind,
    Facility,
    FeePayer,
    Recruiter,
    RecruiterCertification,
    Relationship,
    RelationshipKind,
)
from ingest.assessments.models import Assessment, CorrectiveAction, Finding
from ingest.canonical import ActionStatus, AssessmentType, Modality, Scheme, Severity, SubjectKind, Topic
from policies.models import Organization
from risk.reference.models import CorridorWeight, GoodsListPair, ReferenceEdition

TODAY = date(2026, 12, 1)


def make_org(session: Session, kind: OrganizationKind = OrganizationKind.brand) -> Organization:
    org = Organization(kind=kind, display_name=f"Org {uuid.uuid4().hex[:8]}")
    session.add(org)
    session.flush()
    return org


def make_site(session: Session, **fields: object) -> Facility:
    name = f"Site {uuid.uuid4().hex[:10]}"
    values: dict[str, object] = {"country": "BD", "sector": "Apparel"} | fields
    site = Facility(public_id=public_ids.new_public_id(), name=name, normalised_name=name.lower(), **values)
    session.add(site)
    session.flush()
    return site


def make_recruiter(session: Session, *, licensed: bool = True, certified: bool = False) -> Recruiter:
    name = f"Agency {uuid.uuid4().hex[:10]}"
    agent = Recruiter(
        public_id=public_ids.new_public_id(public_ids.RECRUITER_PREFIX),
        name=name,
        normalised_name=name.lower(),
        country="NP",
        licence_number=f"L-{uuid.uuid4().hex[:6]}" if licensed else None,
    )
    session.add(agent)
    session.flush()
    if certified:
        session.add(
            RecruiterCertification(
                recruiter_id=agent.id,
                scheme="iris",
                certificate_id=uuid.uuid4().hex[:8],
                valid_to=TODAY + timedelta(days=90),
                contributed_by_organization_id=make_org(session, OrganizationKind.platform).id,
            )
        )
        session.flush()
    return agent


def make_link(
    session: Session,
    kind: RelationshipKind,
    source: tuple[EndpointKind, uuid.UUID],
    target: tuple[EndpointKind, uuid.UUID],
    *,
    by: Organization,
    **fields: object,
) -> Relationship:
    link = Relationship(
        public_id=public_ids.new_public_id("LK"),
        kind=kind,
        from_kind=source[0],
        from_id=source[1],
        to_kind=target[0],
        to_id=target[1],
        contributor_organization_id=by.id,
        **fields,
    )
    session.add(link)
    session.flush()
    return link


def make_assessment(
    session: Session,
    site: Facility,
    *,
    by: Organization,
    severity: Severity = Severity.high,
    pooled: bool = True,
    ended_days_ago: int = 30,
    action_due: date | None = None,
) -> tuple[Assessment, Finding]:
    end = TODAY - timedelta(days=ended_days_ago)
    assessment = Assessment(
        public_id=public_ids.new_public_id("LA"),
        scheme=Scheme.smeta,
        scheme_version="7.0",
        mapping_version="1",
        modality=Modality.onsite,
        type=AssessmentType.audit,
        status="final",
        period_start_date=end - timedelta(days=2),
        period_end_date=end,
        assessor_name="Auditor",
        subject_kind=SubjectKind.facility,
        subject_id=site.id,
        facility_id=site.id,
        source_sha256=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
        source_format="json",
        pooled_signal=pooled,
        uploaded_by_organization_id=by.id,
        assessor_organization_id=by.id,
    )
    session.add(assessment)
    session.flush()
    finding = Finding(
        assessment_id=assessment.id,
        position=1,
        ref="WH-1",
        topic=Topic.identity_documents,
        severity=severity,
        ilo_indicators=["retention_of_identity_documents", "not_an_indicator"],
    )
    session.add(finding)
    session.flush()
    if action_due is not None:
        session.add(
            CorrectiveAction(
                assessment_id=assessment.id,
                finding_id=finding.id,
                position=1,
                action="Return passports",
                status=ActionStatus.open,
                due_date=action_due,
            )
        )
        session.flush()
    return assessment, finding


def make_goods_list(session: Session, pairs: list[tuple[str, str, bool, bool]], edition: str = "2024") -> None:
    """(good, country, forced labour, child labour) pairs as one imported edition."""
    stored = ReferenceEdition(
        kind="goods_list",
        name="ILAB",
        edition=edition,
        source="test",
        licence="public domain",
        content_sha256=uuid.uuid4().hex,
        rows=len(pairs),
    )
    session.add(stored)
    session.flush()
    session.add_all(
        GoodsListPair(
            edition_id=stored.id,
            good=good,
            country=country,
            country_name=country,
            child_labor=child,
            forced_labor=forced,
            forced_child_labor=False,
        )
        for good, country, forced, child in pairs
    )
    session.flush()


def make_corridor(session: Session, origin: str = "NP", destination: str = "BD", sector: str = "") -> Corridor:
    """A migration corridor ('' = any sector), registered by a platform organisation."""
    corridor = Corridor(
        origin_country=origin,
        destination_country=destination,
        sector=sector,
        created_by_organization_id=make_org(session, OrganizationKind.platform).id,
    )
    session.add(corridor)
    session.flush()
    return corridor


def make_corridor_weights(
    session: Session, weights: list[tuple[str, str, str, float]], edition: str = "2024"
) -> ReferenceEdition:
    """(origin, destination, sector ('' = any), weight) rows as one imported edition."""
    stored = ReferenceEdition(
        kind="corridor_weights",
        name="Test corridor weights",
        edition=edition,
        source="test",
        licence="CC0-1.0",
        content_sha256=uuid.uuid4().hex,
        rows=len(weights),
    )
    session.add(stored)
    session.flush()
    session.add_all(
        CorridorWeight(
            edition_id=stored.id, origin_country=origin, destination_country=destination, sector=sector, weight=weight
        )
        for origin, destination, sector, weight in weights
    )
    session.flush()
    return stored


@dataclass(frozen=True)
class Network:
    brand: Organization
    auditor: Organization
    site: Facility
    sub_agent: Recruiter
    agent: Recruiter
    placing: Relationship
    subcontract: Relationship
    finding: Finding


def make_network(
    session: Session, *, brand: Organization | None = None, auditor: Organization | None = None
) -> Network:
    """A tier-2 apparel site in BD, with a worker-paid recruitment chain (links stated by ``brand``)
    and an audit finding (uploaded by ``auditor``, shared with nobody)."""
    brand = brand or make_org(session)
    auditor = auditor or make_org(session, OrganizationKind.auditor)
    site = make_site(session, migrant_worker_share=0.4, product_type="Knitwear")
    facility = (EndpointKind.facility, site.id)
    make_link(session, RelationshipKind.sources_from, (EndpointKind.organization, brand.id), facility, by=brand, tier=3)
    make_link(session, RelationshipKind.sources_from, (EndpointKind.organization, brand.id), facility, by=brand, tier=2)
    sub_agent, agent = make_recruiter(session), make_recruiter(session, licensed=False)
    placing = make_link(
        session,
        RelationshipKind.recruits_for,
        (EndpointKind.recruiter, sub_agent.id),
        facility,
        by=brand,
        fee_payer=FeePayer.worker,
        fee_per_worker=1500.0,
        fee_currency="USD",
    )
    subcontract = make_link(
        session,
        RelationshipKind.subcontracts,
        (EndpointKind.recruiter, agent.id),
        (EndpointKind.recruiter, sub_agent.id),
        by=brand,
    )
    _, finding = make_assessment(session, site, by=auditor, action_due=TODAY - timedelta(days=1))
    return Network(brand, auditor, site, sub_agent, agent, placing, subcontract, finding)
