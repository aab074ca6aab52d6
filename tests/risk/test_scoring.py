"""Properties of the risk score: bounded, deterministic, monotone, explained to the last point."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ingest.canonical import AssessmentType, IloIndicator, Modality, Severity
from risk.inputs import (
    AssessmentSeen,
    FeePayer,
    FindingEvidence,
    GoodsFlag,
    RecruiterPath,
    RiskInputs,
    SiteProfile,
    SupplierRisk,
)
from risk.method import METHOD_FILE, current_method, parse_method
from risk.scoring import Band, band_of, score

METHOD = current_method()

goods_flags = st.builds(
    GoodsFlag,
    ref=st.uuids().map(str),
    good=st.sampled_from(["Cotton", "Garments", "Fish", "Bricks", "Gloves"]),
    forced_labour=st.booleans(),
    child_labour=st.booleans(),
    forced_child_labour=st.booleans(),
)
sites = st.builds(
    SiteProfile,
    country=st.sampled_from(["BD", "MY", "TH", "IN", None]),
    sector=st.sampled_from(["Apparel", "Seafood", "Electronics", "Toys", None]),
    tier=st.one_of(st.none(), st.integers(1, 6)),
    migrant_share=st.one_of(st.none(), st.floats(0, 1)),
    goods=st.lists(goods_flags, max_size=6).map(tuple),
    country_index=st.one_of(st.none(), st.floats(0, 1)),
    unknown_upstream_tiers=st.integers(0, 4),
)
findings = st.builds(
    FindingEvidence,
    ref=st.uuids().map(str),
    severity=st.sampled_from(Severity),
    indicators=st.frozensets(st.sampled_from(IloIndicator), max_size=3),
    verified=st.booleans(),
    legal_non_compliance=st.booleans(),
    modality=st.sampled_from(Modality),
    assessment_type=st.sampled_from(AssessmentType),
    age_days=st.integers(0, 3000),
    open_action=st.booleans(),
    overdue_action=st.booleans(),
)
paths = st.builds(
    RecruiterPath,
    ref=st.uuids().map(str),
    depth=st.integers(1, 5),
    fee_payer=st.sampled_from(FeePayer),
    fee_per_worker_usd=st.one_of(st.none(), st.floats(0, 20_000)),
    licensed=st.booleans(),
    certified=st.booleans(),
    corridor_weight=st.floats(0, 1),
)
assessments = st.builds(
    AssessmentSeen,
    ref=st.uuids().map(str),
    modality=st.sampled_from(Modality),
    assessment_type=st.sampled_from(AssessmentType),
    age_days=st.integers(0, 3000),
)
suppliers = st.builds(SupplierRisk, ref=st.uuids().map(str), carried=st.floats(0, 1))
risk_inputs = st.builds(
    RiskInputs,
    site=sites,
    findings=st.lists(findings, max_size=8).map(tuple),
    assessments=st.lists(assessments, max_size=3).map(tuple),
    recruitment=st.lists(paths, max_size=4).map(tuple),
    upstream=st.lists(suppliers, max_size=7).map(tuple),
)


class TestBounds:
    @given(risk_inputs)
    def test_the_total_and_every_component_stay_in_bounds(self, inputs: RiskInputs) -> None:
        result = score(inputs, METHOD)
        assert 0 <= result.total <= 100
        assert all(0 <= c.points <= c.cap for c in result.components)
        assert 0 <= result.confidence <= 1

    @given(risk_inputs)
    def test_deterministic(self, inputs: RiskInputs) -> None:
        assert score(inputs, METHOD) == score(dataclasses.replace(inputs), METHOD)


class TestExplanation:
    @given(risk_inputs)
    def test_components_sum_to_the_total_and_items_to_their_component(self, inputs: RiskInputs) -> None:
        result = score(inputs, METHOD)
        assert result.total == pytest.approx(sum(c.points for c in result.components), abs=1e-9)
        for component in result.components:
            if component.items:
                assert sum(i.points for i in component.items) == pytest.approx(component.points, abs=1e-6)
            else:
                assert component.points == 0

    @given(risk_inputs)
    def test_every_finding_with_weight_is_named(self, inputs: RiskInputs) -> None:
        evidence = next(c for c in score(inputs, METHOD).components if c.name == "evidence")
        named = {i.ref for i in evidence.items}
        assert named <= {f.ref for f in inputs.findings}
        assert all(i.points >= 0 for i in evidence.items)

    @given(risk_inputs)
    def test_the_band_follows_the_edges(self, inputs: RiskInputs) -> None:
        result = score(inputs, METHOD)
        assert result.band is band_of(result.total, METHOD)
        assert result.method_version == METHOD.version


def worse(finding: FindingEvidence, severity: Severity) -> FindingEvidence:
    return dataclasses.replace(finding, severity=max(finding.severity, severity, key=lambda s: s.rank))


class TestMonotone:
    @given(risk_inputs, st.data())
    def test_a_worse_finding_never_lowers_the_score(self, inputs: RiskInputs, data: st.DataObject) -> None:
        if not inputs.findings:
            return
        i = data.draw(st.integers(0, len(inputs.findings) - 1))
        severity = data.draw(st.sampled_from(Severity))
        indicator = data.draw(st.sampled_from(IloIndicator))
        finding = worse(inputs.findings[i], severity)
        finding = dataclasses.replace(finding, indicators=finding.indicators | {indicator})
        changed = dataclasses.replace(inputs, findings=(*inputs.findings[:i], finding, *inputs.findings[i + 1 :]))
        assert score(changed, METHOD).total >= score(inputs, METHOD).total

    @given(risk_inputs, findings)
    def test_another_finding_never_lowers_the_score(self, inputs: RiskInputs, extra: FindingEvidence) -> None:
        changed = dataclasses.replace(inputs, findings=(*inputs.findings, extra))
        assert score(changed, METHOD).total >= score(inputs, METHOD).total

    @given(risk_inputs, st.data())
    def test_a_higher_fee_or_a_deeper_chain_never_lowers_the_score(
        self, inputs: RiskInputs, data: st.DataObject
    ) -> None:
        if not inputs.recruitment:
            return
        i = data.draw(st.integers(0, len(inputs.recruitment) - 1))
        path = inputs.recruitment[i]
        worse_path = dataclasses.replace(
            path,
            fee_per_worker_usd=(path.fee_per_worker_usd or 0) + data.draw(st.floats(0, 5_000)),
            depth=path.depth + data.draw(st.integers(0, 3)),
            licensed=path.licensed and data.draw(st.booleans()),
        )
        changed = dataclasses.replace(
            inputs, recruitment=(*inputs.recruitment[:i], worse_path, *inputs.recruitment[i + 1 :])
        )
        assert score(changed, METHOD).total >= score(inputs, METHOD).total

    @given(risk_inputs, st.data())
    def test_a_riskier_supplier_never_lowers_the_score(self, inputs: RiskInputs, data: st.DataObject) -> None:
        if not inputs.upstream:
            return
        i = data.draw(st.integers(0, len(inputs.upstream) - 1))
        supplier = inputs.upstream[i]
        riskier = dataclasses.replace(supplier, carried=min(1.0, supplier.carried + data.draw(st.floats(0, 1))))
        changed = dataclasses.replace(inputs, upstream=(*inputs.upstream[:i], riskier, *inputs.upstream[i + 1 :]))
        assert score(changed, METHOD).total >= score(inputs, METHOD).total

    @given(risk_inputs, suppliers)
    def test_another_supplier_never_lowers_the_score(self, inputs: RiskInputs, extra: SupplierRisk) -> None:
        changed = dataclasses.replace(inputs, upstream=(*inputs.upstream, extra))
        assert score(changed, METHOD).total >= score(inputs, METHOD).total

    @given(risk_inputs)
    def test_only_the_riskiest_suppliers_count(self, inputs: RiskInputs) -> None:
        upstream = next(c for c in score(inputs, METHOD).components if c.name == "upstream")
        assert len(upstream.items) <= METHOD.upstream.max_suppliers_counted
        counted = sorted((s.carried for s in inputs.upstream), reverse=True)[: METHOD.upstream.max_suppliers_counted]
        assert upstream.raw == pytest.approx(METHOD.upstream.per_supplier * sum(counted), abs=1e-9)

    @given(risk_inputs, st.integers(1, 5))
    def test_unknown_upstream_tiers_lower_confidence_not_the_score(self, inputs: RiskInputs, more: int) -> None:
        site = dataclasses.replace(inputs.site, unknown_upstream_tiers=inputs.site.unknown_upstream_tiers + more)
        before, after = score(inputs, METHOD), score(dataclasses.replace(inputs, site=site), METHOD)
        assert after.total == before.total
        assert after.confidence <= before.confidence


class TestAnchors:
    def test_nothing_known_is_low_risk_with_low_confidence(self) -> None:
        result = score(RiskInputs(), METHOD)
        assert (result.total, result.band) == (0, Band.low)
        assert result.confidence == METHOD.confidence.base

    def test_worker_paid_fees_through_unlicensed_sub_agents_with_passport_retention_is_severe(self) -> None:
        inputs = RiskInputs(
            site=SiteProfile(
                country="MY",
                sector="Electronics",
                migrant_share=0.8,
                goods=(GoodsFlag("ilab:gloves:MY", "Rubber gloves", True, False, False),),
            ),
            findings=(
                FindingEvidence(
                    "F-1",
                    Severity.critical,
                    frozenset({IloIndicator.retention_of_identity_documents}),
                    open_action=True,
                ),
                FindingEvidence("F-2", Severity.high, frozenset({IloIndicator.debt_bondage})),
            ),
            recruitment=(
                RecruiterPath(
                    "agent>sub-agent", depth=2, fee_payer=FeePayer.worker, fee_per_worker_usd=4000, licensed=False
                ),
            ),
        )
        result = score(inputs, METHOD)
        assert result.band is Band.severe
        assert {i.ref for c in result.components for i in c.items} >= {
            "F-1",
            "F-2",
            "agent>sub-agent",
            "ilab:gloves:MY",
        }


class TestMethodConfig:
    def test_caps_must_sum_to_100(self) -> None:
        text = METHOD_FILE.read_text().replace("cap = 35.0", "cap = 45.0", 1)
        with pytest.raises(ValidationError, match="sum to 100"):
            parse_method(text)

    def test_a_worse_severity_may_not_weigh_less(self) -> None:
        text = METHOD_FILE.read_text().replace("critical = 2.0", "critical = 0.1", 1)
        with pytest.raises(ValidationError, match="worse severity"):
            parse_method(text)

    def test_weights_may_not_be_negative(self) -> None:
        text = METHOD_FILE.read_text().replace("unlicensed = 0.8", "unlicensed = -0.8", 1)
        with pytest.raises(ValidationError, match="unlicensed"):
            parse_method(text)
