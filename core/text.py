"""Free-text input type: stripped, without NUL characters. Bound its length with ``Field``:
``Annotated[Text, Field(max_length=500)]``.

PostgreSQL cannot store NUL (0x00) in text, so a NUL that got through would be a 500 on one
dialect and stored data on the other. Stating it as a pattern puts the rule in the OpenAPI
document too, so clients and contract tests know it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

#: Any text without NUL characters (ECMA-262 syntax, as OpenAPI requires).
NO_NUL_PATTERN = r"^[^\u0000]*$"

Text = Annotated[str, StringConstraints(strip_whitespace=True, pattern=NO_NUL_PATTERN)]

#: Exactly the characters ``str.strip()`` removes (``str.isspace``), spelled so that ECMA-262 and
#: Python agree (their ``\s`` classes differ), so the schema and the server agree on "blank".
_SPACE = r"\t\n\u000b\u000c\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NON_BLANK_PATTERN = rf"^[^\u0000]*[^\u0000{_SPACE}][^\u0000]*$"

#: Text with at least one character that is not white space.
NonBlankText = Annotated[str, StringConstraints(strip_whitespace=True, pattern=NON_BLANK_PATTERN)]
