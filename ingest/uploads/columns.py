"""The columns of a facility list: Open Supply Hub's list columns, external ids and ``tier``."""

from __future__ import annotations

from graph.schemas import IDENTIFIER_SCHEMES

REQUIRED = ("name", "address", "country")
#: Stated as the uploader's contribution to the facility.
ATTRIBUTES = (
    "lat",
    "lng",
    "sector",
    "product_type",
    "number_of_workers",
    "admin1",
    "migrant_worker_share",
    "female_worker_share",
)
#: Kept with the row (raw values) but not stated about the facility (yet): the brand's tier of the
#: site, and Open Supply Hub's optional descriptive columns.
KEPT = ("tier", "facility_type", "processing_type", "parent_company")
#: External id columns: a known scheme, or ``x_<name>`` for a free scheme ``x-<name>``.
IDENTIFIERS = IDENTIFIER_SCHEMES
FREE_SCHEME_PREFIX = "x_"
KNOWN = frozenset((*REQUIRED, *ATTRIBUTES, *KEPT, *IDENTIFIERS))
MAX_COLUMN_LENGTH = 32


def is_known(column: str) -> bool:
    return column in KNOWN or (
        column.startswith(FREE_SCHEME_PREFIX) and 2 < len(column) <= MAX_COLUMN_LENGTH and column.isascii()
    )


def scheme_of(column: str) -> str | None:
    """The identifier scheme a column holds, or None when it holds no identifier."""
    if column in IDENTIFIERS:
        return column
    if column.startswith(FREE_SCHEME_PREFIX):
        return "x-" + column[len(FREE_SCHEME_PREFIX) :].replace("_", "-")
    return None
