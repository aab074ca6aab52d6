from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from graph.provenance import Statement, canonical_values

T0 = datetime(2026, 1, 1, tzinfo=UTC)
A, B, C, OWNER = (uuid.UUID(int=i) for i in range(1, 5))


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


class TestCanonicalValues:
    def test_the_owner_has_the_last_word(self) -> None:
        statements = [Statement("name", "Owner Name", OWNER, at(0)), Statement("name", "Brand Name", A, at(5))]
        assert canonical_values(statements, owner=OWNER) == {"name": "Owner Name"}

    def test_agreement_beats_a_lone_later_voice(self) -> None:
        statements = [
            Statement("address", "12 Mill Rd", A, at(0)),
            Statement("address", "12 Mill Rd", B, at(1)),
            Statement("address", "Somewhere else", C, at(2)),
        ]
        assert canonical_values(statements, owner=None) == {"address": "12 Mill Rd"}

    def test_each_organisation_counts_once_with_its_latest_word(self) -> None:
        statements = [
            Statement("sector", "Apparel", A, at(0)),
            Statement("sector", "Apparel", A, at(1)),
            Statement("sector", "Footwear", A, at(2)),
            Statement("sector", "Apparel", B, at(3)),
        ]
        # A now says Footwear, B says Apparel: a tie, the most recent statement (B's) wins.
        assert canonical_values(statements, owner=None) == {"sector": "Apparel"}

    @given(st.permutations(range(4)))
    def test_order_of_rows_does_not_matter(self, order: list[int]) -> None:
        statements = [
            Statement("name", "X", A, at(0)),
            Statement("name", "Y", B, at(1)),
            Statement("name", "Y", C, at(2)),
            Statement("workers", 500, A, at(3)),
        ]
        shuffled = [statements[i] for i in order]
        assert canonical_values(shuffled, owner=None) == {"name": "Y", "workers": 500}
