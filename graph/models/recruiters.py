"""Labour recruiters (agencies, brokers, sub-agents), their licences, certifications and
provenance, and the migration corridors they recruit on."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.db import Base, UTCDateTime, string_enum
from core.ids import uuid7
from graph.models.facilities import MatchVerdict


class FeePolicy(StrEnum):
    """Who pays recruitment fees and costs (ILO General Principles: workers should pay none)."""

    employer_pays = "employer_pays"
    worker_pays = "worker_pays"
    mixed = "mixed"
    unknown = "unknown"


class Recruiter(Base):
    """A labour recruiter. Attribute columns hold the canonical value, derived from the
    contributions like a facility's (see graph/provenance.py)."""

    __tablename__ = "recruiters"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    public_id: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    normalised_name: Mapped[str] = mapped_column(sa.String(300), index=True)
    #: Where the recruiter is based (ISO 3166-1 alpha-2).
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    address: Mapped[str | None] = mapped_column(sa.String(500))
    licence_number: Mapped[str | None] = mapped_column(sa.String(100))
    licence_country: Mapped[str | None] = mapped_column(sa.String(2))
    #: "<licence country>:<licence number without case, spaces or punctuation>": one licence, one
    #: live recruiter (NULLs do not collide on either dialect; merged-away records drop theirs).
    licence_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    #: ISO alpha-2 codes of the countries it recruits in or places workers in.
    countries_of_operation: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    fee_policy: Mapped[FeePolicy] = mapped_column(string_enum(FeePolicy, "fee_policy"), default=FeePolicy.unknown)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("recruiters.id"), index=True)
    #: The recruiter organisation that speaks for this record (owns its data rights).
    owner_organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("organizations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    identifiers: Mapped[list[RecruiterIdentifier]] = relationship(
        back_populates="recruiter",
        foreign_keys="RecruiterIdentifier.recruiter_id",
        order_by="RecruiterIdentifier.scheme",
    )
    certifications: Mapped[list[RecruiterCertification]] = relationship(
        back_populates="recruiter",
        foreign_keys="RecruiterCertification.recruiter_id",
        order_by="RecruiterCertification.scheme",
    )
    contributions: Mapped[list[RecruiterContribution]] = relationship(
        back_populates="recruiter",
        foreign_keys="RecruiterContribution.recruiter_id",
        order_by="RecruiterContribution.contributed_at",
    )


class RecruiterIdentifier(Base):
    """An external id of a recruiter (a registry number, a scheme id...), unique per scheme."""

    __tablename__ = "recruiter_identifiers"
    __table_args__ = (sa.UniqueConstraint("scheme", "value", name="uq_recruiter_identifiers_scheme_value"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    recruiter_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("recruiters.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(sa.String(32))
    value: Mapped[str] = mapped_column(sa.String(100))
    contributed_by_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    #: The recruiter it was first stated about, when a merge moved it here (a split moves it back).
    origin_recruiter_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("recruiters.id"))

    recruiter: Mapped[Recruiter] = relationship(back_populates="identifiers", foreign_keys=[recruiter_id])


class RecruiterCertification(Base):
    """A certification held by a recruiter (e.g. IOM IRIS), valid over a period."""

    __tablename__ = "recruiter_certifications"
    __table_args__ = (
        sa.UniqueConstraint("recruiter_id", "scheme", "certificate_id", name="uq_recruiter_certifications_certificate"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    recruiter_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("recruiters.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(sa.String(32))
    certificate_id: Mapped[str] = mapped_column(sa.String(100))
    valid_from: Mapped[date | None] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    contributed_by_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    #: The recruiter it was first stated about, when a merge moved it here (a split moves it back).
    origin_recruiter_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("recruiters.id"))

    recruiter: Mapped[Recruiter] = relationship(back_populates="certifications", foreign_keys=[recruiter_id])


class RecruiterContribution(Base):
    """Provenance: one organisation said one attribute of a recruiter had one value, at one time."""

    __tablename__ = "recruiter_contributions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    recruiter_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("recruiters.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    attribute: Mapped[str] = mapped_column(sa.String(32))
    value: Mapped[Any] = mapped_column(sa.JSON)
    source: Mapped[str] = mapped_column(sa.String(64), default="api")
    contributed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    #: The recruiter it was first stated about, when a merge moved it here (a split moves it back).
    origin_recruiter_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("recruiters.id"))

    recruiter: Mapped[Recruiter] = relationship(back_populates="contributions", foreign_keys=[recruiter_id])


class Corridor(Base):
    """A migration corridor: workers recruited in ``origin_country`` for work in
    ``destination_country``, optionally for one sector ('' = any sector)."""

    __tablename__ = "corridors"
    __table_args__ = (
        sa.UniqueConstraint("origin_country", "destination_country", "sector", name="uq_corridors_route"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    origin_country: Mapped[str] = mapped_column(sa.String(2), index=True)
    destination_country: Mapped[str] = mapped_column(sa.String(2), index=True)
    sector: Mapped[str] = mapped_column(sa.String(100), default="")
    created_by_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecruiterMatchKey(Base):
    """A blocking key of a live recruiter (hashed to a fixed width): candidates share one."""

    __tablename__ = "recruiter_match_keys"

    recruiter_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("recruiters.id", ondelete="CASCADE"), primary_key=True
    )
    key_hash: Mapped[str] = mapped_column(sa.String(32), primary_key=True, index=True)


class RecruiterMatchDecision(Base):
    """A person's verdict on a potential match between two recruiters (a pair, either order)."""

    __tablename__ = "recruiter_match_decisions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    recruiter_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("recruiters.id", ondelete="CASCADE"), index=True)
    candidate_recruiter_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("recruiters.id", ondelete="CASCADE"), index=True
    )
    verdict: Mapped[MatchVerdict] = mapped_column(string_enum(MatchVerdict, "match_verdict"))
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecruiterMerge(Base):
    """One recruiter merged into another; ``split_at`` is set when the merge was undone."""

    __tablename__ = "recruiter_merges"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    survivor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("recruiters.id", ondelete="CASCADE"), index=True)
    merged_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("recruiters.id", ondelete="CASCADE"), index=True)
    merged_by_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    split_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    split_by_organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("organizations.id"))
