"""Use cases of the supplier graph: the facility registry."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, ErrorItem, InvalidInput, NotFound
from core.geo import point_element
from core.principal import Principal
from graph import events, matching, provenance, public_ids, repository, shared_sites
from graph.cursors import decode_cursor as decode_cursor
from graph.cursors import encode_cursor as encode_cursor
from graph.models import Facility, FacilityContribution, FacilityIdentifier
from graph.schemas import ContributionRead, FacilityAttributes, FacilityCreate, FacilityUpdate, IdentifierIn
from policies import audit
from policies.visibility import contribution_attribution_visible, facility_read_scope

#: Attributes stored as they are stated; lat/lng are stated together as "location".
_PLAIN_ATTRIBUTES = (
    "name",
    "country",
    "address",
    "admin1",
    "sector",
    "product_type",
    "number_of_workers",
    "migrant_worker_share",
    "female_worker_share",
)
MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class ResolvedFacility:
    facility: Facility
    resolved_from: str | None


def statements(body: FacilityAttributes) -> dict[str, Any]:
    """The attributes ``body`` states, as a contribution stores them (``location`` as
    ``[lng, lat]``); InvalidInput when only one of lat and lng is given."""
    stated = body.model_dump(exclude_unset=True, exclude={"identifiers"})
    values = {k: v for k, v in stated.items() if k in _PLAIN_ATTRIBUTES}
    lat, lng = stated.pop("lat", None), stated.pop("lng", None)
    if (lat is None) != (lng is None):
        raise InvalidInput(
            "Coordinates need both lat and lng.",
            errors=[ErrorItem(("body", "lat" if lat is None else "lng"), "missing")],
        )
    if lat is not None:
        values["location"] = [lng, lat]
    return values


def apply_canonical(facility: Facility) -> None:
    """Set the facility's attributes, location and normalised name to the canonical values of its
    contributions (the owner's statement wins, else the most stated value). No flush."""
    canonical = provenance.canonical_of(facility.contributions, owner=facility.owner_organization_id)
    for attribute in _PLAIN_ATTRIBUTES:
        if attribute in canonical:
            setattr(facility, attribute, canonical[attribute])
    if "location" in canonical:
        lon, lat = canonical["location"]
        facility.location = point_element(lon, lat)
    facility.normalised_name = matching.normalise_name(facility.name)


def _add_identifiers(
    session: Session, principal: Principal, facility: Facility, identifiers: Sequence[IdentifierIn]
) -> None:
    for index, ident in enumerate(identifiers):
        holder = repository.identifier_owner(session, ident.scheme, ident.value)
        if holder == facility.id:
            continue
        if holder is not None:
            raise Conflict(
                f"{ident.scheme} {ident.value} already identifies another facility.",
                errors=[ErrorItem(("body", "identifiers", index, "value"), "already used by another facility")],
            )
        row = FacilityIdentifier(
            scheme=ident.scheme, value=ident.value, contributed_by_organization_id=principal.organization_id
        )
        facility.identifiers.append(row)
        session.add(row)


def _contribute(session: Session, principal: Principal, facility: Facility, values: dict[str, Any]) -> None:
    for attribute, value in values.items():
        contribution = FacilityContribution(
            organization_id=principal.organization_id, attribute=attribute, value=value, contributed_at=utcnow()
        )
        facility.contributions.append(contribution)
        session.add(contribution)


def _new_public_id(session: Session) -> str:
    for _ in range(5):
        candidate = public_ids.new_public_id()
        if not repository.public_id_taken(session, candidate):
            return candidate
    raise RuntimeError("could not draw an unused public id")  # 40 random bits: practically unreachable


@dataclass(frozen=True, slots=True)
class CreateOutcome:
    """What registering a site did: attached to an existing facility (``matched``) or created one,
    with the facilities a person should check (``potential``)."""

    facility: Facility
    matched: shared_sites.Candidate | None
    potential: list[shared_sites.Candidate]


def create_facility(session: Session, principal: Principal, *, body: FacilityCreate) -> CreateOutcome:
    """Register a site as the caller's contribution; when another member already registered the
    same site, the statements attach to that facility instead of creating a duplicate."""
    values = statements(body)
    record = shared_sites.record_of(
        name=body.name,
        country=body.country,
        address=body.address,
        lat=body.lat,
        lng=body.lng,
        identifiers=[(i.scheme, i.value) for i in body.identifiers],
    )
    found = shared_sites.candidates(session, principal, record)
    if found and found[0].decision is matching.MatchDecision.match:
        best = found[0]
        _state(session, principal, best.facility, values, body.identifiers)
        audit.record(
            session,
            principal,
            action="facility.matched",
            subject_kind="facility",
            subject_id=best.facility.public_id,
            details={"score": best.score.total},
        )
        return CreateOutcome(best.facility, best, [])
    facility = Facility(public_id=_new_public_id(session), name=body.name, country=body.country, normalised_name="")
    session.add(facility)
    _state(session, principal, facility, values, body.identifiers)
    potential = found[: shared_sites.MAX_POTENTIAL]
    audit.record(
        session,
        principal,
        action="facility.created",
        subject_kind="facility",
        subject_id=facility.public_id,
        details={"potential_matches": [c.facility.public_id for c in potential]},
    )
    return CreateOutcome(facility, None, potential)


def _state(
    session: Session,
    principal: Principal,
    facility: Facility,
    values: dict[str, Any],
    identifiers: Sequence[IdentifierIn],
) -> None:
    """Record the caller's statements, derive canonical values and refile the facility's keys."""
    _contribute(session, principal, facility, values)
    _add_identifiers(session, principal, facility, identifiers)
    rederive(session, facility)


def rederive(session: Session, facility: Facility) -> None:
    """Canonical values from the contributions, then the match keys of those values (after a
    statement, a claim, a merge or a split)."""
    apply_canonical(facility)
    session.flush()
    shared_sites.refile(session, facility)


@dataclass(frozen=True, slots=True)
class UpdateOutcome:
    facility: Facility
    #: Facilities the new values make look like the same site: a person confirms (never automatic,
    #: as merging two registered sites cannot be left to a changed address alone).
    potential: list[shared_sites.Candidate]


def update_facility(session: Session, principal: Principal, *, public_id: str, body: FacilityUpdate) -> UpdateOutcome:
    """State new values (the caller's contributions); the canonical values are derived again and
    matched against the other facilities."""
    facility = get_facility_or_raise(session, principal, public_id=public_id).facility
    values = statements(body)
    _state(session, principal, facility, values, body.identifiers)
    audit.record(
        session,
        principal,
        action="facility.updated",
        subject_kind="facility",
        subject_id=facility.public_id,
        details={"attributes": sorted(values), "identifiers": [i.scheme for i in body.identifiers]},
    )
    events.subjects_changed(session, facilities=[facility.id])
    return UpdateOutcome(facility, shared_sites.open_candidates(session, principal, facility))


def get_facility_or_raise(session: Session, principal: Principal, *, public_id: str) -> ResolvedFacility:
    """The facility behind a public id, following merges; NotFound when unknown or not visible."""
    canonical = public_ids.parse_public_id(public_id)
    scope = facility_read_scope(principal)
    facility = repository.by_public_id(session, scope, canonical) if canonical else None
    asked, hops = facility, 0
    while facility is not None and facility.merged_into_id is not None and hops < 10:
        facility, hops = repository.by_id(session, scope, facility.merged_into_id), hops + 1
    if facility is None or facility.merged_into_id is not None:
        raise NotFound(f"No facility {public_id}.")
    resolved_from = asked.public_id if asked is not None and asked is not facility else None
    return ResolvedFacility(facility, resolved_from)


def merged_record(session: Session, principal: Principal, *, public_id: str) -> Facility | None:
    """The record behind a public id as it is, merged away or not (None when unknown)."""
    canonical = public_ids.parse_public_id(public_id)
    return repository.by_public_id(session, facility_read_scope(principal), canonical) if canonical else None


def list_facilities(
    session: Session,
    principal: Principal,
    *,
    filters: repository.FacilityFilters,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[Facility], str | None]:
    """A page of visible facilities (oldest first) and the cursor of the next page, if any."""
    dialect = session.get_bind().dialect.name
    limit = min(limit, MAX_PAGE)
    if filters.name:
        filters = dataclasses.replace(filters, name=matching.normalise_name(filters.name))
    stmt = repository.apply_filters(
        repository.readable_facilities(facility_read_scope(principal)), filters, dialect=dialect
    )
    after = decode_cursor(cursor) if cursor else None
    rows = repository.page(session, stmt, after=after, limit=limit + 1)
    more = len(rows) > limit
    items = rows[:limit]
    return items, (encode_cursor(items[-1].id) if more and items else None)


def set_owner(session: Session, facility: Facility, *, owner: uuid.UUID) -> None:
    """Make ``owner`` the facility's owner (an approved claim); its statements now come first."""
    facility.owner_organization_id = owner
    rederive(session, facility)


def visible_contributions(principal: Principal, facility: Facility) -> list[ContributionRead]:
    """The contributions behind a facility, naming the contributor only where policy allows."""
    return contributions_read(principal, facility.contributions)


def contributions_read(
    principal: Principal, contributions: Iterable[provenance.Contribution]
) -> list[ContributionRead]:
    """Contributions of any subject kind, naming the contributor only where policy allows."""
    return [
        ContributionRead(
            attribute=c.attribute,
            value=c.value,
            source=c.source,
            contributed_at=c.contributed_at,
            organization_id=c.organization_id
            if contribution_attribution_visible(principal, c.organization_id)
            else None,
            by_you=c.organization_id == principal.organization_id,
        )
        for c in contributions
    ]
