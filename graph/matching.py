"""Is this the same site? Blocking, scoring and deciding for facility records (pure: no database).

The registry asks two questions of every incoming facility: which stored sites could it be
(``blocking_keys``: cheap keys that two records of one site almost always share), and for each
such candidate, how sure are we (``score``) and what do we do (``decide``: attach automatically,
ask a person, or register a new site).

``score`` adds evidence in log-odds, the Fellegi-Sunter way: each comparison (name, address,
distance, identifiers) adds points for agreement and takes points for disagreement, and a
missing value adds nothing; a logistic curve turns the sum into 0..1. Some findings forbid an
automatic match whatever the points ("blockers"): different unit designators ("Sewing 2" /
"Cutting"), names that disagree, different house numbers, conflicting identifiers of one scheme,
sites far apart whose addresses do not agree either. The weights were tuned on one half of
benchmarks/data/facility_pairs.csv; benchmarks/matching_quality.py prints the figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from typing import TypeVar

from rapidfuzz.distance import Indel

from graph import normalise
from graph.countries import is_country_centroid
from graph.normalise import normalise_address as normalise_address
from graph.normalise import normalise_name as normalise_name

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class SiteRecord:
    """One facility as a list or the registry states it; ``country`` is ISO 3166-1 alpha-2."""

    name: str
    country: str
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    identifiers: frozenset[tuple[str, str]] = frozenset()  # (scheme, value), e.g. ("os_id", "CN2019...")


@dataclass(frozen=True, slots=True)
class MatchScore:
    """How sure we are that two records are one site, and why.

    - ``total``: 0..1, the logistic of the summed evidence; at most 0.85 when there is a blocker.
    - ``components``, what was compared (a key is absent when either record lacks the data):
      ``name`` and ``address``, similarity 0..1 of the normalised texts; ``distance_km`` between
      informative geocodes; ``identifiers``, 1.0 if one is shared, 0.0 if one scheme conflicts.
    - ``evidence``: the log-odds points each comparison added; ``prior`` is where they start.
    - ``blockers``: why an automatic match is not allowed (``decide`` gives at most potential).
    """

    total: float
    components: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, float] = field(default_factory=dict)
    blockers: tuple[str, ...] = ()


class MatchDecision(StrEnum):
    match = "match"  # attach to the existing site automatically
    potential = "potential"  # a person decides
    new = "new"  # register a new site


@dataclass(frozen=True, slots=True)
class Thresholds:
    upper: float  # total >= upper and no blocker: match
    lower: float  # lower <= total: potential

    def __post_init__(self) -> None:
        if not 0.0 <= self.lower <= self.upper <= 1.0:
            raise ValueError(f"need 0 <= lower <= upper <= 1, got lower={self.lower}, upper={self.upper}")


DEFAULT_THRESHOLDS = Thresholds(upper=0.9, lower=0.5)

# Evidence in log-odds points; (x, points) tables are interpolated linearly. An exact name alone
# gives 0.95; a name that shares most words but differs in a distinctive one is evidence against.
PRIOR = -1.5
NAME_POINTS = ((0.0, -7.0), (0.5, -5.0), (0.7, -2.0), (0.8, 0.5), (0.9, 2.5), (1.0, 4.5))
ADDRESS_POINTS = ((0.0, -1.5), (0.3, -1.0), (0.5, 0.0), (0.7, 1.0), (0.85, 2.0), (1.0, 3.0))
# Geocodes of one factory in two lists are often kilometres apart (street-level vs town-level),
# and one in seven real duplicates in the OAR lists is over 100 km apart: closeness is strong
# evidence, distance weaker evidence against, and one name far away stays for a person to judge.
DISTANCE_POINTS = ((0.0, 2.5), (0.5, 2.0), (2.0, 1.0), (5.0, 0.0), (20.0, -1.5), (100.0, -2.5), (1000.0, -3.0))
_NUMBER_CONFLICT = -3.0  # "Unit 3" / "Unit 4"
_HOUSE_NUMBER_CONFLICT = -1.0  # "No. 30 Yan Huang Avenue" / "No. 1 Yan Huang Avenue"
_IDENTIFIER_SHARED = 8.0
_IDENTIFIER_FLOOR = 0.97  # a shared identifier attaches even when the name changed since
_IDENTIFIER_CONFLICT = -6.0
_NAME_FLOOR = 0.8  # below it the names disagree: one address or one point is not enough
_STRONG_ADDRESS = 0.8  # at or above it, two far-apart geocodes of one address are geocoder noise
_FAR_KM = 30.0
_BLOCKED_CAP = 0.85  # below the default upper threshold, so blocked pairs sort below clear matches

_WEIGHT_GENERIC = 0.2  # "garment", "factory", "unit"
_WEIGHT_MINOR = 0.5  # product words, place names, numbers, single letters
_FUZZY_MIN = 0.8  # Indel similarity at which two words are one word misspelt
_FUZZY_JOIN = 0.85  # the same for adjacent words joined ("Fa Jian" / "Fujian")
_GRID_DEGREES = 0.05  # blocking cell, about 5.5 km north-south


@dataclass(frozen=True, slots=True)
class SiteFeatures:
    """A site record normalised for comparison: country, name tokens, unit designators, address
    tokens, an informative point (or None) and identifiers by scheme."""

    country: str
    tokens: tuple[str, ...]
    fallback_name: str  # the casefolded raw name, for names that normalise to nothing ("Co., Ltd.")
    units: frozenset[str]
    address: tuple[str, ...]
    point: tuple[float, float] | None
    identifiers: dict[str, frozenset[str]]


def _informative_point(lat: float | None, lon: float | None) -> tuple[float, float] | None:
    """The point, unless it is missing, impossible, (0, 0), whole degrees or a country centroid."""
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or (lat.is_integer() and lon.is_integer()):
        return None
    return None if is_country_centroid(lat, lon) else (lat, lon)


@lru_cache(maxsize=65536)
def features(record: SiteRecord) -> SiteFeatures:
    """The record's features, computed once per record (cached)."""
    identifiers: dict[str, set[str]] = {}
    for scheme, value in record.identifiers:
        if clean := "".join(value.split()).upper():
            identifiers.setdefault(scheme.strip().casefold(), set()).add(clean)
    return SiteFeatures(
        country=record.country.strip().upper(),
        tokens=normalise.name_tokens(record.name),
        fallback_name=" ".join(record.name.casefold().split()) or record.name,
        units=normalise.unit_designators(record.name),
        address=normalise.address_tokens(record.address) if record.address else (),
        point=_informative_point(record.lat, record.lon),
        identifiers={k: frozenset(v) for k, v in identifiers.items()},
    )


def interpolate(x: float, points: tuple[tuple[float, float], ...]) -> float:
    """The points at ``x`` on a table of ``(x, points)`` (ascending x): linear between rows,
    the first or last row's points outside the table."""
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in pairwise(points):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points, in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


# --- comparing token sets -----------------------------------------------------------------------


def _join_split_words(tokens: tuple[str, ...], other: frozenset[str]) -> tuple[str, ...]:
    """Re-join adjacent words the other record writes as one: "Huai An" / "Huaian", "上海" / "Shanghai",
    and misspelt ("Fa Jian" / "Fujian"; the fuzzy pairing then scores the misspelling)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in (4, 3, 2):
            parts = tokens[i : i + n]
            joined = "".join(parts)
            if len(parts) == n and (joined in other or _close_to_one_of(joined, parts, other)):
                out.append(joined)
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return tuple(out)


def _close_to_one_of(joined: str, parts: tuple[str, ...], other: frozenset[str]) -> bool:
    if len(joined) < 5 or any(p in other or p.isdigit() for p in parts):
        return False
    return any(len(o) >= 5 and Indel.normalized_similarity(joined, o) >= _FUZZY_JOIN for o in other)


def _aligned(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    a = _join_split_words(a, frozenset(b))
    return a, _join_split_words(b, frozenset(a))


def _places(tokens: tuple[str, ...], places: frozenset[str]) -> set[str]:
    """Tokens that are place names, alone or with their neighbours ("dong" + "nai")."""
    found = {t for t in tokens if t in places}
    for i in range(len(tokens) - 1):
        for n in (2, 3):
            if "".join(tokens[i : i + n]) in places:
                found.update(tokens[i : i + n])
    return found


def _weighted_overlap(a: set[str], b: set[str], weight: dict[str, float]) -> float:
    """Mean of weighted Jaccard and weighted containment; misspelt words pair up at their similarity.

    Containment keeps "Dong Chong Glove Factory" close to "Guangzhou Panyu Dong Chong Glove
    Factory"; Jaccard keeps a short name from matching every longer name that contains it. A
    misspelt pair counts at the lower of its two weights ("Haiyan" is a place, so "Haioan" is)."""
    common = a & b
    matched = sum(weight[t] for t in common)
    paired: dict[str, float] = {}
    rest_b = sorted(t for t in b - common if len(t) >= 4 and not t.isdigit())
    for token in sorted(t for t in a - common if len(t) >= 4 and not t.isdigit()):
        similarity, best = max(((Indel.normalized_similarity(token, o), o) for o in rest_b), default=(0.0, ""))
        if similarity >= _FUZZY_MIN:
            rest_b.remove(best)
            paired[token] = paired[best] = min(weight[token], weight[best])
            matched += paired[token] * similarity
    total_a = sum(paired.get(t, weight[t]) for t in a)
    total_b = sum(paired.get(t, weight[t]) for t in b)
    if total_a == 0.0 or total_b == 0.0:
        return 0.0
    return (matched / (total_a + total_b - matched) + matched / min(total_a, total_b)) / 2


def _name_weight(token: str, places: set[str]) -> float:
    if token in normalise.GENERIC_WORDS or token in normalise.UNIT_WORDS or token in normalise.QUALIFIER_WORDS:
        return _WEIGHT_GENERIC
    if token in normalise.PRODUCT_WORDS or token in places or token.isdigit() or len(token) == 1:
        return _WEIGHT_MINOR
    return 1.0


def name_similarity(fa: SiteFeatures, fb: SiteFeatures) -> float:
    """Weighted overlap of the two names' words (0-1), after aligning misspelt and joined words.
    Generic words, product words, numbers and place names weigh less; a word is a place name
    when the gazetteer or either address names it ("Shaowu")."""
    if not fa.tokens or not fb.tokens:
        return 1.0 if not fa.tokens and not fb.tokens and fa.fallback_name == fb.fallback_name else 0.0
    if fa.tokens == fb.tokens:
        return 1.0
    a, b = _aligned(fa.tokens, fb.tokens)
    gazetteer = normalise.place_words(fa.country)
    places = _places(a, gazetteer) | _places(b, gazetteer) | ((set(a) | set(b)) & set(fa.address + fb.address))
    return _weighted_overlap(set(a), set(b), {t: _name_weight(t, places) for t in (*a, *b)})


def _address_similarity(fa: SiteFeatures, fb: SiteFeatures) -> tuple[float, bool]:
    """Similarity of two addresses, and whether their house numbers conflict.

    Words and numbers are compared apart: "No. 808, Third Industry Park, Guoyuan Town" and
    "No.808,the third industry park,Guoyuan Town,Nantong 226500" share the house number and every
    distinctive word. Numbers of five digits or more are postcodes: sharing one is weaker
    evidence, and a postcode on one side only is no conflict."""
    a, b = _aligned(fa.address, fb.address)
    words_a, words_b = {t for t in a if not t.isdigit()}, {t for t in b if not t.isdigit()}
    places = _places(a, normalise.place_words(fa.country)) | _places(b, normalise.place_words(fa.country))
    weight = {
        t: 0.25 if t in normalise.ADDRESS_GENERIC_WORDS or len(t) == 1 else 0.5 if t in places else 1.0
        for t in words_a | words_b
    }
    similarity = _weighted_overlap(words_a, words_b, weight)
    numbers_a, numbers_b = {t for t in a if t.isdigit()}, {t for t in b if t.isdigit()}
    house_a, house_b = {n for n in numbers_a if len(n) <= 4}, {n for n in numbers_b if len(n) <= 4}
    if numbers_a and numbers_b:
        shared = 1.0 if house_a & house_b else 0.6 if numbers_a & numbers_b else 0.0
        similarity = shared if not words_a and not words_b else 0.75 * similarity + 0.25 * shared
    return similarity, bool(house_a and house_b and not house_a & house_b)


# --- scoring ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Evidence:
    components: dict[str, float] = field(default_factory=dict)
    points: dict[str, float] = field(default_factory=lambda: {"prior": PRIOR})
    blockers: list[str] = field(default_factory=list)


def _compare_names(fa: SiteFeatures, fb: SiteFeatures, ev: _Evidence) -> None:
    name = name_similarity(fa, fb)
    ev.components["name"] = round(name, 4)
    ev.points["name"] = interpolate(name, NAME_POINTS)
    if name < _NAME_FLOOR:
        # Two plants of one compound share the address and the point: "ES Textiles" / "ES Sock".
        ev.blockers.append(f"names differ (similarity {name:.2f})")
    if fa.units != fb.units:
        units_a, units_b = (", ".join(sorted(u)) or "none" for u in (fa.units, fb.units))
        ev.blockers.append(f"unit designators differ ({units_a} / {units_b})")
        if any(u.isdigit() for u in fa.units) and any(u.isdigit() for u in fb.units):
            ev.points["units"] = _NUMBER_CONFLICT


def _compare_places(fa: SiteFeatures, fb: SiteFeatures, ev: _Evidence) -> None:
    strong_address = False
    if fa.address and fb.address:
        similarity, conflict = _address_similarity(fa, fb)
        ev.components["address"] = round(similarity, 4)
        ev.points["address"] = interpolate(similarity, ADDRESS_POINTS) + (_HOUSE_NUMBER_CONFLICT if conflict else 0.0)
        strong_address = similarity >= _STRONG_ADDRESS and not conflict
        if conflict:
            # "No. 30 & 32 Yan Huang Avenue" / "No. 1 Yan Huang Avenue": two plots, maybe two plants.
            ev.blockers.append("house numbers differ")
    if fa.point is None or fb.point is None:
        return
    km = haversine_km(fa.point, fb.point)
    ev.components["distance_km"] = round(km, 3)
    points = interpolate(km, DISTANCE_POINTS)
    if strong_address:
        points = max(points, 0.0)  # one address, two geocoders: the geocodes are off, not the site
    elif km > _FAR_KM:
        ev.blockers.append(f"{km:,.0f} km apart and the addresses do not agree")
    ev.points["distance"] = points


def _compare_identifiers(fa: SiteFeatures, fb: SiteFeatures, ev: _Evidence) -> None:
    schemes = fa.identifiers.keys() & fb.identifiers.keys()
    if not schemes:
        return
    if any(fa.identifiers[s] & fb.identifiers[s] for s in schemes):
        ev.components["identifiers"] = 1.0
        ev.points["identifiers"] = _IDENTIFIER_SHARED
        ev.blockers.clear()  # an identifier both sources assigned outranks what the texts suggest
    else:
        ev.components["identifiers"] = 0.0
        ev.points["identifiers"] = _IDENTIFIER_CONFLICT
        ev.blockers.append("conflicting identifiers of the same scheme")


def score(a: SiteRecord, b: SiteRecord) -> MatchScore:
    """How likely two records are one site; symmetric. Different countries score 0."""
    if repr(a) > repr(b):
        a, b = b, a  # word alignment and fuzzy pairing are greedy: a fixed order keeps score symmetric
    fa, fb = features(a), features(b)
    if fa.country != fb.country:
        return MatchScore(total=0.0, blockers=(f"different countries ({fa.country} / {fb.country})",))
    ev = _Evidence()
    _compare_names(fa, fb, ev)
    _compare_places(fa, fb, ev)
    _compare_identifiers(fa, fb, ev)
    total = 1.0 / (1.0 + math.exp(-sum(ev.points.values())))
    if ev.components.get("identifiers") == 1.0:
        total = max(total, _IDENTIFIER_FLOOR)
    elif ev.blockers:
        total = min(total, _BLOCKED_CAP)
    evidence = {k: round(v, 3) for k, v in ev.points.items()}
    return MatchScore(round(total, 4), ev.components, evidence, tuple(ev.blockers))


def decide(s: MatchScore, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> MatchDecision:
    """Attach, ask a person, or register a new site. A blocker turns a match into a potential one."""
    if s.total >= thresholds.upper and not s.blockers:
        return MatchDecision.match
    return MatchDecision.potential if s.total >= thresholds.lower else MatchDecision.new


def best_candidates(
    record: SiteRecord, candidates: Iterable[tuple[K, SiteRecord]], *, limit: int = 5
) -> list[tuple[K, MatchScore]]:
    """The ``limit`` best candidates by score, best first (ties keep input order); candidates in
    another country (score 0) are left out."""
    scored = [(key, score(record, candidate)) for key, candidate in candidates]
    ranked = sorted((pair for pair in scored if pair[1].total > 0.0), key=lambda pair: pair[1].total, reverse=True)
    return ranked[:limit]


# --- blocking -----------------------------------------------------------------------------------


def blocking_keys(record: SiteRecord) -> frozenset[str]:
    """Keys under which the registry files a record; its candidates are the records sharing one.

    - each identifier (``id:os_id:CN2019...``);
    - per country, each distinctive name word that is not a province or country name, the word
      less any one letter (so one typo still meets: "cofaco" and "coiaco" share "coaco"), and
      adjacent words joined ("huai"+"an" and "shang"+"hai" meet "huaian" and "shanghai");
    - per country, the ~5 km grid cell of an informative geocode and its eight neighbours, so
      sites within one cell of each other meet whatever their names say.
    A name without such words is filed under all its words, or its casefolded raw form."""
    f = features(record)
    keys = {f"id:{scheme}:{value}" for scheme, values in f.identifiers.items() for value in values}
    cc = f.country
    words = [t for t in f.tokens if t not in normalise.GENERIC_WORDS and not t.isdigit()]
    # Province and country names ("Zhejiang") would make blocks of whole provinces; joined with a
    # neighbour ("zhejiang" + "walt") they still make keys.
    places = normalise.place_words(cc)
    name_keys: set[str] = set()
    for i, word in enumerate(words):
        if word not in places and len(word) >= 3:
            name_keys.add(f"{cc}:n:{word}")
        if word not in places and len(word) >= 5:
            name_keys.update(f"{cc}:n:{word[:j]}{word[j + 1 :]}" for j in range(len(word)))
        name_keys.update(f"{cc}:n:{''.join(words[i : i + n])}" for n in (2, 3) if i + n <= len(words))
    if not name_keys:  # "AB Co.", "Garment Factory", "Co., Ltd.": the whole name is the key
        name_keys.add(f"{cc}:all:{' '.join(sorted(f.tokens)) or f.fallback_name}")
    keys |= name_keys
    if f.point is not None:
        row, col = (math.floor(v / _GRID_DEGREES) for v in f.point)
        keys.update(f"{cc}:g:{row + dr}:{col + dc}" for dr in (-1, 0, 1) for dc in (-1, 0, 1))
    return frozenset(keys)
