"""Resolving the ends a caller names (public ids, organisation ids) to rows it may see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.errors import ErrorItem, InvalidInput, NotFound
from core.principal import OrganizationKind, Principal
from graph import recruiters as recruiter_service
from graph import service as graph_service
from graph.models import EndpointKind
from graph.relationship_schemas import EndpointRef
from policies import service as policies_service


@dataclass(frozen=True, slots=True)
class Endpoint:
    kind: EndpointKind
    id: uuid.UUID
    organization_kind: OrganizationKind | None = None


def _missing(what: str, value: str, location: tuple[str | int, ...]) -> NotFound:
    return NotFound(f"No {what} {value}.", errors=[ErrorItem(location, f"no such {what}")])


def resolve(session: Session, principal: Principal, ref: EndpointRef, location: tuple[str | int, ...]) -> Endpoint:
    """The row an end names, following facility and recruiter merges to the survivor; NotFound
    naming the field when it is unknown or not visible to the caller."""
    if ref.kind is EndpointKind.facility:
        return Endpoint(ref.kind, facility_id(session, principal, ref.id, location))
    if ref.kind is EndpointKind.recruiter:
        return Endpoint(ref.kind, recruiter_id(session, principal, ref.id, location))
    try:
        org_id = uuid.UUID(ref.id)
        org = policies_service.get_organization_or_raise(session, principal, organization_id=org_id)
    except (ValueError, NotFound):
        raise _missing("organisation", ref.id, location) from None
    return Endpoint(ref.kind, org.id, org.kind)


def facility_id(session: Session, principal: Principal, public_id: str, location: tuple[str | int, ...]) -> uuid.UUID:
    try:
        return graph_service.get_facility_or_raise(session, principal, public_id=public_id).facility.id
    except NotFound:
        raise _missing("facility", public_id, location) from None


def recruiter_id(session: Session, principal: Principal, public_id: str, location: tuple[str | int, ...]) -> uuid.UUID:
    try:
        return recruiter_service.get_recruiter_or_raise(session, principal, public_id=public_id).recruiter.id
    except NotFound:
        raise _missing("recruiter", public_id, location) from None


def require_brand(end: Endpoint) -> None:
    """sources_from starts at a brand organisation."""
    if end.kind is EndpointKind.organization and end.organization_kind is not OrganizationKind.brand:
        raise InvalidInput(
            "Only a brand sources from facilities.",
            errors=[ErrorItem(("body", "from", "id"), "not a brand organisation")],
        )
