"""Stable public ids: ``LL-XXXX-XXXX-C`` for facilities, ``LR-XXXX-XXXX-C`` for recruiters.

Eight random Crockford base-32 characters (40 bits) and a check character that catches every
single-character typo and every swap of two adjacent characters, the two errors people make
when they copy an id from a spreadsheet or a PDF audit report.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
PREFIX = "LL"  # facilities
RECRUITER_PREFIX = "LR"
_BODY_LENGTH = 8
_PATTERN = re.compile(rf"^([{ALPHABET}]{{4}})-([{ALPHABET}]{{4}})-([{ALPHABET}])$")
#: Crockford's reading rules for characters people type by mistake.
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def _times_x(value: int) -> int:
    """Multiply by x in GF(2^5) modulo x^5 + x^2 + 1."""
    value <<= 1
    return value ^ 0b100101 if value & 0b100000 else value


def check_character(body: str) -> str:
    """Damm's scheme over GF(32): fold ``c = x*c XOR digit``, then the check is ``x*c``.

    XOR with a digit is a bijection, so any single substitution changes the result; swapping
    adjacent digits y, z changes it unless (x + 1)(y + z) = 0 in the field, which needs y = z.
    (Luhn mod 32 misses some swaps, e.g. 0 and V.)
    """
    interim = 0
    for char in body:
        interim = _times_x(interim) ^ ALPHABET.index(char)
    return ALPHABET[_times_x(interim)]


def new_public_id(prefix: str = PREFIX) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(_BODY_LENGTH))
    return f"{prefix}-{body[:4]}-{body[4:]}-{check_character(body)}"


def parse_public_id(value: str, prefix: str = PREFIX) -> str | None:
    """The canonical form of a typed id of the ``prefix`` kind (case, spaces and confusable
    letters forgiven), or None when it is not a well-formed id or its check character is wrong."""
    text = value.strip().upper().replace(" ", "")
    head, sep, rest = text.partition("-")
    if not sep or head != prefix:
        return None
    rest = rest.translate(_CONFUSABLE)
    match = _PATTERN.match(rest)
    if match is None:
        return None
    body = match.group(1) + match.group(2)
    return f"{prefix}-{rest}" if check_character(body) == match.group(3) else None
