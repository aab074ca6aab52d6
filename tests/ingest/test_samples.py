"""Every format: the sample files parse to the same facts in every file format; shared rules."""

from __future__ import annotations

import contextlib
import copy
import runpy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.canonical import (
    Scheme,
)
from ingest.csv_safety import neutralise_cell
from ingest.errors import FormatError
from ingest.formats import SCHEMES, detect_format, parse_assessment
from ingest.layout import DocumentContent, to_csv, to_json
from ingest.tabular import ReadLimits, read_document
from tests.ingest.samples import ROOT, SAMPLES, SCHEME_OF, problems_of, sample, sample_json


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


class TestAnyInputFailsCleanly:
    """Whatever arrives, a parser answers with an assessment or a FormatError, never a crash."""

    @settings(max_examples=60, deadline=None)
    @given(raw=st.binary(max_size=400), scheme=st.sampled_from(list(Scheme)))
    def test_random_bytes(self, raw: bytes, scheme: Scheme) -> None:
        for fmt in SCHEMES[scheme].formats:
            with contextlib.suppress(FormatError):
                parse_assessment(raw, scheme=scheme, file_format=fmt)

    @settings(max_examples=60, deadline=None)
    @given(
        data=st.data(),
        name=st.sampled_from(["slcp.csv", "better_work.csv", "self_assessment.csv", "recruiter_ddq.csv"]),
    )
    def test_sample_csv_with_random_cells_blanked_or_garbled(self, data: st.DataObject, name: str) -> None:
        lines = (SAMPLES / name).read_bytes().decode().split("\r\n")
        for _ in range(data.draw(st.integers(1, 6))):
            i = data.draw(st.integers(0, len(lines) - 1))
            cells = lines[i].split(",")
            j = data.draw(st.integers(0, len(cells) - 1))
            cells[j] = data.draw(st.sampled_from(["", "x", "-1", "2026-13-45", "yes", "ZZ-1", '"']))
            lines[i] = ",".join(cells)
        with contextlib.suppress(FormatError):
            parse_assessment("\r\n".join(lines).encode(), scheme=SCHEME_OF[name[:-4]], file_format="csv")
