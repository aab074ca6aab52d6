"""Reading uploads safely: limits, zip bombs, XML entity bombs, CSV layout and line numbers."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from ingest.errors import FormatError
from ingest.layout import DocumentContent, to_csv, to_json, to_xlsx
from ingest.tabular import ReadLimits, check_zip, read_document

CONTENT = DocumentContent(
    record={"status": "final", "period_start": "2026-01-02"},
    tables={"findings": [{"ref": f"R-{i}", "note": f"n{i}"} for i in range(5)]},
)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def xlsx_with_sheet_xml(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet's XML is replaced (to smuggle a DTD in)."""
    source = zipfile.ZipFile(io.BytesIO(to_xlsx(CONTENT)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            archive.writestr(info.filename, data)
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"""


class TestReadDocument:
    @pytest.mark.parametrize("write", [to_csv, to_xlsx, to_json])
    def test_every_layout_reads_to_the_same_cells(self, write: object) -> None:
        assert callable(write)
        fmt = {to_csv: "csv", to_xlsx: "xlsx", to_json: "json"}[write]
        doc = read_document(write(CONTENT), fmt, ("findings",), ReadLimits())  # type: ignore[arg-type]
        assert doc.record == {"status": "final", "period_start": "2026-01-02"}
        assert [dict(r.cells) for r in doc.table("findings").rows] == CONTENT.tables["findings"]

    def test_csv_rows_are_numbered_by_the_line_they_start_on(self) -> None:
        raw = b'key,value\nstatus,final\n\nref,note\nR-1,"two\nlines"\nR-2,x\n'
        doc = read_document(raw, "csv", ("findings",), ReadLimits())
        assert doc.record_rows == {"status": 2}
        assert [r.number for r in doc.table("findings").rows] == [5, 7]
        assert doc.table("findings").header_row == 4

    @pytest.mark.parametrize("delimiter", [";", "\t"])
    def test_semicolon_and_tab_separated_files(self, delimiter: str) -> None:
        raw = to_csv(CONTENT).decode().replace(",", delimiter).encode()
        doc = read_document(raw, "csv", ("findings",), ReadLimits())
        assert doc.record == {"status": "final", "period_start": "2026-01-02"}
        assert [dict(r.cells) for r in doc.table("findings").rows] == CONTENT.tables["findings"]

    def test_column_names_ignore_case_and_spacing(self) -> None:
        raw = b"Status,final\n\nQuestion Ref, Self-Assessed Answer\nFP-BAS-26,12\n"
        doc = read_document(raw, "csv", ("findings",), ReadLimits())
        assert doc.table("findings").columns == ("question_ref", "self_assessed_answer")

    def test_an_extra_csv_block_is_refused(self) -> None:
        raw = b"status,final\n\nref\nR-1\n\nref\nR-2\n"
        with pytest.raises(FormatError, match="unexpected block starting on line 6"):
            read_document(raw, "csv", ("findings",), ReadLimits())

    def test_too_large_a_file_is_refused_before_reading(self) -> None:
        with pytest.raises(FormatError, match="the limit is 100"):
            read_document(b"x" * 101, "csv", ("findings",), ReadLimits(max_bytes=100))

    def test_empty_file(self) -> None:
        with pytest.raises(FormatError, match="empty"):
            read_document(b"", "json", ("findings",), ReadLimits())

    @pytest.mark.parametrize("write", [to_csv, to_xlsx, to_json])
    def test_too_many_rows_are_refused(self, write: object) -> None:
        assert callable(write)
        fmt = {to_csv: "csv", to_xlsx: "xlsx", to_json: "json"}[write]
        big = DocumentContent(record={"a": "b"}, tables={"findings": [{"ref": str(i)} for i in range(300)]})
        with pytest.raises(FormatError, match="more than 150"):
            read_document(write(big), fmt, ("findings",), ReadLimits(max_rows=150))  # type: ignore[arg-type]

    @pytest.mark.parametrize("write", [to_csv, to_xlsx, to_json])
    def test_the_row_limit_counts_data_rows_exactly(self, write: object) -> None:
        assert callable(write)
        fmt = {to_csv: "csv", to_xlsx: "xlsx", to_json: "json"}[write]
        rows = [{"ref": str(i)} for i in range(10)]
        at_limit = DocumentContent(record={"a": "b", "c": "d"}, tables={"findings": rows})
        doc = read_document(write(at_limit), fmt, ("findings",), ReadLimits(max_rows=10))  # type: ignore[arg-type]
        assert len(doc.table("findings").rows) == 10
        over = DocumentContent(record={"a": "b"}, tables={"findings": [*rows, {"ref": "x"}]})
        with pytest.raises(FormatError, match="more than 10"):
            read_document(write(over), fmt, ("findings",), ReadLimits(max_rows=10))  # type: ignore[arg-type]

    def test_invalid_json_names_the_line(self) -> None:
        with pytest.raises(FormatError, match=r"line 2"):
            read_document(b'{"assessment": {}\n,,}', "json", ("findings",), ReadLimits())

    def test_json_shape_problems_are_all_listed(self) -> None:
        raw = b'{"assessment": [], "findings": [1, {"ref": "x"}, "y"]}'
        with pytest.raises(FormatError) as caught:
            read_document(raw, "json", ("findings",), ReadLimits())
        assert [(p.table, p.row) for p in caught.value.problems] == [
            ("assessment", None),
            ("findings", 1),
            ("findings", 3),
        ]


class TestXlsxSafety:
    def test_zip_bomb_by_ratio_is_refused_before_opening(self) -> None:
        bomb = zip_bytes({"[Content_Types].xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * 20_000_000})
        assert len(bomb) < 100_000
        with pytest.raises(FormatError, match="compression ratio"):
            read_document(bomb, "xlsx", ("findings",), ReadLimits())

    def test_zip_bomb_by_size_is_refused_before_opening(self) -> None:
        bomb = zip_bytes({"xl/worksheets/sheet1.xml": b"\0" * 2_000_000})
        with pytest.raises(FormatError, match="unpacks to 2000000 bytes"):
            check_zip(bomb, ReadLimits(max_uncompressed_bytes=1_000_000, max_compression_ratio=10_000))

    def test_too_many_members(self) -> None:
        archive = zip_bytes({f"m{i}": b"x" for i in range(20)})
        with pytest.raises(FormatError, match="20 parts"):
            check_zip(archive, ReadLimits(max_zip_members=10))

    def test_not_a_zip(self) -> None:
        with pytest.raises(FormatError, match="not an XLSX workbook"):
            read_document(b"key,value\n", "xlsx", ("findings",), ReadLimits())

    def test_a_zip_that_is_not_a_workbook(self) -> None:
        with pytest.raises(FormatError, match="cannot be read"):
            read_document(zip_bytes({"hello.txt": b"hello"}), "xlsx", ("findings",), ReadLimits())

    @pytest.mark.parametrize(
        "sheet_xml", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["entity-expansion", "external-entity"]
    )
    def test_xml_entities_are_refused(self, sheet_xml: bytes) -> None:
        with pytest.raises(FormatError, match=r"cannot be read: (EntitiesForbidden|DTDForbidden)"):
            read_document(xlsx_with_sheet_xml(sheet_xml), "xlsx", ("findings",), ReadLimits())

    def test_workbook_without_the_assessment_sheet(self) -> None:
        workbook = openpyxl.Workbook()
        workbook.worksheets[0].title = "header"
        out = io.BytesIO()
        workbook.save(out)
        raw = out.getvalue()
        with pytest.raises(FormatError, match="no sheet named 'assessment'"):
            read_document(raw, "xlsx", ("findings",), ReadLimits())


class TestRepeatedNames:
    def test_repeated_keys_and_columns_are_reported_by_the_parser(self) -> None:
        from ingest.canonical import Scheme
        from ingest.formats import parse_assessment
        from tests.ingest.samples import SAMPLES

        text = (SAMPLES / "better_work.csv").read_bytes().decode()
        text = text.replace("status,final", "status,final\r\nstatus,draft")
        text = text.replace("compliant,notes", "compliant,compliant")
        with pytest.raises(FormatError) as caught:
            parse_assessment(text.encode(), scheme=Scheme.better_work, file_format="csv")
        assert [(p.table, p.row, p.column, p.message) for p in caught.value.problems] == [
            ("assessment", 8, "status", "'status' appears twice (also on row 7)"),
            ("findings", 17, "compliant", "column appears twice"),
        ]
