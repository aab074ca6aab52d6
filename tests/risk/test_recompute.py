"""Gathering a site's inputs from the database, and storing recomputed scores (both dialects)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph.models import EndpointKind, FeePayer, RelationshipKind
from ingest.canonical import IloIndicator, Severity
from risk import recompute
from risk.gather import gather, gather_recruiters
from risk.method import current_method
from risk.models import RiskScore
from risk.scoring import score
from tests.risk.network import (
    TODAY,
    make_assessment,
    make_goods_list,
    make_link,
    make_network,
    make_org,
    make_recruiter,
    make_site,
)

METHOD = current_method()


class TestGoodsBySector:
    def test_apparel_stands_for_garments_and_cotton_electronics_and_seafood_for_theirs(self) -> None:
        goods = METHOD.inherent
        assert {"garments", "cotton"} <= goods.goods_for("Apparel", None)
        assert "electronics" in goods.goods_for(" electronics ", None)
        assert {"fish", "shrimp"} <= goods.goods_for("Seafood", None)
        assert "rubber gloves" in goods.goods_for(None, "Gloves")
        assert goods.goods_for("Toys", "Bricks") >= {"toys", "bricks"}
        assert goods.goods_for(None, "") == frozenset()


class TestGather:
    def test_reads_profile_goods_findings_and_recruiter_chains(self, session: Session) -> None:
        net = make_network(session)
        make_goods_list(session, [("Garments", "BD", True, False), ("Fish", "BD", False, True)], edition="2022")
        make_goods_list(session, [("Garments", "BD", True, True), ("Garments", "IN", True, False)], edition="2024")
        inputs = gather(session, [net.site.id], METHOD, today=TODAY)[net.site.id]
        site = inputs.site
        assert (site.country, site.sector, site.tier, site.migrant_share) == ("BD", "Apparel", 2, 0.4)
        assert site.unknown_upstream_tiers == METHOD.inherent.max_tier_counted - 2  # no supplier mapped
        assert [(g.good, g.forced_labour, g.child_labour) for g in site.goods] == [("Garments", True, True)]
        (finding,) = inputs.findings
        assert finding.ref == str(net.finding.id)
        assert finding.severity is Severity.high
        assert finding.indicators == {IloIndicator.retention_of_identity_documents}
        assert (finding.age_days, finding.open_action, finding.overdue_action, finding.verified) == (
            30,
            True,
            True,
            True,
        )
        assert len(inputs.assessments) == 1
        (path,) = inputs.recruitment
        assert path.ref == f"{net.placing.public_id}+{net.subcontract.public_id}"
        assert (path.depth, path.fee_payer, path.fee_per_worker_usd) == (2, FeePayer.worker, 1500.0)
        assert (path.licensed, path.certified) == (False, False)

    def test_leaves_out_superseded_and_unpooled_assessments(self, session: Session) -> None:
        auditor = make_org(session)
        site = make_site(session)
        make_assessment(session, site, by=auditor, pooled=False)
        old, _ = make_assessment(session, site, by=auditor)
        new, _ = make_assessment(session, site, by=auditor, severity=Severity.low)
        old.superseded_by_id = new.id
        session.flush()
        inputs = gather(session, [site.id], METHOD, today=TODAY)[site.id]
        assert [f.severity for f in inputs.findings] == [Severity.low]
        assert [a.ref for a in inputs.assessments] == [str(new.id)]

    def test_fees_in_other_currencies_count_as_unknown_amounts_and_a_supplier_clears_unknown_tiers(
        self, session: Session
    ) -> None:
        brand = make_org(session)
        site, supplier = make_site(session), make_site(session)
        make_link(
            session,
            RelationshipKind.sources_from,
            (EndpointKind.organization, brand.id),
            (EndpointKind.facility, site.id),
            by=brand,
            tier=1,
        )
        make_link(
            session,
            RelationshipKind.supplies,
            (EndpointKind.facility, supplier.id),
            (EndpointKind.facility, site.id),
            by=brand,
        )
        agent = make_recruiter(session, certified=True)
        make_link(
            session,
            RelationshipKind.recruits_for,
            (EndpointKind.recruiter, agent.id),
            (EndpointKind.facility, site.id),
            by=brand,
            fee_payer=FeePayer.worker,
            fee_per_worker=90000.0,
            fee_currency="NPR",
        )
        inputs = gather(session, [site.id, supplier.id], METHOD, today=TODAY)
        assert inputs[site.id].site.unknown_upstream_tiers == 0
        assert inputs[supplier.id].site.tier is None
        (path,) = inputs[site.id].recruitment
        assert (path.depth, path.fee_per_worker_usd, path.licensed, path.certified) == (1, None, True, True)


class TestRecompute:
    def test_stores_the_score_once_and_rewrites_only_when_inputs_change(self, session: Session) -> None:
        net = make_network(session)
        first = recompute.recompute_facilities(session, [net.site.id], today=TODAY)
        assert (first.scored, first.written) == (1, 1)
        stored = session.scalars(sa.select(RiskScore).where(RiskScore.subject_id == net.site.id)).one()
        expected = score(gather(session, [net.site.id], METHOD, today=TODAY)[net.site.id], METHOD)
        assert (stored.score, stored.band, stored.confidence) == (
            expected.total,
            expected.band.value,
            expected.confidence,
        )
        assert [c["name"] for c in stored.components] == ["inherent", "evidence", "recruitment", "upstream"]
        assert stored.method_version == METHOD.version
        assert recompute.recompute_facilities(session, [net.site.id], today=TODAY).written == 0
        net.site.migrant_worker_share = 0.9
        session.flush()
        assert recompute.recompute_facilities(session, [net.site.id], today=TODAY).written == 1

    def test_the_whole_network_recompute_stores_what_the_per_facility_one_does(self, session: Session) -> None:
        net = make_network(session)
        other = make_site(session, sector="Seafood", migrant_worker_share=0.7)
        make_assessment(session, other, by=net.auditor, severity=Severity.critical, ended_days_ago=800)
        recompute.recompute_all(session, today=TODAY)
        stored = {
            r.subject_id: (r.score, r.band, r.confidence, r.components, r.inputs_fingerprint)
            for r in session.scalars(sa.select(RiskScore).where(RiskScore.subject_id.in_([net.site.id, other.id])))
        }
        session.execute(sa.delete(RiskScore).where(RiskScore.subject_id.in_([net.site.id, other.id])))
        recompute.recompute_facilities(session, [net.site.id, other.id], today=TODAY)
        again = {
            r.subject_id: (r.score, r.band, r.confidence, r.components, r.inputs_fingerprint)
            for r in session.scalars(sa.select(RiskScore).where(RiskScore.subject_id.in_([net.site.id, other.id])))
        }
        assert stored == again
        assert recompute.recompute_all(session, today=TODAY).written == 0


class TestGatherRecruiters:
    def test_every_recruiter_of_a_chain_gets_its_paths_and_its_own_findings(self, session: Session) -> None:
        net = make_network(session)
        idle = make_recruiter(session)
        inputs = gather_recruiters(session, [net.agent.id, net.sub_agent.id, idle.id], METHOD, today=TODAY)
        path = f"{net.placing.public_id}+{net.subcontract.public_id}"
        assert [p.ref for p in inputs[net.agent.id].recruitment] == [path]
        assert [p.ref for p in inputs[net.sub_agent.id].recruitment] == [path]
        assert inputs[idle.id].recruitment == ()
        assert inputs[net.agent.id].site.tier is None

    def test_stores_recruiter_scores_apart_from_facility_scores(self, session: Session) -> None:
        net = make_network(session)
        assert recompute.recompute_recruiters(session, [net.agent.id], today=TODAY).written == 1
        stored = session.scalars(sa.select(RiskScore).where(RiskScore.subject_id == net.agent.id)).one()
        assert stored.subject_kind == "recruiter"
        assert stored.score > 0

    def test_the_whole_recruiter_pass_stores_what_the_per_recruiter_one_does(self, session: Session) -> None:
        net = make_network(session)
        ids = [net.agent.id, net.sub_agent.id]
        recompute.recompute_all_recruiters(session, today=TODAY)
        whole = {
            r.subject_id: (r.score, r.band, r.confidence, r.components, r.inputs_fingerprint)
            for r in session.scalars(sa.select(RiskScore).where(RiskScore.subject_id.in_(ids)))
        }
        session.execute(sa.delete(RiskScore).where(RiskScore.subject_id.in_(ids)))
        recompute.recompute_recruiters(session, ids, today=TODAY)
        one_by_one = {
            r.subject_id: (r.score, r.band, r.confidence, r.components, r.inputs_fingerprint)
            for r in session.scalars(sa.select(RiskScore).where(RiskScore.subject_id.in_(ids)))
        }
        assert whole == one_by_one
        assert len(whole) == 2
        assert recompute.recompute_all_recruiters(session, today=TODAY).written == 0
