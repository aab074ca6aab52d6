"""Better-Work-style assessments and virtual compliance checks."""

from __future__ import annotations

from ingest.canonical import (
    AssessmentType,
    IloIndicator,
    Modality,
    Scheme,
    Severity,
    Topic,
    TriangulationSource,
)
from ingest.formats import parse_assessment_json
from tests.ingest.samples import finding, problems_of, sample, sample_json, where


class TestBetterWork:
    def test_assessment_facts(self) -> None:
        a = sample("better_work.csv")
        assert (a.type, a.modality, a.triangulation_sources) == (AssessmentType.audit, Modality.onsite, frozenset())
        assert len(a.findings) == 8
        bon = finding(a, "FL-BON-1")
        assert (bon.answer, bon.severity, bon.section) == ("no", Severity.critical, "Forced Labour")
        assert bon.ilo_indicators == {IloIndicator.debt_bondage, IloIndicator.retention_of_identity_documents}
        assert finding(a, "CH-EMP-2").answer == "not_applicable"
        assert finding(a, "CL-CHL-1").severity is Severity.none

    def test_virtual_compliance_check(self) -> None:
        a = sample("better_work_vcc.json")
        assert (a.type, a.modality) == (AssessmentType.vcc, Modality.virtual)
        assert a.triangulation_sources == {
            TriangulationSource.worker_survey,
            TriangulationSource.management_interview,
            TriangulationSource.document_review,
        }
        assert a.attribute("service_phase") == "2"
        assert finding(a, "COVID-1").topic is Topic.health_and_safety

    def test_vcc_rules(self) -> None:
        body = sample_json("better_work_vcc.json")
        body["assessment"]["modality"] = "onsite"
        body["assessment"]["triangulation_sources"] = ""
        messages = [p.message for p in problems_of(Scheme.better_work, body)]
        assert messages == [
            "a virtual compliance check is virtual or hybrid",
            "a virtual compliance check names the sources it triangulated: worker_survey, worker_interview, "
            "management_interview, management_survey, document_review, site_observation, labour_inspector",
            "service phase 2 allows no factory visits: onsite is impossible",
        ]

    def test_unknown_triangulation_source_and_mismatched_question(self) -> None:
        body = sample_json("better_work_vcc.json")
        body["assessment"]["triangulation_sources"] = "worker_survey;gossip"
        body["findings"][1]["question_id"] = "FL-BON-2"
        body["findings"][2]["compliant"] = "partly"
        assert where(problems_of(Scheme.better_work, body)) == {
            ("assessment", None, "triangulation_sources"),
            ("findings", 2, "question_id"),
            ("findings", 3, "compliant"),
        }

    def test_json_arrays_are_accepted_for_lists(self) -> None:
        body = sample_json("better_work_vcc.json")
        body["assessment"]["triangulation_sources"] = ["worker_survey", "document review"]
        a = parse_assessment_json(body, scheme=Scheme.better_work)
        assert a.triangulation_sources == {TriangulationSource.worker_survey, TriangulationSource.document_review}
