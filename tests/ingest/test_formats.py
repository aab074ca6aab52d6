"""Every format: the sample file parses to the facts it states; bad files get every problem at once."""

from __future__ import annotations

import copy
import datetime as dt
import json
import runpy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.canonical import (
    ActionStatus,
    Assessment,
    AssessmentType,
    IloIndicator,
    Modality,
    Scheme,
    Severity,
    SubjectKind,
    Topic,
    TriangulationSource,
)
from ingest.csv_safety import neutralise_cell
from ingest.errors import FormatError, ParseProblem
from ingest.formats import SCHEMES, detect_format, parse_assessment, parse_assessment_json
from ingest.layout import DocumentContent, to_csv, to_json, to_xlsx
from ingest.tabular import ReadLimits, read_document

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "docs" / "formats" / "samples"
SCHEME_OF = {
    "slcp": Scheme.slcp,
    "smeta": Scheme.smeta,
    "better_work": Scheme.better_work,
    "better_work_vcc": Scheme.better_work,
    "self_assessment": Scheme.self_assessment,
    "worker_voice": Scheme.self_assessment,
    "recruiter_ddq": Scheme.recruiter_ddq,
}


def sample(name: str) -> Assessment:
    fmt = detect_format(name)
    assert fmt is not None
    return parse_assessment((SAMPLES / name).read_bytes(), scheme=SCHEME_OF[name.rsplit(".", 1)[0]], file_format=fmt)


def sample_json(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((SAMPLES / name).read_bytes())
    return body


def problems_of(scheme: Scheme, body: dict[str, Any]) -> list[ParseProblem]:
    with pytest.raises(FormatError) as caught:
        parse_assessment_json(body, scheme=scheme)
    return list(caught.value.problems)


def where(problems: list[ParseProblem]) -> set[tuple[str, int | None, str | None]]:
    return {(p.table, p.row, p.column) for p in problems}


def finding(assessment: Assessment, ref: str) -> Any:
    return next(f for f in assessment.findings if f.ref == ref)


class TestSamples:
    def test_every_sample_parses(self) -> None:
        names = sorted(p.name for p in SAMPLES.iterdir())
        assert len(names) == 11
        for name in names:
            assert sample(name).findings, name

    def test_every_scheme_has_a_sample_in_each_of_its_formats(self) -> None:
        have = {(SCHEME_OF[p.stem], p.suffix[1:]) for p in SAMPLES.iterdir()}
        for scheme, spec in SCHEMES.items():
            for fmt in spec.formats:
                if fmt != "json" or scheme in {Scheme.smeta, Scheme.better_work, Scheme.recruiter_ddq}:
                    assert (scheme, fmt) in have or fmt == "json", (scheme, fmt)

    def test_samples_are_what_the_script_writes(self, tmp_path: Path) -> None:
        script = runpy.run_path(str(ROOT / "scripts" / "make_format_samples.py"))
        for name, (content, write) in script["SAMPLES"].items():
            fmt = detect_format(name)
            assert fmt is not None
            fresh = parse_assessment(write(content), scheme=SCHEME_OF[name.rsplit(".", 1)[0]], file_format=fmt)
            assert fresh == sample(name), name

    @pytest.mark.parametrize(
        ("a", "b"),
        [
            ("slcp.csv", "slcp.xlsx"),
            ("smeta.xlsx", "smeta.json"),
            ("better_work_vcc.csv", "better_work_vcc.json"),
            ("recruiter_ddq.csv", "recruiter_ddq.json"),
        ],
    )
    def test_the_same_facts_in_every_format(self, a: str, b: str) -> None:
        assert sample(a) == sample(b)


class TestSlcp:
    def test_verified_assessment_facts(self) -> None:
        a = sample("slcp.csv")
        assert (a.scheme, a.type, a.status, a.modality) == (
            Scheme.slcp,
            AssessmentType.verified,
            "VRF",
            Modality.onsite,
        )
        assert a.scheme_version == "1.6"
        assert a.period.start_date == dt.date(2026, 3, 2)
        assert a.assessor.organisation == "Northbank Verification Services"
        assert a.subject.kind is SubjectKind.facility
        assert {(i.scheme, i.value) for i in a.subject.identifiers} == {
            ("slcp", "SLCP-FAC-000418"),
            ("open_supply_hub", "BD2026123ABC4DE"),
        }
        assert len(a.findings) == 12
        assert a.attribute("step") == "1"

    def test_inaccurate_answer_keeps_both_values(self) -> None:
        f = finding(sample("slcp.csv"), "FP-BAS-26")
        assert (f.answer, f.verified, f.corrected_value) == ("1240", False, "1312")
        assert (f.severity, f.scheme_severity, f.topic) == (Severity.low, "inaccurate", Topic.facility_profile)

    def test_legal_non_compliance_takes_the_code_severity_and_indicators(self) -> None:
        f = finding(sample("slcp.csv"), "RH-FEE-03")
        assert f.legal_non_compliance
        assert (f.topic, f.severity) == (Topic.recruitment_fees, Severity.high)
        assert f.ilo_indicators == {IloIndicator.debt_bondage, IloIndicator.deception}

    def test_an_accurate_compliant_answer_is_not_tagged(self) -> None:
        f = finding(sample("slcp.csv"), "RH-DOC-01")
        assert (f.verified, f.corrected_value, f.severity, f.ilo_indicators) == (True, None, Severity.none, frozenset())

    def test_self_assessment_in_progress_needs_no_accuracy(self) -> None:
        text = (SAMPLES / "slcp.csv").read_text().replace("status,VRF", "status,ASI")
        text = text.replace(",inaccurate,", ",,").replace(",accurate,", ",,")
        a = parse_assessment(text.encode(), scheme=Scheme.slcp, file_format="csv")
        assert a.type is AssessmentType.self
        assert all(f.verified is None for f in a.findings)

    def test_every_bad_row_and_column_is_reported(self) -> None:
        text = (SAMPLES / "slcp.csv").read_text()
        text = text.replace("status,VRF", "status,VRX").replace("period_start,2026-03-02", "period_start,2026-02-30")
        text = text.replace("FP-BAS-26", "ZZ-BAS-26").replace("HS-FIR-11", "HS-FIR-11 ")
        text = text.replace(
            "Are ages verified at hiring?,yes,,accurate,no", "Are ages verified at hiring?,yes,,sure,no"
        )
        text = text.replace("72,inaccurate,yes", ",inaccurate,perhaps")
        with pytest.raises(FormatError) as caught:
            parse_assessment(text.encode(), scheme=Scheme.slcp, file_format="csv")
        problems = caught.value.problems
        assert {(p.row, p.column) for p in problems} == {
            (9, "status"),
            (14, "period_start"),
            (19, "question_ref"),
            (22, "accuracy"),
            (23, "verified_answer"),
            (23, "legal_non_compliance"),
        }
        assert "'ZZ-BAS-26' is not a known slcp code (mapping version 2026.1)" in [p.message for p in problems]
        assert caught.value.errors[0].location == ("assessment", 9, "status")

    def test_missing_columns_are_reported_once_each(self) -> None:
        text = (SAMPLES / "slcp.csv").read_text().replace("accuracy,legal_non_compliance", "acc,legal")
        with pytest.raises(FormatError) as caught:
            parse_assessment(text.encode(), scheme=Scheme.slcp, file_format="csv")
        assert [(p.row, p.column, p.message) for p in caught.value.problems] == [
            (18, "accuracy", "missing column"),
            (18, "legal_non_compliance", "missing column"),
        ]

    def test_a_file_without_rows(self) -> None:
        text = (SAMPLES / "slcp.csv").read_bytes().decode().split("\r\n\r\n")[0]
        with pytest.raises(FormatError, match="1 problem") as caught:
            parse_assessment(text.encode(), scheme=Scheme.slcp, file_format="csv")
        assert caught.value.problems[0].message == "no findings: the file must list at least one"

    def test_windows_1252_and_utf16_files_read_the_same(self) -> None:
        text = (SAMPLES / "slcp.csv").read_text().replace("Rivergate Knitwear Ltd", "Rivergaté Knitwear Ltd")
        utf8 = parse_assessment(text.encode(), scheme=Scheme.slcp, file_format="csv")
        for raw in (text.encode("windows-1252"), text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode()):
            assert parse_assessment(raw, scheme=Scheme.slcp, file_format="csv") == utf8
        assert utf8.subject.name == "Rivergaté Knitwear Ltd"

    def test_undecodable_file(self) -> None:
        raw = (SAMPLES / "slcp.csv").read_bytes() + b"\x81\x8d"
        with pytest.raises(FormatError, match="not valid UTF-8, UTF-16 or Windows-1252"):
            parse_assessment(raw, scheme=Scheme.slcp, file_format="csv")

    def test_a_scheme_refuses_a_format_it_does_not_take(self) -> None:
        with pytest.raises(FormatError, match="smeta assessments come as xlsx, json, not csv"):
            parse_assessment(b"a,b", scheme=Scheme.smeta, file_format="csv")


class TestSmeta:
    def test_audit_facts(self) -> None:
        a = sample("smeta.xlsx")
        assert (a.type, a.status, a.scheme_version) == (AssessmentType.audit, "final", "7.0")
        assert a.attribute("pillars") == "4"
        assert a.attribute("announcement") == "semi_announced"
        assert [f.source_id for f in a.findings] == ["NC-1", "NC-2", "NC-3", "NC-4", "NC-5"]
        nc1 = a.findings[0]
        assert (nc1.ref, nc1.topic, nc1.severity, nc1.scheme_severity) == (
            "1.1",
            Topic.identity_documents,
            Severity.critical,
            "critical",
        )
        assert IloIndicator.retention_of_identity_documents in nc1.ilo_indicators
        assert nc1.evidence_note is not None
        assert "root cause: practice inherited" in nc1.evidence_note
        assert finding(a, "6").severity is Severity.high  # major

    def test_corrective_action_plan(self) -> None:
        actions = sample("smeta.json").corrective_actions
        assert [(c.finding_ref, c.status) for c in actions] == [
            ("NC-1", ActionStatus.closed),
            ("NC-2", ActionStatus.progress),
            ("NC-3", ActionStatus.open),
            ("NC-4", ActionStatus.closed),
            ("NC-5", ActionStatus.open),
        ]
        assert actions[0].due_date == dt.date(2026, 5, 20)
        assert actions[0].owner == "HR manager"

    def test_every_problem_in_both_tables(self) -> None:
        body = sample_json("smeta.json")
        body["assessment"]["pillars"] = "2"
        body["assessment"]["announcement"] = "surprise"
        body["non_compliances"][1]["severity"] = "catastrophic"
        body["non_compliances"][2]["code_area"] = "99"
        body["non_compliances"][3]["nc_ref"] = "NC-1"
        body["corrective_actions"][2]["nc_ref"] = "NC-9"
        body["corrective_actions"][3]["due_date"] = "13/06/2026"
        body["corrective_actions"][4]["status"] = "done"
        problems = problems_of(Scheme.smeta, body)
        assert where(problems) == {
            ("assessment", None, "announcement"),
            ("non_compliances", 2, "severity"),
            ("non_compliances", 3, "code_area"),
            ("non_compliances", 4, "nc_ref"),
            ("non_compliances", 5, "code_area"),  # 10B (environment) in a 2-pillar audit
            ("corrective_actions", 3, "nc_ref"),
            ("corrective_actions", 4, "nc_ref"),  # NC-4 was renamed to a duplicate NC-1 above
            ("corrective_actions", 4, "due_date"),
            ("corrective_actions", 5, "status"),
        }
        messages = {p.message for p in problems}
        assert "'10B' is a 4-pillar code area in a 2-pillar audit" in messages
        assert "'13/06/2026' is not a date (YYYY-MM-DD)" in messages
        assert "'done' is not one of: closed, in_progress, open, progress, progress_made" in messages

    def test_missing_header_fields(self) -> None:
        body = sample_json("smeta.json")
        for key in ("sedex_site_id", "auditor_organisation", "period_end", "status"):
            del body["assessment"][key]
        assert {p.field for p in problems_of(Scheme.smeta, body)} == {
            "subject",
            "assessor.organisation",
            "period.end_date",
            "status",
        }

    def test_period_that_ends_before_it_starts(self) -> None:
        body = sample_json("smeta.json")
        body["assessment"]["period_end"] = "2026-05-01"
        [problem] = problems_of(Scheme.smeta, body)
        assert problem.message == "ends (2026-05-01) before it starts (2026-05-12)"

    def test_xlsx_problems_name_the_sheet_row(self) -> None:
        body = sample_json("smeta.json")
        body["non_compliances"][0]["code_area"] = "42"
        content = DocumentContent(
            record=body["assessment"],
            tables={"non_compliances": body["non_compliances"], "corrective_actions": body["corrective_actions"]},
        )
        with pytest.raises(FormatError) as caught:
            parse_assessment(to_xlsx(content), scheme=Scheme.smeta, file_format="xlsx")
        assert where(list(caught.value.problems)) == {("non_compliances", 2, "code_area")}


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


class TestFormulaLikeCells:
    def test_formula_cells_are_exported_inert_and_read_back_as_text(self) -> None:
        body = sample_json("better_work_vcc.json")
        body["findings"][0]["notes"] = '=HYPERLINK("http://evil.example","click")'
        content = DocumentContent(record=body["assessment"], tables={"findings": body["findings"]})
        raw = to_csv(content)
        assert b"'=HYPERLINK" in raw
        assert b",=HYPERLINK" not in raw
        a = parse_assessment(raw, scheme=Scheme.better_work, file_format="csv")
        assert a.findings[0].evidence_note == '\'=HYPERLINK("http://evil.example","click")'


note_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff\x85"),
    max_size=60,
)


class TestRoundTripProperty:
    @settings(max_examples=40, deadline=None)
    @given(notes=st.lists(note_text, min_size=7, max_size=7))
    def test_notes_survive_every_layout(self, notes: list[str]) -> None:
        body = sample_json("better_work_vcc.json")
        for row, note in zip(body["findings"], notes, strict=True):
            row["notes"] = note
        content = DocumentContent(record=body["assessment"], tables={"findings": copy.deepcopy(body["findings"])})
        from_json = parse_assessment(to_json(content), scheme=Scheme.better_work, file_format="json")
        from_csv = parse_assessment(to_csv(content), scheme=Scheme.better_work, file_format="csv")
        assert [f.evidence_note for f in from_json.findings] == [n.strip() or None for n in notes]
        assert [f.evidence_note for f in from_csv.findings] == [neutralise_cell(n).strip() or None for n in notes]


UNMAPPED = [
    ("slcp.csv", "findings", "question_ref", 2),
    ("smeta.json", "non_compliances", "code_area", 2),
    ("better_work.csv", "findings", "question_id", 2),
    ("worker_voice.json", "answers", "question_id", 2),
    ("recruiter_ddq.json", "answers", "question_id", 7),  # DDQ-DOC-01: no other answer depends on it
]


class TestUnmappedCodes:
    @pytest.mark.parametrize(("name", "table", "column", "row"), UNMAPPED)
    def test_every_parser_rejects_an_unmapped_code_naming_row_and_column(
        self, name: str, table: str, column: str, row: int
    ) -> None:
        scheme = SCHEME_OF[name.rsplit(".", 1)[0]]
        spec = SCHEMES[scheme]
        fmt = detect_format(name)
        assert fmt is not None
        doc = read_document((SAMPLES / name).read_bytes(), fmt, spec.tables, ReadLimits())
        body: dict[str, Any] = {"assessment": dict(doc.record)}
        body.update({t: [dict(r.cells) for r in doc.table(t).rows] for t in spec.tables})
        body[table][row - 1][column] = "ZZ-NOT-A-CODE"
        if scheme is Scheme.better_work:
            body[table][row - 1]["compliance_point"] = "ZZ-NOT"
        [problem] = problems_of(scheme, body)
        assert (problem.table, problem.row, problem.column, problem.field) == (table, row, column, "ref")
        assert problem.message == f"'ZZ-NOT-A-CODE' is not a known {scheme.value} code (mapping version 2026.1)"


class TestDetectFormat:
    @pytest.mark.parametrize(
        ("name", "fmt"), [("a.CSV", "csv"), ("b.xlsx", "xlsx"), ("c.d.json", "json"), ("e.xls", None), ("csv", None)]
    )
    def test_by_suffix(self, name: str, fmt: str | None) -> None:
        assert detect_format(name) == fmt
