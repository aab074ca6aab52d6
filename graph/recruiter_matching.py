"""Is this the same recruiter? Blocking, scoring and deciding for recruiter records (pure: no database).

A recruiter is the same as a registered one when it holds the same licence (number and issuing
country), or when its name matches one in the same country. Names are compared with the facility
matcher's rules (graph/matching.py: legal forms, transliteration, dotted acronyms, misspellings),
so "PT Maju Jaya Tenaga Kerja" and "P.T. MAJU JAYA TENAGA KERJA" are one agency. Two different
licences of one issuing country are two agencies whatever their names say (a licence conflict
blocks an automatic match: a person decides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph import matching
from graph.matching import MatchDecision, MatchScore, Thresholds

DEFAULT_THRESHOLDS = matching.DEFAULT_THRESHOLDS
_LICENCE_FLOOR = 0.97  # one licence: the same agency even when its name changed since
_LICENCE_CAP = 0.85  # two licences of one country: never automatic
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")


@dataclass(frozen=True, slots=True)
class RecruiterRecord:
    """One recruiter as a member or the registry states it; countries are ISO 3166-1 alpha-2."""

    name: str
    country: str
    address: str | None = None
    licence_number: str | None = None
    licence_country: str | None = None
    identifiers: frozenset[tuple[str, str]] = frozenset()

    @property
    def licence_key(self) -> str | None:
        return licence_key(self.licence_number, self.licence_country)


def licence_key(number: str | None, country: str | None) -> str | None:
    """``"NP:1234067"`` for licence "1234/067" of Nepal: case, spaces and punctuation carry no
    identity ("No. 1234/067" is not stripped of "No": registries print numbers differently, but a
    word is part of what the member typed). None without a number or a country."""
    if not number or not country:
        return None
    compact = _NOT_ALNUM.sub("", number.upper())
    return f"{country.strip().upper()}:{compact}" if compact else None


def _site(record: RecruiterRecord) -> matching.SiteRecord:
    return matching.SiteRecord(
        name=record.name, country=record.country, address=record.address, identifiers=record.identifiers
    )


def score(a: RecruiterRecord, b: RecruiterRecord) -> MatchScore:
    """How likely two records are one recruiter; symmetric. A shared licence decides alone (its
    score carries no log-odds evidence: ``components`` says licence 1.0 and how the names compare)."""
    key_a, key_b = a.licence_key, b.licence_key
    by_name = matching.score(_site(a), _site(b))
    if key_a is not None and key_a == key_b:
        names = {k: v for k, v in by_name.components.items() if k == "name"}
        return MatchScore(total=_LICENCE_FLOOR, components={"licence": 1.0} | names)
    if key_a is not None and key_b is not None and key_a.split(":")[0] == key_b.split(":")[0]:
        return MatchScore(
            total=min(by_name.total, _LICENCE_CAP),
            components=by_name.components | {"licence": 0.0},
            evidence=by_name.evidence,
            blockers=(*by_name.blockers, "different licences of one issuing country"),
        )
    return by_name


def decide(s: MatchScore, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> MatchDecision:
    """Attach, ask a person, or register a new recruiter (the facility rule: a blocker is never automatic)."""
    return matching.decide(s, thresholds)


def blocking_keys(record: RecruiterRecord) -> frozenset[str]:
    """The facility name keys of the recruiter's name in its country, and its licence."""
    keys = set(matching.blocking_keys(_site(record)))
    if (key := record.licence_key) is not None:
        keys.add(f"licence:{key}")
    return frozenset(keys)
