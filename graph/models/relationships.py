"""Relationships: the edges of the supplier graph, each stated by one organisation, with a
validity period and an append-only history of versions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base, UTCDateTime, string_enum
from core.ids import uuid7


class RelationshipKind(StrEnum):
    """What an edge says, read as a sentence from -> to: a brand ``sources_from`` a facility; a
    facility ``supplies`` another; a recruiter ``recruits_for`` a facility; an agent
    ``subcontracts`` (recruitment to) a sub-agent. Goods and workers flow along supplies and
    recruits_for, and against sources_from and subcontracts."""

    sources_from = "sources_from"
    supplies = "supplies"
    recruits_for = "recruits_for"
    subcontracts = "subcontracts"


class EndpointKind(StrEnum):
    organization = "organization"
    facility = "facility"
    recruiter = "recruiter"


class FeePayer(StrEnum):
    """Who paid the recruitment fee (ILO General Principles: never the worker)."""

    worker = "worker"
    employer = "employer"
    shared = "shared"
    unknown = "unknown"


class Relationship(Base):
    """One edge as one organisation stated it. Ending it sets ``valid_to`` and ``ended_at``; the row
    stays, and every change appends a ``RelationshipVersion``."""

    __tablename__ = "relationships"
    __table_args__ = (
        sa.Index("ix_relationships_from", "from_id", "kind"),
        sa.Index("ix_relationships_to", "to_id", "kind"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    public_id: Mapped[str] = mapped_column(sa.String(16), unique=True)
    kind: Mapped[RelationshipKind] = mapped_column(string_enum(RelationshipKind, "relationship_kind"))
    from_kind: Mapped[EndpointKind] = mapped_column(string_enum(EndpointKind, "relationship_from_kind"))
    from_id: Mapped[uuid.UUID]
    to_kind: Mapped[EndpointKind] = mapped_column(string_enum(EndpointKind, "relationship_to_kind"))
    to_id: Mapped[uuid.UUID]
    contributor_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    #: sources_from: 1 = finished goods, 2 = materials, 3 = processing, 4 = raw materials.
    tier: Mapped[int | None]
    #: supplies: the good or material that flows.
    material: Mapped[str | None] = mapped_column(sa.String(200))
    #: recruits_for: the corridor, workers placed and the fee each paid (or was charged).
    corridor_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("corridors.id"), index=True)
    workers_placed: Mapped[int | None]
    fee_per_worker: Mapped[float | None]
    fee_currency: Mapped[str | None] = mapped_column(sa.String(3))
    fee_payer: Mapped[FeePayer | None] = mapped_column(string_enum(FeePayer, "fee_payer"))
    valid_from: Mapped[date | None] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class RelationshipVersion(Base):
    """One state of a relationship, appended on creation, on every change and on its end; never
    rewritten."""

    __tablename__ = "relationship_versions"
    __table_args__ = (sa.UniqueConstraint("relationship_id", "version", name="uq_relationship_versions_version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    relationship_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("relationships.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    #: "created", "updated" or "ended".
    change: Mapped[str] = mapped_column(sa.String(16))
    #: The relationship's attributes after the change.
    state: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    changed_by_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
