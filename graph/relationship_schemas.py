"""Pydantic shapes of relationships and their history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from core.text import NO_NUL_PATTERN, Text
from graph.models import EndpointKind, FeePayer, RelationshipKind
from graph.relationship_rules import MAX_TIER


def _iso_currency(code: str) -> str:
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"{code} is not an ISO 4217 currency code")
    return code


#: Three letters naming an ISO 4217 currency (lower case accepted): "USD", "myr".
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$", to_upper=True), AfterValidator(_iso_currency)]
EndpointId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=NO_NUL_PATTERN),
    Field(description="LL-... (facility), LR-... (recruiter) or an organisation's UUID"),
]


class EndpointRef(BaseModel):
    """One end of a relationship: a brand organisation, a facility or a recruiter."""

    model_config = ConfigDict(extra="forbid")

    kind: EndpointKind
    id: EndpointId


class RelationshipAttributes(BaseModel):
    """Attributes of a relationship; each kind carries its own (others are refused):
    `tier` (sources_from), `material` (supplies), `corridor_id`, `workers_placed`,
    `fee_per_worker` + `fee_currency`, `fee_payer` (recruits_for). Dates go with every kind."""

    model_config = ConfigDict(extra="forbid")

    tier: Annotated[int, Field(ge=1, le=MAX_TIER)] | None = None
    material: Annotated[Text, Field(min_length=1, max_length=200)] | None = None
    corridor_id: uuid.UUID | None = None
    workers_placed: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    fee_per_worker: Annotated[float, Field(ge=0, le=1_000_000_000)] | None = None
    fee_currency: Currency | None = None
    fee_payer: FeePayer | None = None
    valid_from: date | None = None
    valid_to: date | None = None


class RelationshipCreate(RelationshipAttributes):
    kind: RelationshipKind
    from_: EndpointRef = Field(alias="from")
    to: EndpointRef


class RelationshipUpdate(RelationshipAttributes):
    """Partial update: only the fields sent change (send null to clear one)."""


class RelationshipEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    valid_to: date | None = Field(default=None, description="The last day of the link (default: today)")


class EndpointRead(BaseModel):
    kind: EndpointKind
    id: str
    name: str | None = None


class RelationshipRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    kind: RelationshipKind
    from_: EndpointRead = Field(alias="from")
    to: EndpointRead
    #: Named only for your own organisation's links (or to platform operators).
    contributor_organization_id: uuid.UUID | None
    by_you: bool
    tier: int | None = None
    material: str | None = None
    corridor_id: uuid.UUID | None = None
    workers_placed: int | None = None
    fee_per_worker: float | None = None
    fee_currency: str | None = None
    fee_payer: FeePayer | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    ended_at: datetime | None = None
    active: bool
    created_at: datetime
    updated_at: datetime


class RelationshipPage(BaseModel):
    items: list[RelationshipRead]
    next_cursor: str | None


class RelationshipVersionRead(BaseModel):
    version: int
    change: str
    state: dict[str, Any]
    changed_at: datetime
    by_you: bool


class RelationshipHistory(BaseModel):
    id: str
    versions: list[RelationshipVersionRead]
