"""CSV export neutralises formula injection in every cell."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.csv_safety import neutralise_cell, write_csv

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class TestNeutraliseCell:
    @pytest.mark.parametrize(
        "cell",
        ['=HYPERLINK("http://evil.example","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"],
    )
    def test_formula_like_cells_become_text(self, cell: str) -> None:
        assert neutralise_cell(cell) == "'" + cell

    @pytest.mark.parametrize("cell", ["-3", "+4.5", "-0.25", "1e-3", "-2E+4"])
    def test_plain_numbers_stay_numbers(self, cell: str) -> None:
        assert neutralise_cell(cell) == cell

    def test_ordinary_text_and_none(self) -> None:
        assert neutralise_cell("Rivergate Knitwear") == "Rivergate Knitwear"
        assert neutralise_cell(None) == ""
        assert neutralise_cell(12) == "12"

    @given(cell=st.text(max_size=50))
    def test_no_cell_can_start_a_formula(self, cell: str) -> None:
        out = neutralise_cell(cell)
        if out.startswith(FORMULA_START):  # only a plain number may keep its sign
            assert out == cell
            float(out)
        assert out in (cell, "'" + cell)


class TestWriteCsv:
    @given(rows=st.lists(st.lists(st.text(max_size=20), min_size=2, max_size=2), max_size=10))
    def test_every_exported_cell_reads_back_neutralised(self, rows: list[list[str]]) -> None:
        text = write_csv(["a", "b"], rows)
        read = list(csv.reader(io.StringIO(text, newline="")))
        assert read[0] == ["a", "b"]
        assert read[1:] == [[neutralise_cell(c) for c in row] for row in rows]
