from __future__ import annotations

import re
import sys

import pytest
from pydantic import TypeAdapter, ValidationError

from core.text import NO_NUL_PATTERN, NON_BLANK_PATTERN, NonBlankText, Text


class TestTextPatterns:
    def test_blank_means_what_str_strip_removes_for_every_character(self) -> None:
        blank = re.compile(NON_BLANK_PATTERN)
        for code in range(1, sys.maxunicode + 1):
            char = chr(code)
            assert (blank.match(char) is None) == char.isspace(), hex(code)

    @pytest.mark.parametrize("value", ["", "   ", "\u3000\t", "\x1c"])
    def test_blank_values_are_refused(self, value: str) -> None:
        with pytest.raises(ValidationError):
            TypeAdapter(NonBlankText).validate_python(value)

    def test_values_are_stripped(self) -> None:
        assert TypeAdapter(NonBlankText).validate_python("  Mill  ") == "Mill"

    def test_nul_is_refused_everywhere(self) -> None:
        assert re.match(NO_NUL_PATTERN, "a\x00b") is None
        for adapter in (TypeAdapter(Text), TypeAdapter(NonBlankText)):
            with pytest.raises(ValidationError):
                adapter.validate_python("a\x00b")
