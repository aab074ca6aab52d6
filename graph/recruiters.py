"""Use cases of the recruiter registry: register (matching shared agencies), read, update, search.

The facility registry's rules apply: every statement is a contribution of the caller's
organisation, canonical values are derived from them (graph/provenance.py), and a registration
of an agency a member already registered attaches to it (graph/recruiter_matching.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, ErrorItem, InvalidInput, NotFound
from core.principal import Principal
from graph import events, matching, provenance, public_ids, recruiter_matching
from graph import recruiter_repository as repository
from graph.cursors import decode_cursor, encode_cursor
from graph.models import FeePolicy, Recruiter, RecruiterCertification, RecruiterContribution, RecruiterIdentifier
from graph.recruiter_schemas import CertificationIn, RecruiterAttributes, RecruiterCreate, RecruiterUpdate
from graph.schemas import IdentifierIn
from policies import audit
from policies.visibility import recruiter_read_scope

#: Attributes stored as they are stated; the licence is stated as one [country, number] pair so
#: that one member's number is never read with another member's issuing country.
_PLAIN_ATTRIBUTES = ("name", "country", "address", "countries_of_operation", "fee_policy")
MAX_PAGE = 500
MAX_POTENTIAL = 5


@dataclass(frozen=True, slots=True)
class Candidate:
    recruiter: Recruiter
    score: matching.MatchScore
    decision: matching.MatchDecision


@dataclass(frozen=True, slots=True)
class CreateOutcome:
    """What registering a recruiter did: attached to an existing one (``matched``) or created one,
    with the recruiters a person should check (``potential``)."""

    recruiter: Recruiter
    matched: Candidate | None
    potential: list[Candidate]


@dataclass(frozen=True, slots=True)
class UpdateOutcome:
    recruiter: Recruiter
    potential: list[Candidate]


@dataclass(frozen=True, slots=True)
class ResolvedRecruiter:
    recruiter: Recruiter
    resolved_from: str | None


# --- matching -------------------------------------------------------------------------------------


def record_of(recruiter: Recruiter) -> recruiter_matching.RecruiterRecord:
    return recruiter_matching.RecruiterRecord(
        name=recruiter.name,
        country=recruiter.country,
        address=recruiter.address,
        licence_number=recruiter.licence_number,
        licence_country=recruiter.licence_country,
        identifiers=frozenset((i.scheme, i.value) for i in recruiter.identifiers),
    )


def _key_hashes(record: recruiter_matching.RecruiterRecord) -> set[str]:
    keys = recruiter_matching.blocking_keys(record)
    return {hashlib.blake2b(key.encode(), digest_size=16).hexdigest() for key in keys}


def candidates(
    session: Session,
    principal: Principal,
    record: recruiter_matching.RecruiterRecord,
    *,
    exclude: Recruiter | None = None,
) -> list[Candidate]:
    """Visible recruiters that may be the same agency, best first (``new`` ones left out)."""
    scope = recruiter_read_scope(principal)
    found = repository.recruiters_sharing_keys(
        session, scope, _key_hashes(record), exclude=exclude.id if exclude else None
    )
    scores = [(r, recruiter_matching.score(record, record_of(r))) for r in found]
    scored = [Candidate(r, s, recruiter_matching.decide(s)) for r, s in scores]
    scored.sort(key=lambda c: c.score.total, reverse=True)
    return [c for c in scored if c.decision is not matching.MatchDecision.new]


# --- statements -----------------------------------------------------------------------------------


def _statements(
    body: RecruiterAttributes, *, licence_country: str | None, licence_number: str | None = None
) -> dict[str, Any]:
    stated = body.model_dump(exclude_unset=True, exclude={"identifiers", "certifications"})
    values = {k: v for k, v in stated.items() if k in _PLAIN_ATTRIBUTES}
    if "countries_of_operation" in values:
        values["countries_of_operation"] = sorted(set(values["countries_of_operation"] or []))
    if values.get("fee_policy") is not None:
        values["fee_policy"] = FeePolicy(values["fee_policy"]).value
    for attribute in ("name", "country", "fee_policy", "countries_of_operation"):
        if attribute in values and values[attribute] is None:
            del values[attribute]  # null is no statement for attributes that always have a value
    if body.licence_number is not None:
        values["licence"] = [body.licence_country or licence_country, body.licence_number]
    elif body.licence_country is not None:
        if licence_number is None:
            raise InvalidInput(
                "A licence country needs a licence number.",
                errors=[ErrorItem(("body", "licence_number"), "missing: required with licence_country")],
            )
        values["licence"] = [body.licence_country, licence_number]
    return values


def _contribute(session: Session, principal: Principal, recruiter: Recruiter, values: dict[str, Any]) -> None:
    for attribute, value in values.items():
        row = RecruiterContribution(
            organization_id=principal.organization_id, attribute=attribute, value=value, contributed_at=utcnow()
        )
        recruiter.contributions.append(row)
        session.add(row)


def _add_identifiers(
    session: Session, principal: Principal, recruiter: Recruiter, identifiers: Sequence[IdentifierIn]
) -> None:
    for index, ident in enumerate(identifiers):
        holder = repository.identifier_owner(session, ident.scheme, ident.value)
        if holder is not None and holder == recruiter.id:
            continue
        if holder is not None:
            raise Conflict(
                f"{ident.scheme} {ident.value} already identifies another recruiter.",
                errors=[ErrorItem(("body", "identifiers", index, "value"), "already used by another recruiter")],
            )
        row = RecruiterIdentifier(
            scheme=ident.scheme, value=ident.value, contributed_by_organization_id=principal.organization_id
        )
        recruiter.identifiers.append(row)
        session.add(row)


def _add_certifications(
    session: Session, principal: Principal, recruiter: Recruiter, certifications: Sequence[CertificationIn]
) -> None:
    """A certificate stated again (same scheme and id) takes the newly stated validity."""
    held = {(c.scheme, c.certificate_id): c for c in recruiter.certifications}
    for cert in certifications:
        scheme = cert.scheme.casefold()
        row = held.get((scheme, cert.certificate_id))
        if row is None:
            row = RecruiterCertification(
                scheme=scheme,
                certificate_id=cert.certificate_id,
                contributed_by_organization_id=principal.organization_id,
            )
            recruiter.certifications.append(row)
            session.add(row)
            held[(scheme, cert.certificate_id)] = row
        row.valid_from, row.valid_to = cert.valid_from, cert.valid_to


def _apply_canonical(session: Session, recruiter: Recruiter) -> None:
    canonical = provenance.canonical_of(recruiter.contributions, owner=recruiter.owner_organization_id)
    for attribute in _PLAIN_ATTRIBUTES:
        if attribute in canonical:
            setattr(recruiter, attribute, canonical[attribute])
    if "licence" in canonical:
        recruiter.licence_country, recruiter.licence_number = canonical["licence"]
    key = recruiter_matching.licence_key(recruiter.licence_number, recruiter.licence_country)
    if key is not None and key != recruiter.licence_key:
        # Asked before the new key is set: the query's autoflush must not write a duplicate.
        holder = repository.licence_holder(session, key)
        if holder is not None and holder != recruiter.id:
            raise Conflict(
                f"Licence {recruiter.licence_number} ({recruiter.licence_country}) is another recruiter's.",
                errors=[ErrorItem(("body", "licence_number"), "licence held by another recruiter")],
            )
    recruiter.licence_key = key
    recruiter.normalised_name = matching.normalise_name(recruiter.name)


def _state(
    session: Session,
    principal: Principal,
    recruiter: Recruiter,
    values: dict[str, Any],
    body: RecruiterAttributes,
) -> None:
    """Record the caller's statements, derive canonical values and refile the recruiter's keys."""
    _contribute(session, principal, recruiter, values)
    _add_identifiers(session, principal, recruiter, body.identifiers)
    _add_certifications(session, principal, recruiter, body.certifications)
    rederive(session, recruiter)


def rederive(session: Session, recruiter: Recruiter) -> None:
    """Derive the canonical values and the matching keys again from the statements."""
    _apply_canonical(session, recruiter)
    session.flush()
    repository.replace_match_keys(session, recruiter.id, _key_hashes(record_of(recruiter)))


def _new_public_id(session: Session) -> str:
    for _ in range(5):
        candidate = public_ids.new_public_id(public_ids.RECRUITER_PREFIX)
        if not repository.public_id_taken(session, candidate):
            return candidate
    raise RuntimeError("could not draw an unused public id")  # 40 random bits: practically unreachable


# --- use cases ------------------------------------------------------------------------------------


def create_recruiter(session: Session, principal: Principal, *, body: RecruiterCreate) -> CreateOutcome:
    """Register a recruiter as the caller's contribution; when a member already registered the same
    agency (same licence, or a name match in the same country), the statements attach to it."""
    values = _statements(body, licence_country=body.country)
    licence = values.get("licence", [None, None])
    record = recruiter_matching.RecruiterRecord(
        name=body.name,
        country=body.country,
        address=body.address,
        licence_number=licence[1],
        licence_country=licence[0],
        identifiers=frozenset((i.scheme, i.value) for i in body.identifiers),
    )
    found = candidates(session, principal, record)
    if found and found[0].decision is matching.MatchDecision.match:
        best = found[0]
        _state(session, principal, best.recruiter, values, body)
        audit.record(
            session,
            principal,
            action="recruiter.matched",
            subject_kind="recruiter",
            subject_id=best.recruiter.public_id,
            details={"score": best.score.total},
        )
        return CreateOutcome(best.recruiter, best, [])
    recruiter = Recruiter(
        public_id=_new_public_id(session),
        name=body.name,
        country=body.country,
        normalised_name="",
        countries_of_operation=[],
        fee_policy=FeePolicy.unknown,
        identifiers=[],
        certifications=[],
        contributions=[],
    )
    session.add(recruiter)
    _state(session, principal, recruiter, values, body)
    potential = found[:MAX_POTENTIAL]
    audit.record(
        session,
        principal,
        action="recruiter.created",
        subject_kind="recruiter",
        subject_id=recruiter.public_id,
        details={"potential_matches": [c.recruiter.public_id for c in potential]},
    )
    return CreateOutcome(recruiter, None, potential)


def update_recruiter(session: Session, principal: Principal, *, public_id: str, body: RecruiterUpdate) -> UpdateOutcome:
    """State new values (the caller's contributions); canonical values are derived again and
    matched against the other recruiters (potential matches only: never merged automatically)."""
    recruiter = get_recruiter_or_raise(session, principal, public_id=public_id).recruiter
    values = _statements(
        body, licence_country=body.country or recruiter.country, licence_number=recruiter.licence_number
    )
    _state(session, principal, recruiter, values, body)
    audit.record(
        session,
        principal,
        action="recruiter.updated",
        subject_kind="recruiter",
        subject_id=recruiter.public_id,
        details={"attributes": sorted(values), "certifications": [c.scheme for c in body.certifications]},
    )
    events.subjects_changed(session, recruiters=[recruiter.id])
    potential = candidates(session, principal, record_of(recruiter), exclude=recruiter)[:MAX_POTENTIAL]
    return UpdateOutcome(recruiter, potential)


def get_recruiter_or_raise(session: Session, principal: Principal, *, public_id: str) -> ResolvedRecruiter:
    """The recruiter behind a public id, following merges; NotFound when unknown or not visible."""
    canonical = public_ids.parse_public_id(public_id, public_ids.RECRUITER_PREFIX)
    scope = recruiter_read_scope(principal)
    recruiter = repository.by_public_id(session, scope, canonical) if canonical else None
    asked, hops = recruiter, 0
    while recruiter is not None and recruiter.merged_into_id is not None and hops < 10:
        recruiter, hops = repository.by_id(session, scope, recruiter.merged_into_id), hops + 1
    if recruiter is None or recruiter.merged_into_id is not None:
        raise NotFound(f"No recruiter {public_id}.")
    resolved_from = asked.public_id if asked is not None and asked is not recruiter else None
    return ResolvedRecruiter(recruiter, resolved_from)


def recorded(session: Session, principal: Principal, *, public_id: str) -> Recruiter | None:
    """The record behind a public id as it is, merged away or not (None when unknown)."""
    canonical = public_ids.parse_public_id(public_id, public_ids.RECRUITER_PREFIX)
    return repository.by_public_id(session, recruiter_read_scope(principal), canonical) if canonical else None


def list_recruiters(
    session: Session,
    principal: Principal,
    *,
    filters: repository.RecruiterFilters,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[Recruiter], str | None]:
    """A page of visible recruiters (oldest first) and the cursor of the next page, if any."""
    limit = min(limit, MAX_PAGE)
    if filters.name:
        filters = dataclasses.replace(filters, name=matching.normalise_name(filters.name))
    if filters.today is None:
        filters = dataclasses.replace(filters, today=utcnow().date())
    stmt = repository.apply_filters(repository.readable_recruiters(recruiter_read_scope(principal)), filters)
    after = decode_cursor(cursor) if cursor else None
    rows = repository.page(session, stmt, after=after, limit=limit + 1)
    items = rows[:limit]
    return items, (encode_cursor(items[-1].id) if len(rows) > limit and items else None)


def certification_in_force(certification: RecruiterCertification, today: date) -> bool:
    """Is the certification valid on ``today``? An open start or end counts as in force."""
    starts, ends = certification.valid_from, certification.valid_to
    return (starts is None or starts <= today) and (ends is None or today <= ends)
