"""Training priorities rank the factories the caller shares with other brands by risk, reach,
sharing brands and open trainable findings (both dialects)."""

from __future__ import annotations

import math
from datetime import date

from sqlalchemy.orm import Session

from core.principal import OrganizationKind, Principal
from graph.models import EndpointKind, Facility, RelationshipKind
from ingest.canonical import Severity
from policies.models import Organization
from risk.models import RiskScore, ScoredKind
from risk.training import training_priorities
from tests.risk.network import make_assessment, make_link, make_org, make_site


def principal_of(org: Organization) -> Principal:
    return Principal(org.id, OrganizationKind.brand, "c", frozenset({"risk:read"}), "t")


def source(session: Session, brand: Organization, site: Facility) -> None:
    make_link(
        session, RelationshipKind.sources_from, (EndpointKind.organization, brand.id), (EndpointKind.facility, site.id),
        by=brand, tier=1,
    )  # fmt: skip


def scored(session: Session, site: Facility, value: float) -> None:
    session.add(
        RiskScore(
            subject_kind=ScoredKind.facility, subject_id=site.id, score=value, band="high", confidence=0.5,
            components=[], method_version="t", inputs_fingerprint="0" * 64,
        )
    )  # fmt: skip
    session.flush()


def test_shared_factories_rank_by_risk_reach_brands_and_open_findings(session: Session) -> None:
    atlas, birch, cobalt, auditor = make_org(session), make_org(session), make_org(session), make_org(session)
    big = make_site(session, number_of_workers=3000)
    small = make_site(session, number_of_workers=100)
    alone = make_site(session, number_of_workers=5000)
    for brand, site in ((atlas, big), (birch, big), (cobalt, big), (atlas, small), (birch, small), (atlas, alone)):
        source(session, brand, site)
    for site, value in ((big, 60.0), (small, 90.0), (alone, 95.0)):
        scored(session, site, value)
    make_assessment(session, big, by=auditor, severity=Severity.high, action_due=date(2030, 1, 1))
    make_assessment(session, small, by=auditor, severity=Severity.high, pooled=False)  # no pooling consent

    ranked = training_priorities(session, principal_of(atlas))

    assert [p.public_id for p in ranked] == [big.public_id, small.public_id]  # `alone` is not shared
    first = ranked[0]
    assert (first.sharing_brands, first.open_trainable_findings, first.topics) == (3, 1, ["identity_documents"])
    assert first.named_brands == []  # nobody consented to be named
    assert first.priority == round(0.6 * math.log1p(3000) * 3 * 2, 3)
    assert ranked[1].open_trainable_findings == 0

    assert training_priorities(session, principal_of(cobalt))[0].sharing_brands == 3
    assert training_priorities(session, principal_of(auditor)) == []
