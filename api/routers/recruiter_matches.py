"""Potential matches between recruiters: a person's verdict, merges and splits (the same flow as
facilities', see graph/merges.py)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SessionDep
from api.problems import PROBLEM_RESPONSES
from api.routers.recruiters import Reader, RecruiterId, Writer, potential_recruiter, recruiter_detail
from graph import merges
from graph.models import MatchVerdict, Recruiter
from graph.recruiter_schemas import PotentialRecruiterMatchPage, RecruiterMatchDecisionRead, RecruiterSplitRead
from graph.schemas import MatchDecisionCreate, SplitCreate

router = APIRouter(prefix="/recruiters", tags=["recruiters"], responses=PROBLEM_RESPONSES)

_VERDICTS = {"confirm": MatchVerdict.confirmed, "reject": MatchVerdict.rejected}


def _recruiter(record: merges.Record) -> Recruiter:
    assert isinstance(record, Recruiter)  # noqa: S101 - the recruiter kind only returns recruiters
    return record


@router.get(
    "/{recruiter_id}/potential-matches", response_model=PotentialRecruiterMatchPage, summary="Possible duplicates"
)
def list_potential_matches(
    session: SessionDep, principal: Reader, recruiter_id: RecruiterId
) -> PotentialRecruiterMatchPage:
    """Recruiters that may be the same agency as this one, best first (at most 5). Pairs someone
    already rejected are left out."""
    found = merges.potential_recruiter_matches(session, principal, public_id=recruiter_id)
    return PotentialRecruiterMatchPage(items=[potential_recruiter(c) for c in found])


@router.post(
    "/{recruiter_id}/match-decisions", response_model=RecruiterMatchDecisionRead, summary="Confirm or reject a match"
)
def decide_match(
    session: SessionDep, principal: Writer, recruiter_id: RecruiterId, body: MatchDecisionCreate
) -> RecruiterMatchDecisionRead:
    """Say whether a potential match is the same agency. Only an organisation that contributed this
    recruiter may decide (403 otherwise); platform operators may merge any pair.

    - `confirm` merges the two: the claimed one (else the older one) survives, the other's id
      keeps resolving to it, and every contribution, identifier and certification is kept. A
      candidate that is not a potential match is a 422.
    - `reject` records that they are different agencies: the pair is never proposed again."""
    outcome = merges.decide_match(
        session,
        principal,
        merges.RECRUITERS,
        public_id=recruiter_id,
        candidate_public_id=body.candidate_id,
        verdict=_VERDICTS[body.decision],
        note=body.note,
    )
    return RecruiterMatchDecisionRead(
        decision=body.decision,
        candidate_id=outcome.candidate.public_id,
        merged=outcome.merged,
        recruiter=recruiter_detail(principal, _recruiter(outcome.record)),
    )


@router.post("/{recruiter_id}/split", response_model=RecruiterSplitRead, summary="Undo a merge")
def split_recruiter(
    session: SessionDep, principal: Writer, recruiter_id: RecruiterId, body: SplitCreate
) -> RecruiterSplitRead:
    """Undo the merge of `merged_id` into this recruiter: the merged recruiter comes back under its
    own id with the contributions, identifiers and certifications first stated about it (and its
    licence); later statements about this recruiter stay here. The pair is then never proposed as
    a match again. Allowed to the organisation that merged, a contributor of the merged recruiter,
    or a platform operator."""
    survivor, restored = merges.split(
        session, principal, merges.RECRUITERS, public_id=recruiter_id, merged_public_id=body.merged_id
    )
    return RecruiterSplitRead(
        recruiter=recruiter_detail(principal, _recruiter(survivor)),
        restored=recruiter_detail(principal, _recruiter(restored)),
    )
