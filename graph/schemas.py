"""Pydantic shapes of the supplier graph."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from core.text import NO_NUL_PATTERN, NonBlankText, Text

IDENTIFIER_SCHEMES = ("os_id", "slcp", "sedex", "better_work", "gln", "lei")

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$", to_upper=True)]
Name = Annotated[NonBlankText, Field(max_length=300)]
Share = Annotated[float, Field(ge=0.0, le=1.0)]


_SCHEME_PATTERN = rf"^({'|'.join(IDENTIFIER_SCHEMES)}|x-[a-z0-9_\-]{{1,30}})$"


class IdentifierIn(BaseModel):
    """An external id: a known scheme (os_id, slcp, sedex, better_work, gln, lei) or `x-<name>`."""

    scheme: Annotated[
        str,
        StringConstraints(pattern=_SCHEME_PATTERN),
        Field(description="os_id, slcp, sedex, better_work, gln, lei, or a free scheme x-<name>"),
    ]
    value: Annotated[NonBlankText, Field(max_length=100)]


class FacilityAttributes(BaseModel):
    """The attributes an organisation can state about a facility. `lat` and `lng` go together."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"dependentRequired": {"lat": ["lng"], "lng": ["lat"]}})

    address: Annotated[Text, Field(max_length=500)] | None = None
    admin1: Annotated[Text, Field(max_length=100)] | None = None
    # Optional but not nullable: stating one coordinate as null would be neither a point nor no point.
    lat: Annotated[float, Field(ge=-90, le=90)] = Field(default=None)  # type: ignore[assignment]
    lng: Annotated[float, Field(ge=-180, le=180)] = Field(default=None)  # type: ignore[assignment]
    sector: Annotated[Text, Field(max_length=100)] | None = None
    product_type: Annotated[Text, Field(max_length=200)] | None = None
    number_of_workers: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    migrant_worker_share: Share | None = None
    female_worker_share: Share | None = None


class FacilityCreate(FacilityAttributes):
    name: Name
    country: CountryCode
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)


class FacilityUpdate(FacilityAttributes):
    """Partial update: only the fields sent are stated (as the caller's contribution)."""

    name: Name | None = None
    country: CountryCode | None = None
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)


class IdentifierRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    scheme: str
    value: str


class ContributionRead(BaseModel):
    attribute: str
    value: Any
    source: str
    contributed_at: datetime
    #: Your own organisation's id, or null for another member (who sources where is confidential).
    organization_id: uuid.UUID | None
    by_you: bool


class FacilityRead(BaseModel):
    id: str = Field(description="Stable public id, LL-XXXX-XXXX-C")
    name: str
    address: str | None
    country: str
    admin1: str | None
    lat: float | None
    lng: float | None
    sector: str | None
    product_type: str | None
    number_of_workers: int | None
    migrant_worker_share: float | None
    female_worker_share: float | None
    identifiers: list[IdentifierRead]
    claimed: bool
    created_at: datetime
    updated_at: datetime
    resolved_from: str | None = Field(None, description="The merged id you asked for, when it was an alias")


class FacilityDetail(FacilityRead):
    contributions: list[ContributionRead]


class FacilityPage(BaseModel):
    items: list[FacilityRead]
    next_cursor: str | None


class ClaimCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    evidence: Annotated[Text, Field(max_length=2000)] | None = Field(
        None, description="What shows you operate this site (licence number, address proof...)"
    )


class ClaimDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    note: Annotated[Text, Field(max_length=2000)] | None = None


class ClaimRead(BaseModel):
    id: uuid.UUID
    facility_id: str
    claimant_organization_id: uuid.UUID
    status: str
    evidence: str | None
    created_at: datetime
    decided_at: datetime | None
    decision_note: str | None


class PotentialMatchRead(BaseModel):
    id: str
    name: str
    country: str
    score: float


class MatchRead(BaseModel):
    """How a registration was matched against the facilities already known."""

    outcome: Literal["created", "matched"]
    score: float | None = Field(None, description="Match score (0-1) when attached to an existing facility")
    components: dict[str, float] | None = None
    potential_matches: list[PotentialMatchRead] = Field(
        default_factory=list, description="Facilities that may be the same site: check them"
    )


class FacilityCreated(FacilityDetail):
    match: MatchRead


class FacilityUpdated(FacilityDetail):
    potential_matches: list[PotentialMatchRead] = Field(
        default_factory=list,
        description="Facilities your new values make look like the same site: confirm or reject them "
        "with POST /v1/facilities/{id}/match-decisions",
    )


class PotentialMatchPage(BaseModel):
    items: list[PotentialMatchRead]


class MatchDecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidate_id: Annotated[str, Field(max_length=64, pattern=NO_NUL_PATTERN, description="Public id of the candidate")]
    decision: Literal["confirm", "reject"] = Field(
        description="confirm: the same site (the two are merged); reject: different sites (never proposed again)"
    )
    note: Annotated[Text, Field(max_length=2000)] | None = None


class MatchDecisionRead(BaseModel):
    decision: Literal["confirm", "reject"]
    candidate_id: str
    merged: bool
    facility: FacilityDetail = Field(description="The surviving facility after a merge, else the one decided on")


class SplitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    merged_id: Annotated[str, Field(max_length=64, pattern=NO_NUL_PATTERN, description="Public id that was merged")]


class SplitRead(BaseModel):
    facility: FacilityDetail
    restored: FacilityDetail
