"""Relationships: the links of the supplier graph (sourcing, supply, recruitment, subcontracting),
each stated by one organisation, with a validity period and a history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from sqlalchemy.orm import Session

from api.deps import SessionDep, principal_with
from api.problems import PROBLEM_RESPONSES
from api.routers.facilities import CURSOR_PATTERN
from core.clock import utcnow
from core.principal import Principal
from core.text import NO_NUL_PATTERN
from graph import relationship_repository
from graph import relationships as relationship_service
from graph.models import EndpointKind, Relationship, RelationshipKind
from graph.relationship_schemas import (
    EndpointRead,
    RelationshipCreate,
    RelationshipEnd,
    RelationshipHistory,
    RelationshipPage,
    RelationshipRead,
    RelationshipUpdate,
    RelationshipVersionRead,
)
from policies.scopes import ApiScope
from policies.visibility import contribution_attribution_visible

router = APIRouter(prefix="/relationships", tags=["relationships"], responses=PROBLEM_RESPONSES)

RelationshipId = Annotated[str, Path(max_length=64, pattern=NO_NUL_PATTERN, description="Public id LK-XXXX-XXXX-C")]
PublicIdQuery = Annotated[str | None, Query(max_length=64, pattern=NO_NUL_PATTERN)]

Reader = Annotated[Principal, principal_with(ApiScope.graph_read)]
Writer = Annotated[Principal, principal_with(ApiScope.graph_write)]


def _reads(session: Session, principal: Principal, rels: Sequence[Relationship]) -> list[RelationshipRead]:
    ends = [(r.from_kind, r.from_id) for r in rels] + [(r.to_kind, r.to_id) for r in rels]
    labels = relationship_repository.endpoint_labels(session, ends)
    today = utcnow().date()

    def end(kind: EndpointKind, node_id: object) -> EndpointRead:
        public_id, name = labels.get((kind, node_id), (str(node_id), None))  # type: ignore[arg-type]
        return EndpointRead(kind=kind, id=public_id, name=name)

    return [
        RelationshipRead(
            id=r.public_id,
            kind=r.kind,
            from_=end(r.from_kind, r.from_id),
            to=end(r.to_kind, r.to_id),
            contributor_organization_id=r.contributor_organization_id
            if contribution_attribution_visible(principal, r.contributor_organization_id)
            else None,
            by_you=r.contributor_organization_id == principal.organization_id,
            **relationship_service.attributes_of(r),
            ended_at=r.ended_at,
            active=relationship_service.is_active(r, today),
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        for r in rels
    ]


def _read(session: Session, principal: Principal, rel: Relationship) -> RelationshipRead:
    return _reads(session, principal, [rel])[0]


@router.post(
    "",
    response_model=RelationshipRead,
    status_code=status.HTTP_201_CREATED,
    summary="State a relationship",
    responses={200: {"model": RelationshipRead, "description": "You already state this link"}},
)
def create_relationship(
    session: SessionDep, principal: Writer, body: RelationshipCreate, response: Response
) -> RelationshipRead:
    """State a link as your organisation's: `sources_from` (your brand -> facility, with `tier`),
    `supplies` (facility -> facility, with `material`), `recruits_for` (recruiter -> facility, with
    `corridor_id`, `workers_placed`, `fee_per_worker` + `fee_currency`, `fee_payer`) or
    `subcontracts` (an agent -> the sub-agent it subcontracts recruitment to).

    Ends are `{"kind": "facility" | "recruiter" | "organization", "id": ...}`; a merged facility's id
    resolves to the survivor. Unknown ends are 404 naming the field; self-links, wrong kinds of
    end, `supplies`/`subcontracts` cycles among your visible links and tier contradictions with
    your own `supplies` links are 422 (a tier-n site, n >= 2, that you state supplies sites you
    source at tiers m1..mk must be tier 1 + min(m)). The same active link stated again is returned
    with 200; with other attributes it is a 409 (PATCH it instead)."""
    outcome = relationship_service.create_relationship(session, principal, body=body)
    if not outcome.created:
        response.status_code = status.HTTP_200_OK
    return _read(session, principal, outcome.relationship)


@router.get("/{relationship_id}", response_model=RelationshipRead, summary="One relationship")
def get_relationship(session: SessionDep, principal: Reader, relationship_id: RelationshipId) -> RelationshipRead:
    """A link you stated, or one touching a facility your organisation owns. Others are 404."""
    rel = relationship_service.get_relationship_or_raise(session, principal, public_id=relationship_id)
    return _read(session, principal, rel)


@router.get("", response_model=RelationshipPage, summary="List relationships")
def list_relationships(
    session: SessionDep,
    principal: Reader,
    kind: RelationshipKind | None = None,
    facility: Annotated[PublicIdQuery, Query(description="Touching this facility (LL-...)")] = None,
    recruiter: Annotated[PublicIdQuery, Query(description="Touching this recruiter (LR-...)")] = None,
    active: Annotated[bool | None, Query(description="true: not ended and valid today; false: the others")] = None,
    as_of: Annotated[date | None, Query(description="Valid on this day (ended or not)")] = None,
    cursor: Annotated[str | None, Query(max_length=64, pattern=CURSOR_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=relationship_service.MAX_PAGE)] = 50,
) -> RelationshipPage:
    """Links you may see, oldest first, `limit` a page; pass `next_cursor` back as `cursor`.
    Filters combine with AND."""
    filters = relationship_repository.RelationshipFilters(kind=kind, active=active, as_of=as_of)
    items, next_cursor = relationship_service.list_relationships(
        session, principal, filters=filters, facility=facility, recruiter=recruiter, cursor=cursor, limit=limit
    )
    return RelationshipPage(items=_reads(session, principal, items), next_cursor=next_cursor)


@router.patch("/{relationship_id}", response_model=RelationshipRead, summary="Change a relationship")
def update_relationship(
    session: SessionDep, principal: Writer, relationship_id: RelationshipId, body: RelationshipUpdate
) -> RelationshipRead:
    """Partial update of a link you stated (the same rules as when stating it); a version is
    appended to its history. Links of other organisations you may see are 403; ended links 409."""
    rel = relationship_service.update_relationship(session, principal, public_id=relationship_id, body=body)
    return _read(session, principal, rel)


@router.post("/{relationship_id}/end", response_model=RelationshipRead, summary="End a relationship")
def end_relationship(
    session: SessionDep, principal: Writer, relationship_id: RelationshipId, body: RelationshipEnd
) -> RelationshipRead:
    """End a link you stated: `valid_to` (default today) and `ended_at` are set, and the link stays
    readable in lists (`active=false`) and in its history."""
    rel = relationship_service.end_relationship(session, principal, public_id=relationship_id, valid_to=body.valid_to)
    return _read(session, principal, rel)


@router.get("/{relationship_id}/history", response_model=RelationshipHistory, summary="A relationship's history")
def relationship_history(
    session: SessionDep, principal: Reader, relationship_id: RelationshipId
) -> RelationshipHistory:
    """Every version of a link, oldest first: created, each change, its end."""
    rel, versions = relationship_service.history(session, principal, public_id=relationship_id)
    return RelationshipHistory(
        id=rel.public_id,
        versions=[
            RelationshipVersionRead(
                version=v.version,
                change=v.change,
                state=v.state,
                changed_at=v.changed_at,
                by_you=v.changed_by_organization_id == principal.organization_id,
            )
            for v in versions
        ],
    )
