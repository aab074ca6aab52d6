"""Risk scores with their explanations."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.conditional import NOT_MODIFIED, IfNoneMatch, etag_matches, not_modified
from api.deps import SessionDep, principal_with, writes_on_read
from api.problems import PROBLEM_RESPONSES
from core.clock import utcnow
from core.principal import Principal
from core.text import NO_NUL_PATTERN
from policies.scopes import ApiScope
from risk import explain, exposure, training
from risk.schemas import ExposedSiteRead, ExposureRead, ExposureTotalRead, RiskExplanation, TrainingPriorityRead

router = APIRouter(prefix="/risk", tags=["risk"], responses=PROBLEM_RESPONSES)

Reader = Annotated[Principal, principal_with(ApiScope.risk_read)]
FacilityId = Annotated[str, Path(max_length=64, pattern=NO_NUL_PATTERN, description="Public id LL-XXXX-XXXX-C")]


@router.get(
    "/facilities/{facility_id}",
    response_model=RiskExplanation,
    summary="A facility's risk score, explained",
    responses=NOT_MODIFIED,
)
@writes_on_read  # a score missing yet is computed and stored
def get_facility_risk(
    session: SessionDep,
    principal: Reader,
    facility_id: FacilityId,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> RiskExplanation | Response:
    """The facility's score (0-100), band and confidence, with its inherent, evidence and
    recruitment components. Each item names its evidence only when you may see it: a finding of
    an assessment shared with you, a recruiter path whose links you can see, reference rows and the
    site's profile. Evidence you cannot see counts all the same, as one `pooled_signal` item per
    component ("pooled signal from N assessments you cannot see"), so the total is the same for
    every member. The ETag changes with the method version, the score's inputs and what you may
    see; send it back in If-None-Match to get a 304. The method: docs/risk-method.md."""
    explained = explain.facility_risk_or_raise(session, principal, public_id=facility_id, now=utcnow())
    if etag_matches(if_none_match, explained.etag):
        return not_modified(explained.etag)
    response.headers["ETag"] = explained.etag
    return explained.explanation


RecruiterId = Annotated[str, Path(max_length=64, pattern=NO_NUL_PATTERN, description="Public id LR-XXXX-XXXX-C")]


@router.get(
    "/recruiters/{recruiter_id}",
    response_model=RiskExplanation,
    summary="A recruiter's risk score, explained",
    responses=NOT_MODIFIED,
)
@writes_on_read  # a score missing yet is computed and stored
def get_recruiter_risk(
    session: SessionDep,
    principal: Reader,
    recruiter_id: RecruiterId,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> RiskExplanation | Response:
    """The recruiter's score from the recruiter paths through it (it places workers at a site, or
    it is an agent above the sub-agent who does: who paid the fees, how much, licences,
    certifications, chain depth) and the findings of its own assessments; no inherent component
    (that is a site's). Evidence you cannot see is one `pooled_signal` item per component, as for
    facilities; the ETag and If-None-Match work the same way."""
    explained = explain.recruiter_risk_or_raise(session, principal, public_id=recruiter_id, now=utcnow())
    if etag_matches(if_none_match, explained.etag):
        return not_modified(explained.etag)
    response.headers["ETag"] = explained.etag
    return explained.explanation


@router.get("/exposure", response_model=ExposureRead, summary="Your exposure across your network")
def get_exposure(session: SessionDep, principal: Reader) -> ExposureRead:
    """Every site your visible links reach (your sourcing links, then the supply links upstream of
    them), riskiest first, with its stored score, tier and the path that reaches it; totals by tier
    and by country. Other members' links are never followed. Unmapped upstream tiers are counted
    apart: unknowns widen the uncertainty, they never raise a score."""
    found = exposure.exposure(session, principal)
    return ExposureRead(
        sites=[
            ExposedSiteRead(
                id=s.public_id, name=s.name, country=s.country, tier=s.tier, score=s.score, band=s.band, path=s.path
            )
            for s in found.sites
        ],
        by_tier=[ExposureTotalRead(**dataclasses.asdict(t)) for t in found.by_tier],
        by_country=[ExposureTotalRead(**dataclasses.asdict(t)) for t in found.by_country],
        unmapped_upstream_tiers=found.unmapped_upstream_tiers,
        recruiters=found.recruiters,
    )


@router.get("/training-priorities", response_model=list[TrainingPriorityRead], summary="Where to co-fund training")
def get_training_priorities(session: SessionDep, principal: Reader) -> list[TrainingPriorityRead]:
    """Factories you source from that other member brands source from too, ranked by
    `score / 100 x log(1 + workers) x sharing brands x (1 + open findings in trainable topics)`,
    with the suggested training topics drawn from those findings. How many brands share each site
    is shown; their names only where they consented (`disclose_sourcing`)."""
    return [
        TrainingPriorityRead(**{("id" if k == "public_id" else k): v for k, v in dataclasses.asdict(p).items()})
        for p in training.training_priorities(session, principal)
    ]
