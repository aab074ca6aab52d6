"""Use cases of the policies domain: organisations and their OAuth2 clients."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.errors import ErrorItem, InvalidInput, NotFound
from core.principal import OrganizationKind, Principal
from policies import audit, repository, secrets
from policies.models import AuditEvent, OAuthClient, Organization
from policies.scopes import parse_scopes
from policies.visibility import audit_read_scope, organization_read_scope


def create_organization(
    session: Session, actor: Principal | None, *, kind: OrganizationKind, display_name: str, country: str | None = None
) -> Organization:
    name = display_name.strip()
    if not name:
        raise InvalidInput(
            "An organisation needs a display name.", errors=[ErrorItem(("display_name",), "must not be empty")]
        )
    org = Organization(kind=kind, display_name=name, country=country.upper() if country else None)
    session.add(org)
    session.flush()
    audit.record(
        session,
        actor,
        action="organization.created",
        subject_kind="organization",
        subject_id=org.id,
        details={"kind": kind.value, "display_name": name},
    )
    return org


@dataclass(frozen=True, slots=True)
class IssuedClient:
    """A new client with its secret in clear: the only time the secret exists outside the caller."""

    client: OAuthClient
    client_secret: str


def create_client(
    session: Session, actor: Principal | None, *, organization_id: uuid.UUID, scopes: str, name: str | None = None
) -> IssuedClient:
    org = session.get(Organization, organization_id)
    if org is None:
        raise NotFound(f"No organisation {organization_id}.")
    try:
        allowed = parse_scopes(scopes)
    except ValueError as exc:
        raise InvalidInput(str(exc), errors=[ErrorItem(("scopes",), str(exc))]) from exc
    secret = secrets.generate_client_secret()
    client = OAuthClient(
        client_id=secrets.generate_client_id(),
        organization_id=org.id,
        name=name or f"{org.display_name} client",
        secret_hash=secrets.hash_secret(secret),
        allowed_scopes=" ".join(sorted(allowed)),
    )
    session.add(client)
    session.flush()
    audit.record(
        session,
        actor,
        action="oauth_client.created",
        subject_kind="oauth_client",
        subject_id=client.client_id,
        details={"organization_id": str(org.id), "scopes": client.allowed_scopes},
    )
    return IssuedClient(client=client, client_secret=secret)


def get_organization_or_raise(session: Session, principal: Principal, *, organization_id: uuid.UUID) -> Organization:
    """The organisation if the principal may read it; otherwise NotFound (never a leaking 403)."""
    stmt = repository.readable_organizations(organization_read_scope(principal)).where(
        Organization.id == organization_id
    )
    org = session.scalars(stmt).first()
    if org is None:
        raise NotFound(f"No organisation {organization_id}.")
    return org


def reset_client_secret(session: Session, actor: Principal | None, *, client_id: str) -> IssuedClient:
    """Replace a client's secret; the old one stops working at once, its live tokens do not."""
    client = session.scalars(sa.select(OAuthClient).where(OAuthClient.client_id == client_id)).first()
    if client is None:
        raise NotFound(f"No client {client_id}.")
    secret = secrets.generate_client_secret()
    client.secret_hash = secrets.hash_secret(secret)
    session.flush()
    audit.record(session, actor, action="oauth_client.secret_reset", subject_kind="oauth_client", subject_id=client_id)
    return IssuedClient(client=client, client_secret=secret)


def list_audit_events(
    session: Session, principal: Principal, *, after_seq: int = 0, limit: int = 100, action: str | None = None
) -> list[AuditEvent]:
    """Audit events the principal may read, oldest first, keyset-paginated by sequence number."""
    stmt = repository.readable_audit_events(audit_read_scope(principal)).where(AuditEvent.seq > after_seq)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    return list(session.scalars(stmt.order_by(AuditEvent.seq).limit(limit)))


def update_own_organization(
    session: Session, principal: Principal, *, disclose_sourcing: bool | None = None
) -> Organization:
    """Change the caller's own organisation (for now: its consent to be named as a sharer)."""
    org = get_organization_or_raise(session, principal, organization_id=principal.organization_id)
    if disclose_sourcing is not None and disclose_sourcing != org.disclose_sourcing:
        org.disclose_sourcing = disclose_sourcing
        session.flush()
        audit.record(
            session,
            principal,
            action="organization.updated",
            subject_kind="organization",
            subject_id=org.id,
            details={"disclose_sourcing": disclose_sourcing},
        )
    return org
