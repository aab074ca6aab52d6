"""SMETA-style audits: non-compliances, the corrective action plan, and every problem in both tables."""

from __future__ import annotations

import datetime as dt

import pytest

from ingest.canonical import (
    ActionStatus,
    AssessmentType,
    IloIndicator,
    Scheme,
    Severity,
    Topic,
)
from ingest.errors import FormatError
from ingest.formats import parse_assessment
from ingest.layout import DocumentContent, to_xlsx
from tests.ingest.samples import finding, problems_of, sample, sample_json, where


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
