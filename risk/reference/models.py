"""Imported reference data: each import is an edition (source, licence, when), its rows keep it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry, WKBElement, WKTElement
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import utcnow
from core.db import Base, UTCDateTime
from core.ids import uuid7


class ReferenceEdition(Base):
    """One imported edition of a reference data set (the ILAB list of goods, a country index)."""

    __tablename__ = "reference_editions"
    __table_args__ = (sa.UniqueConstraint("kind", "name", "edition", name="uq_reference_editions_kind_name_edition"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    #: "goods_list", "country_index", "boundaries" or "corridor_weights".
    kind: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(200))
    edition: Mapped[str] = mapped_column(sa.String(64))
    source: Mapped[str] = mapped_column(sa.String(500))
    licence: Mapped[str] = mapped_column(sa.String(500))
    content_sha256: Mapped[str] = mapped_column(sa.String(64))
    rows: Mapped[int]
    #: Values of the file that could not be mapped (country names without an ISO code).
    unmapped: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GoodsListPair(Base):
    """One good x country pair of a list of goods, with its child- and forced-labour flags."""

    __tablename__ = "reference_goods"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)
    edition_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reference_editions.id", ondelete="CASCADE"), index=True
    )
    good: Mapped[str] = mapped_column(sa.String(200))
    sector: Mapped[str | None] = mapped_column(sa.String(100))
    country: Mapped[str | None] = mapped_column(sa.String(2), index=True)
    country_name: Mapped[str] = mapped_column(sa.String(200))
    region: Mapped[str | None] = mapped_column(sa.String(200))
    child_labor: Mapped[bool]
    forced_labor: Mapped[bool]
    forced_child_labor: Mapped[bool]


class CountryIndexValue(Base):
    """One country's value in a user-supplied country index."""

    __tablename__ = "reference_country_values"

    edition_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reference_editions.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    value: Mapped[float]


class CorridorWeight(Base):
    """A migration corridor's risk weight (0-1) in an imported table; sector '' = any sector."""

    __tablename__ = "reference_corridor_weights"

    edition_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reference_editions.id", ondelete="CASCADE"), primary_key=True
    )
    origin_country: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    destination_country: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    sector: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    weight: Mapped[float]


class CountryBoundary(Base):
    """A country's outline (MULTIPOLYGON, WGS 84) for country maps."""

    __tablename__ = "reference_boundaries"

    edition_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("reference_editions.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    iso_a3: Mapped[str] = mapped_column(sa.String(3))
    name: Mapped[str] = mapped_column(sa.String(200))
    geometry: Mapped[WKBElement | WKTElement] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True))
