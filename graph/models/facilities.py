"""Facilities, their identifiers, who said what about them, claims and match keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry, WKBElement, WKTElement
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.clock import utcnow
from core.db import Base, UTCDateTime, string_enum
from core.geo import to_point
from core.ids import uuid7


class Facility(Base):
    """A site that employs workers (factory, mill, farm...). Attribute columns hold the canonical
    value, derived from the contributions (see graph/provenance.py)."""

    __tablename__ = "facilities"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    public_id: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    normalised_name: Mapped[str] = mapped_column(sa.String(300), index=True)
    address: Mapped[str | None] = mapped_column(sa.String(500))
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    admin1: Mapped[str | None] = mapped_column(sa.String(100))
    location: Mapped[WKBElement | WKTElement | None] = mapped_column(
        Geometry("POINT", srid=4326, spatial_index=True), nullable=True
    )
    sector: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    product_type: Mapped[str | None] = mapped_column(sa.String(200))
    number_of_workers: Mapped[int | None]
    migrant_worker_share: Mapped[float | None]
    female_worker_share: Mapped[float | None]
    #: Set when this record was merged into another; its public id then resolves to that one.
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("facilities.id"), index=True)
    #: The supplier organisation whose claim was approved: it owns the site's data rights.
    owner_organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    identifiers: Mapped[list[FacilityIdentifier]] = relationship(
        back_populates="facility", order_by="FacilityIdentifier.scheme", foreign_keys="FacilityIdentifier.facility_id"
    )
    contributions: Mapped[list[FacilityContribution]] = relationship(
        back_populates="facility",
        order_by="FacilityContribution.contributed_at",
        foreign_keys="FacilityContribution.facility_id",
    )

    @property
    def coordinates(self) -> tuple[float | None, float | None]:
        """(lat, lng) of the canonical location, or (None, None)."""
        point = to_point(self.location)
        return (None, None) if point is None else (point.y, point.x)


class FacilityIdentifier(Base):
    """An external id of a facility (OS ID, SLCP, Sedex, Better Work, GLN, LEI or a free scheme)."""

    __tablename__ = "facility_identifiers"
    __table_args__ = (sa.UniqueConstraint("scheme", "value", name="uq_facility_identifiers_scheme_value"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    facility_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("facilities.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(sa.String(32))
    value: Mapped[str] = mapped_column(sa.String(100))
    contributed_by_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The facility it was first stated for, when a merge moved it here (a split moves it back).
    origin_facility_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("facilities.id"))

    facility: Mapped[Facility] = relationship(back_populates="identifiers", foreign_keys=[facility_id])


class FacilityContribution(Base):
    """Provenance: one organisation said one attribute of a facility had one value, at one time."""

    __tablename__ = "facility_contributions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    facility_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("facilities.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    attribute: Mapped[str] = mapped_column(sa.String(32))
    value: Mapped[Any] = mapped_column(sa.JSON)
    #: Where it came from: "api", "upload:<id>", "claim".
    source: Mapped[str] = mapped_column(sa.String(64), default="api")
    contributed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The facility it was first stated about, when a merge moved it here (a split moves it back).
    origin_facility_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("facilities.id"))

    facility: Mapped[Facility] = relationship(back_populates="contributions", foreign_keys=[facility_id])


class ClaimStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class FacilityClaim(Base):
    """A supplier organisation asks to own a facility's data rights; a platform operator decides."""

    __tablename__ = "facility_claims"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    facility_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("facilities.id", ondelete="CASCADE"), index=True)
    claimant_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    status: Mapped[ClaimStatus] = mapped_column(string_enum(ClaimStatus, "claim_status"), default=ClaimStatus.pending)
    evidence: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("organizations.id"))
    decision_note: Mapped[str | None] = mapped_column(sa.Text)

    facility: Mapped[Facility] = relationship(lazy="joined")


class FacilityMatchKey(Base):
    """A blocking key of a live facility (hashed to a fixed width): candidates share one."""

    __tablename__ = "facility_match_keys"

    facility_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("facilities.id", ondelete="CASCADE"), primary_key=True)
    key_hash: Mapped[str] = mapped_column(sa.String(32), primary_key=True, index=True)


class MatchVerdict(StrEnum):
    confirmed = "confirmed"  # the same site: merged
    rejected = "rejected"  # different sites: never offered as a potential match again


class FacilityMatchDecision(Base):
    """A person's verdict on a potential match between two facilities (a pair, either order)."""

    __tablename__ = "facility_match_decisions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    facility_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("facilities.id", ondelete="CASCADE"), index=True)
    candidate_facility_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("facilities.id", ondelete="CASCADE"), index=True
    )
    verdict: Mapped[MatchVerdict] = mapped_column(string_enum(MatchVerdict, "match_verdict"))
    organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    note: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FacilityMerge(Base):
    """One facility merged into another; ``split_at`` is set when the merge was undone."""

    __tablename__ = "facility_merges"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    survivor_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("facilities.id", ondelete="CASCADE"), index=True)
    merged_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("facilities.id", ondelete="CASCADE"), index=True)
    merged_by_organization_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("organizations.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    split_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    split_by_organization_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("organizations.id"))
