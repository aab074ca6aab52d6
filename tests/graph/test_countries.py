"""Country values as supplier lists write them, to ISO 3166-1 alpha-2, without guessing."""

from __future__ import annotations

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.countries import GEOCODER_CENTROIDS, country_code, is_country_centroid

# Every spelling of a country in the Open Apparel Registry lists, plus common variants.
SPELLINGS = [
    ("CHINA", "CN"),
    ("China", "CN"),
    ("CN", "CN"),
    ("cn", "CN"),
    ("CHN", "CN"),
    (" China ", "CN"),
    ("China (Mainland)", "CN"),
    ("PRC", "CN"),
    ("Viet Nam", "VN"),
    ("Vietnam", "VN"),
    ("VIETNAM", "VN"),
    ("Türkiye", "TR"),
    ("Turkiye", "TR"),
    ("Turkey", "TR"),
    ("USA", "US"),
    ("U.S.A.", "US"),
    ("United States", "US"),
    ("United States of America", "US"),
    ("UK", "GB"),
    ("Great Britain", "GB"),
    ("South Korea", "KR"),
    ("Korea, Republic of", "KR"),
    ("Republic of Korea", "KR"),
    ("North Korea", "KP"),
    ("Taiwan", "TW"),
    ("Taiwan, Province of China", "TW"),
    ("Hong Kong", "HK"),
    ("Macau", "MO"),
    ("Côte d'Ivoire", "CI"),
    ("Ivory Coast", "CI"),
    ("St Lucia", "LC"),
    ("The Gambia", "GM"),
    ("Bolivia", "BO"),
    ("Congo", "CG"),
    ("DR Congo", "CD"),
    ("Burma", "MM"),
    ("Myanmar", "MM"),
    ("Russia", "RU"),
    ("El Salvador", "SV"),
    ("Sri Lanka", "LK"),
    ("Trinidad & Tobago", "TT"),
]


class TestCountryCode:
    @pytest.mark.parametrize(("value", "code"), SPELLINGS)
    def test_reads_the_spellings_lists_use(self, value: str, code: str) -> None:
        assert country_code(value) == code

    @pytest.mark.parametrize("value", ["", "   ", "XX", "Atlantis", "Chnia", "Vietnamm", "Korea South East"])
    def test_unknown_values_are_none_not_a_guess(self, value: str) -> None:
        assert country_code(value) is None

    def test_niger_is_not_nigeria(self) -> None:
        assert (country_code("Niger"), country_code("Nigeria")) == ("NE", "NG")

    @pytest.mark.parametrize("country", list(pycountry.countries), ids=lambda c: c.alpha_2)
    def test_every_code_and_name_pycountry_knows(self, country: pycountry.db.Country) -> None:
        assert country_code(country.alpha_2) == country.alpha_2
        assert country_code(country.alpha_3) == country.alpha_2
        assert country_code(country.name) == country.alpha_2

    def test_results_are_cached(self) -> None:
        country_code("Viet Nam")
        hits = country_code.cache_info().hits
        country_code("Viet Nam")
        assert country_code.cache_info().hits == hits + 1

    @given(value=st.text(max_size=30))
    def test_any_text_gives_a_known_code_or_none(self, value: str) -> None:
        code = country_code(value)
        assert code is None or pycountry.countries.get(alpha_2=code) is not None


class TestIsCountryCentroid:
    def test_the_geocoders_china_fallback_is_a_centroid(self) -> None:
        assert is_country_centroid(35.86166, 104.195397)
        assert is_country_centroid(*GEOCODER_CENTROIDS["VN"])

    def test_a_factory_in_shanghai_is_not(self) -> None:
        assert not is_country_centroid(31.2304, 121.4737)
