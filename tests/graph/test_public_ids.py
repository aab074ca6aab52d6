from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from graph.public_ids import ALPHABET, new_public_id, parse_public_id

bodies = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


def _id(body: str) -> str:
    from graph.public_ids import check_character

    return f"LL-{body[:4]}-{body[4:]}-{check_character(body)}"


class TestPublicIds:
    def test_new_ids_parse_to_themselves(self) -> None:
        for _ in range(200):
            public_id = new_public_id()
            assert parse_public_id(public_id) == public_id
            assert len(public_id) == 14

    def test_reading_is_forgiving_of_case_spaces_and_confusables(self) -> None:
        public_id = _id("0110ABCD")
        assert parse_public_id(public_id.lower()) == public_id
        assert parse_public_id(" " + public_id.replace("0", "O").replace("1", "I") + " ") == public_id

    @given(body=bodies, position=st.integers(0, 7), replacement=st.sampled_from(ALPHABET))
    def test_every_single_character_typo_is_caught(self, body: str, position: int, replacement: str) -> None:
        if body[position] == replacement:
            return
        typo = body[:position] + replacement + body[position + 1 :]
        wrong = f"LL-{typo[:4]}-{typo[4:]}-{_id(body)[-1]}"
        assert parse_public_id(wrong) is None

    @given(body=bodies, position=st.integers(0, 6))
    def test_every_adjacent_swap_is_caught(self, body: str, position: int) -> None:
        swapped = body[:position] + body[position + 1] + body[position] + body[position + 2 :]
        if swapped == body:
            return
        assert parse_public_id(f"LL-{swapped[:4]}-{swapped[4:]}-{_id(body)[-1]}") is None

    def test_garbage_is_not_an_id(self) -> None:
        for text in ("", "LL", "LL-1234-5678", "XX-1234-5678-9", "LL-12345678-9", "LL-!!!!-????-*"):
            assert parse_public_id(text) is None
