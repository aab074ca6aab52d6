"""The labour recruiter registry: register, read, update and search recruiters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from api.deps import SessionDep, principal_with
from api.problems import PROBLEM_RESPONSES
from api.routers.facilities import CURSOR_PATTERN
from core.clock import utcnow
from core.principal import Principal
from core.text import NO_NUL_PATTERN
from graph import recruiter_repository
from graph import recruiters as recruiter_service
from graph import service as graph_service
from graph.models import FeePolicy, Recruiter
from graph.recruiter_schemas import (
    CertificationRead,
    PotentialRecruiterMatchRead,
    RecruiterCreate,
    RecruiterCreated,
    RecruiterDetail,
    RecruiterMatchRead,
    RecruiterPage,
    RecruiterRead,
    RecruiterUpdate,
    RecruiterUpdated,
)
from graph.schemas import IdentifierRead
from policies.scopes import ApiScope

router = APIRouter(prefix="/recruiters", tags=["recruiters"], responses=PROBLEM_RESPONSES)

#: A public id as typed by a person (case, spaces and confusable letters are forgiven).
RecruiterId = Annotated[str, Path(max_length=64, pattern=NO_NUL_PATTERN, description="Public id LR-XXXX-XXXX-C")]

Reader = Annotated[Principal, principal_with(ApiScope.graph_read)]
Writer = Annotated[Principal, principal_with(ApiScope.graph_write)]


def _read(recruiter: Recruiter, resolved_from: str | None = None) -> RecruiterRead:
    today = utcnow().date()
    return RecruiterRead(
        id=recruiter.public_id,
        name=recruiter.name,
        country=recruiter.country,
        address=recruiter.address,
        licence_number=recruiter.licence_number,
        licence_country=recruiter.licence_country,
        countries_of_operation=list(recruiter.countries_of_operation),
        fee_policy=recruiter.fee_policy,
        identifiers=[IdentifierRead.model_validate(i) for i in recruiter.identifiers],
        certifications=[
            CertificationRead(
                scheme=c.scheme,
                certificate_id=c.certificate_id,
                valid_from=c.valid_from,
                valid_to=c.valid_to,
                valid=recruiter_service.certification_in_force(c, today),
            )
            for c in recruiter.certifications
        ],
        claimed=recruiter.owner_organization_id is not None,
        created_at=recruiter.created_at,
        updated_at=recruiter.updated_at,
        resolved_from=resolved_from,
    )


def recruiter_detail(principal: Principal, recruiter: Recruiter, resolved_from: str | None = None) -> RecruiterDetail:
    contributions = graph_service.contributions_read(principal, recruiter.contributions)
    return RecruiterDetail(**_read(recruiter, resolved_from).model_dump(), contributions=contributions)


def potential_recruiter(candidate: recruiter_service.Candidate) -> PotentialRecruiterMatchRead:
    r = candidate.recruiter
    return PotentialRecruiterMatchRead(id=r.public_id, name=r.name, country=r.country, score=candidate.score.total)


@router.post(
    "",
    response_model=RecruiterCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Register a recruiter",
    responses={200: {"model": RecruiterCreated, "description": "Matched: the recruiter was already registered"}},
)
def create_recruiter(
    session: SessionDep, principal: Writer, body: RecruiterCreate, response: Response
) -> RecruiterCreated:
    """Register a labour recruiter as your organisation's contribution.

    If a member already registered the same agency (the same licence number and issuing country,
    or a matching name in the same country), your statements attach to it: 200 with
    `match.outcome = matched` and your contributions recorded. Otherwise a new recruiter with a
    stable public id (`LR-XXXX-XXXX-C`) is created (201); `match.potential_matches` lists
    recruiters that may be the same agency. The licence country defaults to `country`."""
    outcome = recruiter_service.create_recruiter(session, principal, body=body)
    if outcome.matched is not None:
        response.status_code = status.HTTP_200_OK
        score = outcome.matched.score
        match = RecruiterMatchRead(outcome="matched", score=score.total, components=score.components)
    else:
        match = RecruiterMatchRead(
            outcome="created", potential_matches=[potential_recruiter(c) for c in outcome.potential]
        )
    return RecruiterCreated(**recruiter_detail(principal, outcome.recruiter).model_dump(), match=match)


@router.get("/{recruiter_id}", response_model=RecruiterDetail, summary="One recruiter")
def get_recruiter(session: SessionDep, principal: Reader, recruiter_id: RecruiterId) -> RecruiterDetail:
    """A recruiter with its canonical values, certifications (`valid` as of today) and the
    contributions behind them. A merged recruiter's id resolves to the surviving one
    (`resolved_from`). Who contributed is shown only for your own organisation's contributions."""
    resolved = recruiter_service.get_recruiter_or_raise(session, principal, public_id=recruiter_id)
    return recruiter_detail(principal, resolved.recruiter, resolved.resolved_from)


@router.patch("/{recruiter_id}", response_model=RecruiterUpdated, summary="State new values for a recruiter")
def update_recruiter(
    session: SessionDep, principal: Writer, recruiter_id: RecruiterId, body: RecruiterUpdate
) -> RecruiterUpdated:
    """Partial update: the fields you send become your contributions; canonical values are derived
    again (the owner's word first, then what most members state). Certifications are added (the
    same scheme and certificate id updates its validity). A licence another recruiter holds is a
    409. `potential_matches` lists recruiters that now look like the same agency."""
    outcome = recruiter_service.update_recruiter(session, principal, public_id=recruiter_id, body=body)
    return RecruiterUpdated(
        **recruiter_detail(principal, outcome.recruiter).model_dump(),
        potential_matches=[potential_recruiter(c) for c in outcome.potential],
    )


@router.get("", response_model=RecruiterPage, summary="Search recruiters")
def list_recruiters(
    session: SessionDep,
    principal: Reader,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="Based in (ISO alpha-2)")] = None,
    operating_country: Annotated[
        str | None, Query(pattern=r"^[A-Za-z]{2}$", description="Recruits in or places workers in (ISO alpha-2)")
    ] = None,
    fee_policy: FeePolicy | None = None,
    certified: Annotated[
        str | None,
        Query(max_length=32, pattern=NO_NUL_PATTERN, description="Holds a certification of this scheme in force"),
    ] = None,
    name: Annotated[
        str | None, Query(min_length=1, max_length=200, pattern=NO_NUL_PATTERN, description="Words of the name")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=64, pattern=CURSOR_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=recruiter_service.MAX_PAGE)] = 50,
) -> RecruiterPage:
    """Recruiters oldest first, `limit` a page; pass `next_cursor` back as `cursor` for the next
    page. Filters combine with AND."""
    filters = recruiter_repository.RecruiterFilters(
        country=country,
        operating_country=operating_country,
        fee_policy=fee_policy.value if fee_policy else None,
        certified=certified,
        name=name,
    )
    items, next_cursor = recruiter_service.list_recruiters(
        session, principal, filters=filters, cursor=cursor, limit=limit
    )
    return RecruiterPage(items=[_read(r) for r in items], next_cursor=next_cursor)
