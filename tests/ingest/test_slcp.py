"""SLCP-style verified assessments: the sample's facts, and every kind of bad row reported at once."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.canonical import (
    AssessmentType,
    IloIndicator,
    Modality,
    Scheme,
    Severity,
    SubjectKind,
    Topic,
)
from ingest.errors import FormatError
from ingest.formats import parse_assessment
from tests.ingest.samples import SAMPLES, finding, sample


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
