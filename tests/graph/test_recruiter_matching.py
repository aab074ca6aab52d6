"""Recruiter matching rules (pure logic)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from graph import recruiter_matching as rm
from graph.matching import MatchDecision
from graph.public_ids import RECRUITER_PREFIX, new_public_id, parse_public_id


def decision(a: rm.RecruiterRecord, b: rm.RecruiterRecord) -> MatchDecision:
    return rm.decide(rm.score(a, b))


class TestLicenceKey:
    def test_case_spaces_and_punctuation_carry_no_identity(self) -> None:
        assert rm.licence_key("1187/069/70", "np") == rm.licence_key(" 1187 - 069 - 70", "NP") == "NP:118706970"

    def test_needs_a_number_and_a_country(self) -> None:
        assert rm.licence_key(None, "NP") is None
        assert rm.licence_key("//", "NP") is None
        assert rm.licence_key("1187", None) is None


class TestScore:
    def test_dotted_legal_form_and_case_are_the_same_agency(self) -> None:
        a = rm.RecruiterRecord("PT Maju Jaya Tenaga Kerja", "ID")
        b = rm.RecruiterRecord("P.T. MAJU JAYA TENAGA KERJA", "ID")
        assert decision(a, b) is MatchDecision.match

    def test_one_licence_is_one_agency_whatever_the_names(self) -> None:
        a = rm.RecruiterRecord("Everest Manpower", "NP", licence_number="1187/069/70", licence_country="NP")
        b = rm.RecruiterRecord("Himal Human Resources", "NP", licence_number="1187-069-70", licence_country="NP")
        assert decision(a, b) is MatchDecision.match
        assert rm.score(a, b).components["licence"] == 1.0

    def test_two_licences_of_one_country_are_never_matched_automatically(self) -> None:
        a = rm.RecruiterRecord("Everest Manpower", "NP", licence_number="1", licence_country="NP")
        b = rm.RecruiterRecord("Everest Manpower", "NP", licence_number="2", licence_country="NP")
        assert decision(a, b) is MatchDecision.potential

    def test_one_name_in_two_countries_is_two_agencies(self) -> None:
        assert decision(rm.RecruiterRecord("Everest Manpower", "NP"), rm.RecruiterRecord("Everest Manpower", "IN")) is (
            MatchDecision.new
        )

    def test_a_different_distinctive_word_is_another_agency(self) -> None:
        a, b = rm.RecruiterRecord("Everest Manpower Pvt. Ltd.", "NP"), rm.RecruiterRecord("Annapurna Manpower", "NP")
        assert decision(a, b) is MatchDecision.new

    @given(
        names=st.lists(st.sampled_from(["Everest", "Manpower", "PT", "Jaya", "Overseas", "Ltd."]), max_size=4),
        other=st.lists(st.sampled_from(["Everest", "Manpower", "Himal", "Jaya", "Co"]), max_size=4),
        licences=st.tuples(st.sampled_from([None, "1", "2"]), st.sampled_from([None, "1", "2"])),
    )
    def test_symmetric(self, names: list[str], other: list[str], licences: tuple[str | None, str | None]) -> None:
        a = rm.RecruiterRecord(" ".join(names) or "X", "NP", licence_number=licences[0], licence_country="NP")
        b = rm.RecruiterRecord(" ".join(other) or "Y", "NP", licence_number=licences[1], licence_country="NP")
        assert rm.score(a, b) == rm.score(b, a)


class TestBlockingKeys:
    def test_a_shared_licence_meets_whatever_the_names(self) -> None:
        a = rm.RecruiterRecord("Everest Manpower", "NP", licence_number="1187/069/70", licence_country="NP")
        b = rm.RecruiterRecord("Himal Human Resources", "NP", licence_number="118706970", licence_country="NP")
        assert rm.blocking_keys(a) & rm.blocking_keys(b)


class TestRecruiterPublicIds:
    def test_recruiter_ids_have_their_own_prefix(self) -> None:
        public_id = new_public_id(RECRUITER_PREFIX)
        assert public_id.startswith("LR-")
        assert parse_public_id(public_id.lower(), RECRUITER_PREFIX) == public_id
        assert parse_public_id(public_id) is None  # not a facility id
        assert parse_public_id("LL" + public_id[2:], RECRUITER_PREFIX) is None
