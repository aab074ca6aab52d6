"""Self-assessment questionnaires, worker-voice aggregates and recruiter due-diligence questionnaires."""

from __future__ import annotations

import pytest

from ingest.canonical import (
    AssessmentType,
    Modality,
    Scheme,
    Severity,
    SubjectKind,
    Topic,
)
from ingest.errors import FormatError
from ingest.formats import parse_assessment
from tests.ingest.samples import SAMPLES, finding, problems_of, sample, sample_json, where


class TestSelfAssessment:
    def test_questionnaire(self) -> None:
        a = sample("self_assessment.csv")
        assert (a.type, a.modality, a.attribute("survey")) == (AssessmentType.self, Modality.desk, "questionnaire")
        assert finding(a, "SAQ-HRS-01").severity is Severity.high
        assert finding(a, "SAQ-REC-01").severity is Severity.none
        assert finding(a, "SAQ-GRV-01").topic is Topic.grievance_and_remedy

    def test_worker_voice_distributions(self) -> None:
        a = sample("worker_voice.json")
        assert a.attribute("respondents") == "212"
        fee = finding(a, "WV-FEE-01")
        assert (fee.answer, fee.severity) == ("yes=31;no=181", Severity.high)  # 15% >= 10%
        assert fee.evidence_note == "risk answers 15% of 212 (threshold 10%)"
        assert finding(a, "WV-MOV-01").severity is Severity.none  # 1%
        assert finding(a, "WV-SAT-01").severity is Severity.none

    def test_bad_answers_and_distributions(self) -> None:
        body = sample_json("worker_voice.json")
        body["findings"] = None
        body["answers"][0]["distribution"] = "yes=31;no=lots"
        body["answers"][1]["distribution"] = "yes=205;unsure=7"
        body["answers"][2]["question_id"] = "WV-XYZ-01"
        del body["answers"][3]["distribution"]
        del body["assessment"]["respondents"]
        assert where(problems_of(Scheme.self_assessment, body)) == {
            ("assessment", None, "respondents"),
            ("answers", 1, "distribution"),
            ("answers", 2, "distribution"),
            ("answers", 3, "question_id"),
            ("answers", 4, "distribution"),
        }

    def test_questionnaire_answer_outside_the_allowed_answers(self) -> None:
        text = (SAMPLES / "self_assessment.csv").read_text().replace("SAQ-DOC-01,no", "SAQ-DOC-01,sometimes")
        with pytest.raises(FormatError) as caught:
            parse_assessment(text.encode(), scheme=Scheme.self_assessment, file_format="csv")
        [problem] = caught.value.problems
        assert problem.message == "'sometimes' is not an answer to SAQ-DOC-01 (no, yes)"


class TestRecruiterDdq:
    def test_facts(self) -> None:
        a = sample("recruiter_ddq.csv")
        assert a.subject.kind is SubjectKind.recruiter
        assert {(i.scheme, i.value) for i in a.subject.identifiers} == {
            ("loomline", "rec-demo-03"),
            ("licence", "DoFE-1187/2071"),
        }
        assert (a.type, a.modality) == (AssessmentType.verified, Modality.hybrid)
        assert a.attribute("destination_country") == "MY"
        assert finding(a, "DDQ-FEE-02").answer == "sub_agent"
        assert finding(a, "DDQ-FEE-02").severity is Severity.high
        assert finding(a, "DDQ-FEE-03").answer == "1150 USD"
        assert finding(a, "DDQ-DOC-01").severity is Severity.none
        assert finding(a, "DDQ-GRV-01").severity is Severity.medium

    def test_answers_that_contradict_each_other(self) -> None:
        body = sample_json("recruiter_ddq.json")
        body["answers"][1]["answer"] = "none"
        del body["assessment"]["licence_number"]
        problems = problems_of(Scheme.recruiter_ddq, body)
        assert [p.message for p in problems] == [
            "workers pay fees (DDQ-FEE-01 = yes): DDQ-FEE-02 must say who charges them",
            "required when DDQ-LIC-01 says the agency is licensed",
        ]

    def test_fee_amount_and_currency(self) -> None:
        body = sample_json("recruiter_ddq.json")
        body["answers"][2].update(amount="-5", currency="dollars")
        body["answers"].append({"question_id": "DDQ-CON-01", "answer": "no"})
        body["assessment"]["origin_country"] = "Nepal"
        assert where(problems_of(Scheme.recruiter_ddq, body)) == {
            ("assessment", None, "origin_country"),
            ("answers", 3, "amount"),
            ("answers", 3, "currency"),
            ("answers", 12, "question_id"),
        }
