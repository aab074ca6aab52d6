"""Text encodings of uploaded files: detected from the bytes, or rejected with a clear reason.

Accepted: UTF-8 (with or without BOM), UTF-16 LE/BE with a BOM (what Excel's "Unicode text" writes),
and Windows-1252 as the fallback for old spreadsheet exports. Anything else (UTF-16 without BOM,
binary data, bytes Windows-1252 leaves undefined) is refused rather than guessed into mojibake.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ingest.errors import reject

# C0 controls other than tab, LF, CR never occur in a text export; NUL means UTF-16 without BOM or binary.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str  # utf-8, utf-8-sig, utf-16, windows-1252


def decode_text(raw: bytes) -> DecodedText:
    """Decode an uploaded text file; raise ``FormatError`` naming why it cannot be read."""
    if raw.startswith(codecs.BOM_UTF8):
        return _checked(_decode(raw[len(codecs.BOM_UTF8) :], "utf-8", "UTF-8 (with BOM)"), "utf-8-sig")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(_decode(raw, "utf-16", "UTF-16"), "utf-16")
    try:
        return _checked(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    # Windows-1252 leaves 0x81 0x8D 0x8F 0x90 0x9D undefined: such bytes are not a 1252 text either.
    return _checked(_decode(raw, "windows-1252", "UTF-8, UTF-16 or Windows-1252"), "windows-1252")


def _decode(raw: bytes, codec: str, label: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise reject(
            f"the file is not valid {label} text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 CSV"
        ) from None


def _checked(text: str, encoding: str) -> DecodedText:
    bad = _CONTROL.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        raise reject(
            f"the file contains a control character (U+{ord(bad.group()):04X}) on line {line}: it is binary "
            "or UTF-16 without a byte-order mark; save it as UTF-8 CSV",
            row=line,
        )
    return DecodedText(text=text, encoding=encoding)
