"""Organisations: who the caller is."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from api.deps import PrincipalDep, SessionDep
from api.problems import PROBLEM_RESPONSES
from policies import service as policies_service
from policies.schemas import MeRead, OrganizationRead, OrganizationUpdate

router = APIRouter(prefix="/organizations", tags=["organizations"], responses=PROBLEM_RESPONSES)


@router.get("/me", response_model=MeRead, summary="The calling organisation")
def me(session: SessionDep, principal: PrincipalDep) -> MeRead:
    """The organisation and client behind the access token, with the scopes the token grants."""
    org = policies_service.get_organization_or_raise(session, principal, organization_id=principal.organization_id)
    return MeRead(
        organization=OrganizationRead.model_validate(org),
        client_id=principal.client_id,
        scopes=sorted(principal.scopes),
    )


@router.patch("/me", response_model=OrganizationRead, summary="Change the calling organisation")
def update_me(session: SessionDep, principal: PrincipalDep, body: OrganizationUpdate) -> OrganizationRead:
    """Set `disclose_sourcing`: whether other members who source from a site you also source from
    may see your organisation's name (otherwise they see only how many members share it)."""
    org = policies_service.update_own_organization(session, principal, disclose_sourcing=body.disclose_sourcing)
    return OrganizationRead.model_validate(org)


@router.get("/{organization_id}", response_model=OrganizationRead, summary="One organisation")
def get_organization(session: SessionDep, principal: PrincipalDep, organization_id: uuid.UUID) -> OrganizationRead:
    """An organisation you may see: your own, or any for platform operators. Others are 404."""
    org = policies_service.get_organization_or_raise(session, principal, organization_id=organization_id)
    return OrganizationRead.model_validate(org)
