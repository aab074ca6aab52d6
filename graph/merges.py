"""People's verdicts on potential matches, and the merges and splits they lead to.

A merge keeps everything: the merged facility's record stays (its public id resolves to the
survivor), and its contributions and identifiers move to the survivor remembering where they
were first stated, so a split (undoing a wrong merge) moves exactly those back. Statements made
about the survivor after the merge stay with it. A split also records that the two are not one
site, so the matcher never proposes the pair again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, ErrorItem, InvalidInput, NotFound, PermissionDenied
from core.principal import Principal
from graph import matching, repository, shared_sites
from graph import service as graph_service
from graph.models import Facility, FacilityMatchDecision, FacilityMerge, MatchVerdict
from policies import audit
from policies.visibility import may_decide_match, may_merge_any_pair, may_split


def potential_matches(session: Session, principal: Principal, *, public_id: str) -> list[shared_sites.Candidate]:
    """Live facilities that may be the same site as this one, best first, without the pairs a
    person already said are different sites."""
    facility = graph_service.get_facility_or_raise(session, principal, public_id=public_id).facility
    return shared_sites.open_candidates(session, principal, facility)


@dataclass(frozen=True, slots=True)
class MatchDecisionOutcome:
    decision: FacilityMatchDecision
    facility: Facility  # the survivor after a confirmation, else the facility decided on
    candidate: Facility
    merged: bool


def decide_match(
    session: Session,
    principal: Principal,
    *,
    public_id: str,
    candidate_public_id: str,
    verdict: MatchVerdict,
    note: str | None = None,
) -> MatchDecisionOutcome:
    """Confirm (the two are one site: merge them) or reject (different sites: remembered) a
    potential match of a facility the caller contributed."""
    facility = graph_service.get_facility_or_raise(session, principal, public_id=public_id).facility
    candidate = _candidate_or_raise(session, principal, candidate_public_id)
    if candidate.id == facility.id:
        raise Conflict("These ids already name the same facility.")
    if not may_decide_match(principal, contributor_ids=repository.contributor_ids(session, facility.id)):
        raise PermissionDenied("Only an organisation that contributed this facility decides its matches.")
    if verdict is MatchVerdict.confirmed:
        _require_proposed(principal, facility, candidate)
    decision = FacilityMatchDecision(
        facility_id=facility.id,
        candidate_facility_id=candidate.id,
        verdict=verdict,
        organization_id=principal.organization_id,
        note=note,
    )
    session.add(decision)
    survivor = facility
    if verdict is MatchVerdict.confirmed:
        survivor = merge(session, principal, facility, candidate)
    session.flush()
    audit.record(
        session,
        principal,
        action=f"facility.match_{verdict.value}",
        subject_kind="facility",
        subject_id=facility.public_id,
        details={"candidate": candidate.public_id, "survivor": survivor.public_id},
    )
    return MatchDecisionOutcome(decision, survivor, candidate, merged=verdict is MatchVerdict.confirmed)


def _candidate_or_raise(session: Session, principal: Principal, public_id: str) -> Facility:
    try:
        return graph_service.get_facility_or_raise(session, principal, public_id=public_id).facility
    except NotFound as exc:
        raise InvalidInput(
            f"No facility {public_id}.", errors=[ErrorItem(("body", "candidate_id"), "no such facility")]
        ) from exc


def _require_proposed(principal: Principal, facility: Facility, candidate: Facility) -> None:
    """Members may merge only what the matcher proposes; operators may merge any pair."""
    if may_merge_any_pair(principal):
        return
    score = matching.score(shared_sites.facility_record(facility), shared_sites.facility_record(candidate))
    if matching.decide(score) is matching.MatchDecision.new:
        raise InvalidInput(
            f"{candidate.public_id} is not a potential match of {facility.public_id} (score {score.total:.2f}); "
            "ask a platform operator to merge them.",
            errors=[ErrorItem(("body", "candidate_id"), "not a potential match")],
        )


def _survivor_and_merged(a: Facility, b: Facility) -> tuple[Facility, Facility]:
    """The claimed facility survives (its owner speaks for it), else the one registered first."""
    if (
        None not in (a.owner_organization_id, b.owner_organization_id)
        and a.owner_organization_id != b.owner_organization_id
    ):
        raise Conflict("Both facilities are claimed by different suppliers: a platform operator must decide.")
    if (b.owner_organization_id is not None) != (a.owner_organization_id is not None):
        return (a, b) if a.owner_organization_id is not None else (b, a)
    return (a, b) if a.id < b.id else (b, a)  # uuid7: time-ordered


def merge(session: Session, principal: Principal, a: Facility, b: Facility) -> Facility:
    """Merge two live facilities into one; returns the survivor."""
    survivor, merged = _survivor_and_merged(a, b)
    session.flush()
    repository.move_statements(session, from_id=merged.id, to_id=survivor.id)
    repository.replace_match_keys(session, merged.id, set())
    merged.merged_into_id = survivor.id
    if survivor.owner_organization_id is None:
        survivor.owner_organization_id = merged.owner_organization_id
    session.add(
        FacilityMerge(survivor_id=survivor.id, merged_id=merged.id, merged_by_organization_id=principal.organization_id)
    )
    _reload(session, survivor, merged)
    graph_service.rederive(session, survivor)
    return survivor


def split(
    session: Session, principal: Principal, *, public_id: str, merged_public_id: str
) -> tuple[Facility, Facility]:
    """Undo the merge of ``merged_public_id`` into ``public_id``: the merged facility comes back
    with the statements first made about it. Returns (survivor, restored)."""
    survivor = graph_service.get_facility_or_raise(session, principal, public_id=public_id).facility
    merged = graph_service.merged_record(session, principal, public_id=merged_public_id)
    record = repository.active_merge(session, survivor_id=survivor.id, merged_id=merged.id) if merged else None
    if merged is None or record is None:
        raise NotFound(f"{merged_public_id} was not merged into {survivor.public_id}.")
    contributors = repository.contributor_ids(session, merged.id)
    if not may_split(principal, merged_by=record.merged_by_organization_id, contributor_ids=contributors):
        raise PermissionDenied(
            "Only the organisation that merged, a contributor of the merged site or an operator may split."
        )
    session.flush()
    origins = repository.merged_into(session, merged.id) | {merged.id}
    repository.return_statements(session, survivor_id=survivor.id, merged_id=merged.id, origins=origins)
    merged.merged_into_id = None
    record.split_at, record.split_by_organization_id = utcnow(), principal.organization_id
    session.add(
        FacilityMatchDecision(
            facility_id=merged.id,
            candidate_facility_id=survivor.id,
            verdict=MatchVerdict.rejected,
            organization_id=principal.organization_id,
            note="split",
        )
    )
    _reload(session, survivor, merged)
    graph_service.rederive(session, survivor)
    graph_service.rederive(session, merged)
    audit.record(
        session,
        principal,
        action="facility.split",
        subject_kind="facility",
        subject_id=survivor.public_id,
        details={"restored": merged.public_id},
    )
    return survivor, merged


def _reload(session: Session, *facilities: Facility) -> None:
    """The bulk updates bypassed the ORM: read the moved rows again."""
    session.flush()
    for facility in facilities:
        session.expire(facility, ["contributions", "identifiers"])
