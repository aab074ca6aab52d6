"""Tables of the policies domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry, WKBElement, WKTElement
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.db import Base, UTCDateTime, string_enum
from core.ids import uuid7
from core.principal import OrganizationKind


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    kind: Mapped[OrganizationKind] = mapped_column(string_enum(OrganizationKind, "organization_kind"))
    display_name: Mapped[str] = mapped_column(sa.String(200))
    #: ISO 3166-1 alpha-2 of the head office, when known.
    country: Mapped[str | None] = mapped_column(sa.String(2))
    #: Head-office location (WGS 84), when known; shown on member maps.
    location: Mapped[WKBElement | WKTElement | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: May other members learn that this brand sources from a site they share (shared suppliers)?
    disclose_sourcing: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    clients: Mapped[list[OAuthClient]] = relationship(back_populates="organization")


class OAuthClient(Base):
    """A machine client of one organisation (client-credentials grant). Only a hash of its secret."""

    __tablename__ = "oauth_clients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    client_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    secret_hash: Mapped[str] = mapped_column(sa.String(128))
    #: Space-separated scopes this client may be granted (RFC 6749 scope syntax).
    allowed_scopes: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organization: Mapped[Organization] = relationship(back_populates="clients")

    @property
    def allowed_scope_set(self) -> frozenset[str]:
        return frozenset(self.allowed_scopes.split())


class SigningKey(Base):
    """A key that signs access tokens. Retired keys stay published until their tokens expire."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(sa.String(16))
    private_jwk: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SharingGrant(Base):
    """Consent: ``grantor`` lets ``grantee`` read a subject (an assessment, a facility's data...)."""

    __tablename__ = "sharing_grants"
    __table_args__ = (sa.Index("ix_sharing_grants_subject", "subject_kind", "subject_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    grantor_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    grantee_organization_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    subject_kind: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[uuid.UUID]
    #: What the grant allows (e.g. ``read``); coarse on purpose, refined by later resources.
    scope: Mapped[str] = mapped_column(sa.String(32), default="read")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(Base):
    """One entry of the append-only, hash-chained audit trail."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_organization_id: Mapped[uuid.UUID | None]
    actor_client_id: Mapped[str | None] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    subject_kind: Mapped[str | None] = mapped_column(sa.String(32))
    subject_id: Mapped[str | None] = mapped_column(sa.String(64))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AuditChainHead(Base):
    """A single row holding the chain's tip; updating it first serialises appends on both dialects."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"))
    last_hash: Mapped[str] = mapped_column(sa.String(64))
