"""Potential matches between facilities: a person's verdict, merges and splits."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SessionDep
from api.problems import PROBLEM_RESPONSES
from api.routers.facilities import FacilityId, Reader, Writer, facility_detail, potential_match
from graph import merges
from graph.models import Facility, MatchVerdict
from graph.schemas import MatchDecisionCreate, MatchDecisionRead, PotentialMatchPage, SplitCreate, SplitRead

router = APIRouter(prefix="/facilities", tags=["facilities"], responses=PROBLEM_RESPONSES)

_VERDICTS = {"confirm": MatchVerdict.confirmed, "reject": MatchVerdict.rejected}


@router.get("/{facility_id}/potential-matches", response_model=PotentialMatchPage, summary="Possible duplicates")
def list_potential_matches(session: SessionDep, principal: Reader, facility_id: FacilityId) -> PotentialMatchPage:
    """Facilities that may be the same site as this one, best first (at most 5). Pairs someone
    already rejected are left out."""
    found = merges.potential_matches(session, principal, public_id=facility_id)
    return PotentialMatchPage(items=[potential_match(c) for c in found])


@router.post("/{facility_id}/match-decisions", response_model=MatchDecisionRead, summary="Confirm or reject a match")
def decide_match(
    session: SessionDep, principal: Writer, facility_id: FacilityId, body: MatchDecisionCreate
) -> MatchDecisionRead:
    """Say whether a potential match is the same site. Only an organisation that contributed this
    facility may decide (403 otherwise); platform operators may merge any pair.

    - `confirm` merges the two: the claimed one (else the older one) survives, the other's id
      keeps resolving to it, and every contribution and identifier is kept. A candidate that is
      not a potential match is a 422.
    - `reject` records that they are different sites: the pair is never proposed again."""
    outcome = merges.decide_match(
        session,
        principal,
        merges.FACILITIES,
        public_id=facility_id,
        candidate_public_id=body.candidate_id,
        verdict=_VERDICTS[body.decision],
        note=body.note,
    )
    return MatchDecisionRead(
        decision=body.decision,
        candidate_id=outcome.candidate.public_id,
        merged=outcome.merged,
        facility=facility_detail(principal, _facility(outcome.record)),
    )


@router.post("/{facility_id}/split", response_model=SplitRead, summary="Undo a merge")
def split_facility(session: SessionDep, principal: Writer, facility_id: FacilityId, body: SplitCreate) -> SplitRead:
    """Undo the merge of `merged_id` into this facility: the merged facility comes back under its
    own id with the contributions and identifiers first stated about it; later statements about
    this facility stay here. The pair is then never proposed as a match again. Allowed to the
    organisation that merged, a contributor of the merged facility, or a platform operator."""
    survivor, restored = merges.split(
        session, principal, merges.FACILITIES, public_id=facility_id, merged_public_id=body.merged_id
    )
    return SplitRead(
        facility=facility_detail(principal, _facility(survivor)),
        restored=facility_detail(principal, _facility(restored)),
    )


def _facility(record: merges.Record) -> Facility:
    assert isinstance(record, Facility)  # noqa: S101 - the facility kind only returns facilities
    return record
