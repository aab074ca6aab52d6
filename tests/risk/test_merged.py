"""Merged records in risk: links, assessments and certifications stated about a record before it
was merged away count for the record it was merged into (they are not moved by a merge, see
graph/merge_store.py), and nothing is scored for the merged-away record itself."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.principal import OrganizationKind, Principal
from graph import merges
from graph.merges import Record
from graph.models import EndpointKind, Facility, RelationshipKind
from ingest.canonical import Severity
from risk import recompute
from risk.gather import gather, gather_recruiters
from risk.inputs import RiskInputs
from risk.method import current_method
from risk.models import RiskScore
from risk.training import open_trainable_topics
from risk.upstream import own_of_components
from tests.risk.network import TODAY, make_assessment, make_link, make_network, make_org, make_recruiter, make_site

METHOD = current_method()


def _principal(session: Session) -> Principal:
    return Principal(make_org(session).id, OrganizationKind.brand, "client", frozenset(), "token")


def _merge(session: Session, kind: merges.MergeKind, survivor: Record, merged: Record) -> None:
    """Merge ``merged`` into ``survivor`` as a confirmed match does (the claimed record survives)."""
    survivor.owner_organization_id = make_org(session, OrganizationKind.supplier).id
    session.flush()
    assert merges.merge(session, _principal(session), kind, survivor, merged) is survivor
    assert merged.merged_into_id == survivor.id


def _evidence(inputs: RiskInputs) -> tuple[object, ...]:
    """What a site's links and assessments give its inputs (the profile's own attributes aside)."""
    return (inputs.site.tier, inputs.site.unknown_upstream_tiers, inputs.recruitment)


Stored = dict[uuid.UUID, tuple[float, list[dict[str, Any]], str]]


def _stored(session: Session, *records: Facility) -> Stored:
    """The stored scores of these facilities (the database may hold other tests' committed ones)."""
    ids = [record.id for record in records]
    return {
        r.subject_id: (r.score, r.components, r.inputs_fingerprint)
        for r in session.scalars(sa.select(RiskScore).where(RiskScore.subject_id.in_(ids)))
    }


class TestMergedFacility:
    def test_the_survivor_gathers_what_was_stated_about_the_merged_away_site(self, session: Session) -> None:
        twin = make_site(session, migrant_worker_share=0.4, product_type="Knitwear")
        net = make_network(session)
        before = _evidence(gather(session, [net.site.id], METHOD, today=TODAY)[net.site.id])
        own = make_assessment(session, twin, by=net.auditor, severity=Severity.low)[1]

        _merge(session, merges.FACILITIES, twin, net.site)

        after = gather(session, [twin.id, net.site.id], METHOD, today=TODAY)
        assert set(after) == {twin.id}  # nothing is gathered for the merged-away record
        assert _evidence(after[twin.id]) == before  # tier, unknown tiers above, recruiter paths
        assert {f.ref for f in after[twin.id].findings} == {str(net.finding.id), str(own.id)}
        assert len(after[twin.id].assessments) == 2

    def test_a_merged_away_supplier_passes_on_its_survivors_score_and_scores_follow_the_survivor(
        self, session: Session
    ) -> None:
        brand, auditor = make_org(session), make_org(session, OrganizationKind.auditor)
        twin, mill, customer = make_site(session), make_site(session), make_site(session)
        make_assessment(session, mill, by=auditor, severity=Severity.critical)
        make_link(
            session,
            RelationshipKind.supplies,
            (EndpointKind.facility, mill.id),
            (EndpointKind.facility, customer.id),
            by=brand,
        )
        recompute.recompute_all(session, today=TODAY)
        assert mill.id in _stored(session, mill)

        _merge(session, merges.FACILITIES, twin, mill)
        recompute.recompute_facilities(session, [mill.id], today=TODAY)  # what a queued job of the old id does

        stored = _stored(session, twin, mill, customer)
        assert mill.id not in stored  # the merged-away record's score is gone, the survivor has one
        (item,) = next(c for c in stored[customer.id][1] if c["name"] == "upstream")["items"]
        assert item["ref"].startswith(f"{twin.public_id}|")
        assert item["raw"] == pytest.approx(own_of_components(stored[twin.id][1]) / 100, abs=1e-3)  # twin's own score
        assert item["raw"] > 0  # the mill's finding counts for twin

        session.execute(sa.delete(RiskScore).where(RiskScore.subject_id.in_([twin.id, customer.id])))
        recompute.recompute_all(session, today=TODAY)
        assert _stored(session, twin, mill, customer) == stored  # the whole-network pass agrees


class TestMergedRecruiter:
    def test_a_path_from_a_merged_away_agency_counts_for_its_survivor_with_the_survivors_standing(
        self, session: Session
    ) -> None:
        brand = make_org(session)
        twin = make_recruiter(session)
        placing_agency, site = make_recruiter(session, certified=True), make_site(session)
        link = make_link(
            session,
            RelationshipKind.recruits_for,
            (EndpointKind.recruiter, placing_agency.id),
            (EndpointKind.facility, site.id),
            by=brand,
        )
        (before,) = gather(session, [site.id], METHOD, today=TODAY)[site.id].recruitment
        assert before.certified

        _merge(session, merges.RECRUITERS, twin, placing_agency)

        (path,) = gather(session, [site.id], METHOD, today=TODAY)[site.id].recruitment
        assert (path.ref, path.certified) == (link.public_id, True)  # the certificate moved to the survivor
        after = gather_recruiters(session, [twin.id, placing_agency.id], METHOD, today=TODAY)
        assert set(after) == {twin.id}
        assert [p.ref for p in after[twin.id].recruitment] == [link.public_id]


class TestMergedTrainingTopics:
    def test_a_merged_away_sites_open_findings_count_for_the_survivor(self, session: Session) -> None:
        auditor = make_org(session, OrganizationKind.auditor)
        twin, site = make_site(session), make_site(session)
        make_assessment(session, site, by=auditor)
        make_assessment(session, twin, by=auditor)
        before = open_trainable_topics(session, [twin.id])

        _merge(session, merges.FACILITIES, twin, site)

        after = open_trainable_topics(session, [twin.id])
        assert sum(after[twin.id].values()) == 2 * sum(before[twin.id].values()) > 0
