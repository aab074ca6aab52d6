"""Registering many facilities at once (a facility list): the same outcomes as registering them
one by one with ``service.create_facility``, in far fewer queries.

``register_each`` is that one-by-one path (the baseline); ``register_many`` the bulk path.
"""

from __future__ import annotations

import heapq
import math
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict
from core.ids import uuid7
from core.principal import Principal
from graph import bulk_repository, matching, public_ids, repository, service, shared_sites
from graph.models import Facility, FacilityContribution, FacilityIdentifier
from graph.schemas import FacilityCreate
from policies import audit
from policies.visibility import facility_read_scope


class RowOutcomeKind(StrEnum):
    created = "created"
    matched = "matched"
    potential_match = "potential_match"
    error = "error"


@dataclass(frozen=True, slots=True)
class RowOutcome:
    kind: RowOutcomeKind
    facility_public_id: str | None = None
    potential_matches: tuple[str, ...] = ()
    #: For errors: the identifier (scheme) that is already used by another facility.
    error_scheme: str | None = None
    error_reason: str | None = None


def outcome_of(created: service.CreateOutcome) -> RowOutcome:
    if created.matched is not None:
        return RowOutcome(RowOutcomeKind.matched, created.facility.public_id)
    if created.potential:
        potential = tuple(c.facility.public_id for c in created.potential)
        return RowOutcome(RowOutcomeKind.potential_match, created.facility.public_id, potential)
    return RowOutcome(RowOutcomeKind.created, created.facility.public_id)


def _conflict(body: FacilityCreate, exc: Conflict) -> RowOutcome:
    scheme = None
    for item in exc.errors:
        if len(item.location) >= 3 and item.location[1] == "identifiers" and isinstance(item.location[2], int):
            scheme = body.identifiers[item.location[2]].scheme
    return RowOutcome(RowOutcomeKind.error, error_scheme=scheme, error_reason=exc.detail)


def register_each(session: Session, principal: Principal, bodies: Sequence[FacilityCreate]) -> list[RowOutcome]:
    """One ``create_facility`` per row, each in a savepoint so a refused row leaves no trace."""
    outcomes: list[RowOutcome] = []
    for body in bodies:
        try:
            with session.begin_nested():
                outcomes.append(outcome_of(service.create_facility(session, principal, body=body)))
        except Conflict as exc:
            outcomes.append(_conflict(body, exc))
    return outcomes


def register_many(session: Session, principal: Principal, bodies: Sequence[FacilityCreate]) -> list[RowOutcome]:
    """The bulk path: the same outcomes as ``register_each`` on the same rows, in a few queries.

    Rows are taken in order against an in-memory picture of the registry for the chunk (the
    facilities filed under the chunk's keys, and those the chunk creates or changes), so a row
    meets the facilities earlier rows registered, duplicates within the file included."""
    chunk = _Chunk(session, principal, bodies)
    with session.no_autoflush:
        registered = [chunk.register(i, body) for i, body in enumerate(bodies)]
    chunk.write()
    return [r if isinstance(r, RowOutcome) else _outcome(r) for r in registered]


# --- the bulk path --------------------------------------------------------------------------------

# An upper bound of the evidence a pair can collect besides the names, for skipping pairs that
# cannot reach the lower threshold (score() is then not needed: its decision would be "new").
# Units and conflicts only take points away; a shared identifier is never skipped.
_MAX_PLACE_POINTS = max(p for _, p in matching.ADDRESS_POINTS) + max(p for _, p in matching.DISTANCE_POINTS)
#: score() rounds its total to 4 places: stay clear of a sum that rounds up to the threshold.
_ROUNDING_MARGIN = 0.01


def _may_reach_potential(a: matching.SiteRecord, repr_a: str, b: matching.SiteRecord, repr_b: str) -> bool:
    """False only when ``matching.score(a, b)`` must be below the lower threshold (decision new).

    Uses matching's own features and name similarity (the part of the score that rules most
    candidates out, and the cheaper one), in the order score() compares them (by repr)."""
    if repr_a > repr_b:
        a, b = b, a
    fa, fb = matching.features(a), matching.features(b)
    if fa.country != fb.country:
        return False
    if fa.identifiers.keys() & fb.identifiers.keys():
        return True
    name_points = matching.interpolate(matching.name_similarity(fa, fb), matching.NAME_POINTS)
    best_sum = matching.PRIOR + name_points + _MAX_PLACE_POINTS
    threshold = matching.DEFAULT_THRESHOLDS.lower
    return best_sum >= _logit(threshold) - _ROUNDING_MARGIN


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


@dataclass(slots=True)
class _Registered:
    facility: Facility
    matched: bool
    potential: list[Facility]


def _outcome(r: _Registered) -> RowOutcome:
    if r.matched:
        return RowOutcome(RowOutcomeKind.matched, r.facility.public_id)
    if r.potential:
        return RowOutcome(RowOutcomeKind.potential_match, r.facility.public_id, tuple(f.public_id for f in r.potential))
    return RowOutcome(RowOutcomeKind.created, r.facility.public_id)


class _Chunk:
    """The registry as the rows of one chunk see it, and what they change in it."""

    def __init__(self, session: Session, principal: Principal, bodies: Sequence[FacilityCreate]) -> None:
        self.session, self.principal = session, principal
        self.records = [_record_of(b) for b in bodies]
        self.row_keys = [shared_sites.key_hashes(r) for r in self.records]
        self.all_keys = set().union(*self.row_keys)
        scope = facility_read_scope(principal)
        # Facilities go by the hex text of their UUID here: it hashes in C (a UUID does not) and
        # sorts the same way, which is the tie-break of the candidate query.
        #: key -> live facilities filed under it (only the chunk's keys matter).
        self.index: dict[str, set[str]] = {}
        #: facility -> its keys among the chunk's keys (to refile it in the index).
        self.keys_of: dict[str, set[str]] = {}
        #: key -> facilities filed under it, as the per-row path counts them (crowded keys are skipped).
        self.counts = repository.key_counts(session, self.all_keys)
        quiet = {key for key in self.all_keys if not repository.crowded(self.counts, key)}
        for facility_id, key in bulk_repository.filed_under(session, scope, quiet):
            self.index.setdefault(key, set()).add(facility_id)
            self.keys_of.setdefault(facility_id, set()).add(key)
        self.facilities: dict[str, Facility] = {}
        self.facility_records: dict[str, tuple[matching.SiteRecord, str]] = {}
        self._load({f for keys in self.row_keys for f in self._ranked(keys)})
        wanted = {(i.scheme, i.value) for b in bodies for i in b.identifiers}
        self.owners = bulk_repository.identifier_owners(session, wanted) if wanted else {}
        self.refiled: dict[uuid.UUID, set[str]] = {}
        self.created: list[Facility] = []
        self.entries: list[audit.Entry] = []

    def _ranked(self, keys: set[str]) -> list[str]:
        """What repository.facilities_sharing_keys returns: most keys shared first, then by id."""
        shared: Counter[str] = Counter()
        for key in keys:
            filed = None if repository.crowded(self.counts, key) else self.index.get(key)
            if filed:
                shared.update(filed)
        best = heapq.nsmallest(repository.MAX_CANDIDATES, shared.items(), key=lambda pair: (-pair[1], pair[0]))
        return [facility_id for facility_id, _ in best]

    def _load(self, ids: set[str]) -> None:
        missing = ids - self.facilities.keys()
        if missing:
            for facility in bulk_repository.facilities_by_id(self.session, {uuid.UUID(hex=i) for i in missing}):
                self.facilities[facility.id.hex] = facility

    def _record(self, facility: Facility) -> tuple[matching.SiteRecord, str]:
        found = self.facility_records.get(facility.id.hex)
        if found is None:
            record = shared_sites.facility_record(facility)
            found = self.facility_records[facility.id.hex] = (record, repr(record))
        return found

    def _candidates(self, i: int) -> list[shared_sites.Candidate]:
        """shared_sites.candidates for row ``i``: best first, ``new`` ones left out."""
        ranked = self._ranked(self.row_keys[i])
        self._load(set(ranked))
        record = self.records[i]
        record_repr = repr(record)
        found: list[tuple[Facility, matching.MatchScore]] = []
        for facility_id in ranked:
            facility = self.facilities[facility_id]
            other, other_repr = self._record(facility)
            if _may_reach_potential(record, record_repr, other, other_repr):
                found.append((facility, matching.score(record, other)))
        found.sort(key=lambda pair: pair[1].total, reverse=True)
        scored = [shared_sites.Candidate(f, s, matching.decide(s)) for f, s in found]
        return [c for c in scored if c.decision is not matching.MatchDecision.new]

    def register(self, i: int, body: FacilityCreate) -> _Registered | RowOutcome:
        """service.create_facility for row ``i``, against the chunk's picture of the registry."""
        values = service.statements(body)
        found = self._candidates(i)
        if found and found[0].decision is matching.MatchDecision.match:
            best = found[0]
            conflict = self._conflict(best.facility.id, body)
            if conflict is not None:
                return conflict
            self._state(best.facility, values, body)
            self.entries.append(
                audit.Entry("facility.matched", "facility", best.facility.public_id, {"score": best.score.total})
            )
            return _Registered(best.facility, matched=True, potential=[])
        conflict = self._conflict(None, body)
        if conflict is not None:
            return conflict
        facility = Facility(
            id=uuid7(), public_id=public_ids.new_public_id(), name=body.name, country=body.country, normalised_name=""
        )
        self.session.add(facility)
        self.facilities[facility.id.hex] = facility
        self.created.append(facility)
        self._state(facility, values, body)
        potential = [c.facility for c in found[: shared_sites.MAX_POTENTIAL]]
        self.entries.append(
            audit.Entry(
                "facility.created",
                "facility",
                facility.public_id,
                {"potential_matches": [f.public_id for f in potential]},
            )
        )
        return _Registered(facility, matched=False, potential=potential)

    def _conflict(self, facility_id: uuid.UUID | None, body: FacilityCreate) -> RowOutcome | None:
        """The first identifier that already names another facility, as service._add_identifiers finds it."""
        mine: set[tuple[str, str]] = set()
        for ident in body.identifiers:
            pair = (ident.scheme, ident.value)
            holder = self.owners.get(pair)
            if pair in mine or (holder is not None and holder == facility_id):
                continue
            if holder is not None:
                return RowOutcome(
                    RowOutcomeKind.error,
                    error_scheme=ident.scheme,
                    error_reason=f"{ident.scheme} {ident.value} already identifies another facility.",
                )
            mine.add(pair)
        return None

    def _state(self, facility: Facility, values: dict[str, object], body: FacilityCreate) -> None:
        """service._state without its flush: contributions, identifiers, canonical values, keys."""
        for attribute, value in values.items():
            contribution = FacilityContribution(
                organization_id=self.principal.organization_id,
                attribute=attribute,
                value=value,
                contributed_at=utcnow(),
            )
            facility.contributions.append(contribution)
            self.session.add(contribution)
        for ident in body.identifiers:
            pair = (ident.scheme, ident.value)
            if self.owners.get(pair) == facility.id:
                continue
            row = FacilityIdentifier(
                scheme=ident.scheme, value=ident.value, contributed_by_organization_id=self.principal.organization_id
            )
            facility.identifiers.append(row)
            self.session.add(row)
            self.owners[pair] = facility.id
        service.apply_canonical(facility)
        self.facility_records.pop(facility.id.hex, None)
        record, _ = self._record(facility)
        self._refile(facility.id, shared_sites.key_hashes(record))

    def _refile(self, facility_id: uuid.UUID, keys: set[str]) -> None:
        number = facility_id.hex
        for key in self.keys_of.get(number, set()):
            self.index[key].discard(number)
            self.counts[key] = self.counts.get(key, 1) - 1
        relevant = keys & self.all_keys
        for key in relevant:
            self.index.setdefault(key, set()).add(number)
            self.counts[key] = self.counts.get(key, 0) + 1
        self.keys_of[number] = relevant
        self.refiled[facility_id] = keys

    def write(self) -> None:
        """Everything the rows changed, in a few statements (new public ids checked first)."""
        fresh = {f.public_id for f in self.created}
        taken = bulk_repository.public_ids_taken(self.session, fresh) if fresh else set()
        for facility in self.created:
            while facility.public_id in taken:  # 40 random bits: practically never
                facility.public_id = public_ids.new_public_id()
        self.session.flush()
        bulk_repository.replace_match_keys(self.session, self.refiled)
        audit.record_many(self.session, self.principal, self.entries)


def _record_of(body: FacilityCreate) -> matching.SiteRecord:
    return shared_sites.record_of(
        name=body.name,
        country=body.country,
        address=body.address,
        lat=body.lat,
        lng=body.lng,
        identifiers=[(i.scheme, i.value) for i in body.identifiers],
    )
