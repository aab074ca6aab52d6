"""Country values as suppliers write them ("CHINA", "Viet Nam", "USA", "Türkiye") -> ISO 3166-1 alpha-2.

Lookup is exact after folding (transliterate, casefold, drop punctuation and a leading "the"), over
pycountry's codes and names plus a small alias table for the variants pycountry does not know.
There is deliberately no fuzzy matching: "Niger" and "Nigeria" are one edit apart, and a wrong
country silently moves a site to another jurisdiction's risk profile, so an unknown value is None
and the caller reports it.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pycountry
from anyascii import anyascii

# Variants seen in supplier lists that pycountry's names, common names and official names miss.
# Keys are folded (see _fold). "Korea" alone means South Korea in sourcing lists: trade with the
# North is sanctioned almost everywhere, and lists that mean it write "North Korea" or "DPRK".
_ALIASES: dict[str, str] = {
    "america": "US",
    "united states of america": "US",
    "u s": "US",
    "u s a": "US",
    "uk": "GB",
    "u k": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "turkey": "TR",
    "russia": "RU",
    "korea": "KR",
    "republic of korea": "KR",
    "rok": "KR",
    "dprk": "KP",
    "burma": "MM",
    "macau": "MO",
    "hongkong": "HK",
    "hong kong sar": "HK",
    "hong kong sar china": "HK",
    "prc": "CN",
    "p r china": "CN",
    "pr china": "CN",
    "china prc": "CN",
    "china mainland": "CN",
    "mainland china": "CN",
    "peoples republic of china": "CN",
    "republic of china": "TW",
    "roc": "TW",
    "taiwan roc": "TW",
    "chinese taipei": "TW",
    "ivory coast": "CI",
    "cote d ivoire": "CI",
    "swaziland": "SZ",
    "macedonia": "MK",
    "cape verde": "CV",
    "east timor": "TL",
    "brunei": "BN",
    "uae": "AE",
    "u a e": "AE",
    "emirates": "AE",
    "drc": "CD",
    "dr congo": "CD",
    "democratic republic of congo": "CD",
    "democratic republic of the congo": "CD",
    "congo democratic republic of the": "CD",  # US DOL ILAB spelling
    "congo kinshasa": "CD",
    "congo brazzaville": "CG",
    "republic of congo": "CG",
    "vatican": "VA",
    "vatican city": "VA",
    "holland": "NL",
    "bosnia": "BA",
    "laos": "LA",
    "lao pdr": "LA",
    "syria": "SY",
    "iran": "IR",
    "palestine": "PS",
    "micronesia": "FM",
}

_SAINT = re.compile(r"^st (?=\w)")
_PARENTHESES = re.compile(r"\([^)]*\)")


def _fold(value: str) -> str:
    text = anyascii(value).casefold().replace("&", " and ").replace("'", "")
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
    text = text.removeprefix("the ")
    return _SAINT.sub("saint ", text)


def _name_variants(name: str) -> list[str]:
    """Also "Republic of Korea" for "Korea, Republic of"; either part of "Holy See (Vatican City State)"."""
    variants = [name]
    if "(" in name:
        variants.append(_PARENTHESES.sub(" ", name))
        variants.extend(inner.strip("() ") for inner in _PARENTHESES.findall(name))
    if ", " in name:
        head, _, tail = name.partition(", ")
        variants.append(f"{tail} {head}")
    return variants


@cache
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    countries = list(pycountry.countries)
    for country in countries:
        index[_fold(country.alpha_2)] = country.alpha_2
        index[_fold(country.alpha_3)] = country.alpha_2
    for country in countries:
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, None)
            if isinstance(name, str):
                for variant in _name_variants(name):
                    index.setdefault(_fold(variant), country.alpha_2)
    # "Bolivia, Plurinational State of" -> "Bolivia"; added last so "Congo, The Democratic Republic
    # of the" cannot take "Congo" from the Republic of the Congo.
    for country in countries:
        head = country.name.partition(",")[0]
        index.setdefault(_fold(head), country.alpha_2)
    for alias, code in _ALIASES.items():
        index[_fold(alias)] = code
    return index


@lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a country name or code as written in a supplier list, else None."""
    folded = _fold(value)
    if not folded:
        return None
    index = _index()
    code = index.get(folded)
    if code is None and "(" in value:
        # "China (Mainland)", "Korea (South)": try the name without, then the words inside.
        code = index.get(_fold(_PARENTHESES.sub(" ", value)))
    return code


# Where geocoders put a site they could only place in its country (Google's country centroids, the
# fallback in the OAR lists: China's point is there eight times). Such a point says nothing about
# where the site is. Sourcing countries first; extend as other fallbacks turn up.
GEOCODER_CENTROIDS: dict[str, tuple[float, float]] = {
    "CN": (35.86166, 104.195397),
    "IN": (20.593684, 78.96288),
    "VN": (14.058324, 108.277199),
    "BD": (23.684994, 90.356331),
    "ID": (-0.789275, 113.921327),
    "KH": (12.565679, 104.990963),
    "TH": (15.870032, 100.992541),
    "SV": (13.794185, -88.89653),
    "PK": (30.375321, 69.345116),
    "TR": (38.963745, 35.243322),
    "LK": (7.873054, 80.771797),
    "MM": (21.913965, 95.956223),
    "US": (37.09024, -95.712891),
}


def is_country_centroid(lat: float, lon: float) -> bool:
    """Is this point (within about 100 m) a geocoder's fallback centroid of some country?"""
    return any(abs(lat - c_lat) < 1e-3 and abs(lon - c_lon) < 1e-3 for c_lat, c_lon in GEOCODER_CENTROIDS.values())
