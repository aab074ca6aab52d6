"""Encodings of uploaded text files: detected, or refused with a reason."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.encoding import decode_text
from ingest.errors import FormatError

TEXT = "facility_name,Usine Élan Sàrl — Şişli\n"
# Text a CSV may hold: no C0 controls other than tab/LF/CR, no surrogates.
csv_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
    | st.sampled_from("\t\r\n"),
    max_size=200,
)


class TestDecodeText:
    def test_utf8_without_bom(self) -> None:
        decoded = decode_text(TEXT.encode("utf-8"))
        assert (decoded.text, decoded.encoding) == (TEXT, "utf-8")

    def test_utf8_with_bom_drops_the_bom(self) -> None:
        decoded = decode_text(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
        assert (decoded.text, decoded.encoding) == (TEXT, "utf-8-sig")

    @pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
    def test_utf16_with_bom(self, codec: str) -> None:
        bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(codec, b"")
        decoded = decode_text(bom + TEXT.encode(codec))
        assert (decoded.text, decoded.encoding) == (TEXT, "utf-16")

    def test_windows_1252_fallback(self) -> None:
        text = "facility_name,Caf\u00e9 \u201cSoleil\u201d \u20ac\n"
        decoded = decode_text(text.encode("windows-1252"))
        assert (decoded.text, decoded.encoding) == (text, "windows-1252")

    def test_bytes_undefined_in_windows_1252_are_refused(self) -> None:
        with pytest.raises(FormatError, match=r"byte 0x81 at offset 4"):
            decode_text(b"abc\xe9\x81")

    def test_utf16_without_bom_is_refused(self) -> None:
        with pytest.raises(FormatError, match="UTF-16 without a byte-order mark"):
            decode_text(TEXT.encode("utf-16-le"))

    def test_binary_is_refused_naming_the_line(self) -> None:
        with pytest.raises(FormatError) as caught:
            decode_text(b"key,value\nstatus,VRF\n\x01\x02")
        assert caught.value.problems[0].row == 3

    def test_broken_utf8_after_a_bom_is_refused(self) -> None:
        with pytest.raises(FormatError, match="not valid UTF-8"):
            decode_text(codecs.BOM_UTF8 + b"ok \xff")

    @given(text=csv_text)
    def test_any_csv_text_round_trips_through_utf8_and_utf16(self, text: str) -> None:
        assert decode_text(text.encode("utf-8")).text == text
        assert decode_text(codecs.BOM_UTF8 + text.encode("utf-8")).text == text
        assert decode_text(text.encode("utf-16")).text == text
