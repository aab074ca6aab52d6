"""Recognising that two members name the same site: the registry's side of graph/matching.py.

Every live facility is filed under its blocking keys (hashed, in ``facility_match_keys``). A new
statement about a site is scored against the facilities sharing a key with it; the decision
(match / potential / new) then says whether to attach to an existing facility, to offer
candidates for a person to confirm, or to register a new one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.principal import Principal
from graph import matching, merge_store, repository
from graph.models import Facility
from policies.visibility import facility_read_scope

MAX_POTENTIAL = 5


@dataclass(frozen=True, slots=True)
class Candidate:
    facility: Facility
    score: matching.MatchScore
    decision: matching.MatchDecision


def record_of(
    *,
    name: str,
    country: str,
    address: str | None,
    lat: float | None,
    lng: float | None,
    identifiers: Sequence[tuple[str, str]],
) -> matching.SiteRecord:
    return matching.SiteRecord(
        name=name, country=country, address=address, lat=lat, lon=lng, identifiers=frozenset(identifiers)
    )


def facility_record(facility: Facility) -> matching.SiteRecord:
    lat, lng = facility.coordinates
    return record_of(
        name=facility.name,
        country=facility.country,
        address=facility.address,
        lat=lat,
        lng=lng,
        identifiers=[(i.scheme, i.value) for i in facility.identifiers],
    )


def key_hashes(record: matching.SiteRecord) -> set[str]:
    return {hashlib.blake2b(key.encode(), digest_size=16).hexdigest() for key in matching.blocking_keys(record)}


def refile(session: Session, facility: Facility) -> None:
    """File the facility under the keys of its current canonical values."""
    repository.replace_match_keys(session, facility.id, key_hashes(facility_record(facility)))


def candidates(
    session: Session, principal: Principal, record: matching.SiteRecord, *, exclude: Facility | None = None
) -> list[Candidate]:
    """Visible facilities that may be the same site, best first (``new`` ones left out)."""
    found = repository.facilities_sharing_keys(
        session, facility_read_scope(principal), key_hashes(record), exclude=exclude.id if exclude else None
    )
    ranked = matching.best_candidates(record, [(f, facility_record(f)) for f in found], limit=len(found) or 1)
    scored = [Candidate(f, s, matching.decide(s)) for f, s in ranked]
    return [c for c in scored if c.decision is not matching.MatchDecision.new]


def open_candidates(session: Session, principal: Principal, facility: Facility) -> list[Candidate]:
    """Live facilities that may be the same site as a registered one, best first, leaving out the
    pairs a person said are different sites."""
    found = candidates(session, principal, facility_record(facility), exclude=facility)
    rejected = merge_store.rejected_partners(session, repository.FACILITY_TABLES, facility.id)
    return [c for c in found if c.facility.id not in rejected][:MAX_POTENTIAL]
