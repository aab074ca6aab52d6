"""Pydantic shapes of the recruiter registry and the corridors."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from core.text import NonBlankText, Text
from graph.models import FeePolicy
from graph.schemas import ContributionRead, CountryCode, IdentifierIn, IdentifierRead, Name


def _iso_country(code: str) -> str:
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{code} is not an ISO 3166-1 alpha-2 country code")
    return code


#: Two letters that name a country in ISO 3166-1 (lower case accepted): "NP", "my".
IsoCountry = Annotated[CountryCode, AfterValidator(_iso_country)]
Sector = Annotated[Text, Field(max_length=100)]


class CertificationIn(BaseModel):
    """A certification the recruiter holds, e.g. IOM IRIS; `valid_from` <= `valid_to`."""

    model_config = ConfigDict(extra="forbid")

    scheme: Annotated[NonBlankText, Field(max_length=32, description="Certification scheme, e.g. iris")]
    certificate_id: Annotated[NonBlankText, Field(max_length=100)]
    valid_from: date | None = None
    valid_to: date | None = None

    @field_validator("valid_to")
    @classmethod
    def _period(cls, valid_to: date | None, info: ValidationInfo) -> date | None:
        valid_from = info.data.get("valid_from")
        if valid_to is not None and valid_from is not None and valid_to < valid_from:
            raise ValueError("valid_to is before valid_from")
        return valid_to


class RecruiterAttributes(BaseModel):
    """The attributes an organisation can state about a recruiter. A licence is a number and the
    country that issued it (the recruiter's own country when `licence_country` is left out)."""

    model_config = ConfigDict(extra="forbid")

    address: Annotated[Text, Field(max_length=500)] | None = None
    licence_number: Annotated[NonBlankText, Field(max_length=100)] | None = None
    licence_country: IsoCountry | None = None
    countries_of_operation: list[IsoCountry] | None = Field(default=None, max_length=60)
    fee_policy: FeePolicy | None = None
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)
    certifications: list[CertificationIn] = Field(default_factory=list, max_length=20)


class RecruiterCreate(RecruiterAttributes):
    name: Name
    country: IsoCountry = Field(description="Where the recruiter is based (ISO 3166-1 alpha-2)")


class RecruiterUpdate(RecruiterAttributes):
    """Partial update: only the fields sent are stated (as the caller's contribution)."""

    name: Name | None = None
    country: IsoCountry | None = None


class CertificationRead(BaseModel):
    scheme: str
    certificate_id: str
    valid_from: date | None
    valid_to: date | None
    valid: bool = Field(description="In force today (an open end counts as in force)")


class RecruiterRead(BaseModel):
    id: str = Field(description="Stable public id, LR-XXXX-XXXX-C")
    name: str
    country: str
    address: str | None
    licence_number: str | None
    licence_country: str | None
    countries_of_operation: list[str]
    fee_policy: FeePolicy
    identifiers: list[IdentifierRead]
    certifications: list[CertificationRead]
    claimed: bool
    created_at: datetime
    updated_at: datetime
    resolved_from: str | None = Field(None, description="The merged id you asked for, when it was an alias")


class RecruiterDetail(RecruiterRead):
    contributions: list[ContributionRead]


class RecruiterPage(BaseModel):
    items: list[RecruiterRead]
    next_cursor: str | None


class PotentialRecruiterMatchRead(BaseModel):
    id: str
    name: str
    country: str
    score: float


class RecruiterMatchRead(BaseModel):
    """How a registration was matched against the recruiters already known."""

    outcome: Literal["created", "matched"]
    score: float | None = Field(None, description="Match score (0-1) when attached to an existing recruiter")
    components: dict[str, float] | None = None
    potential_matches: list[PotentialRecruiterMatchRead] = Field(
        default_factory=list, description="Recruiters that may be the same agency: check them"
    )


class PotentialRecruiterMatchPage(BaseModel):
    items: list[PotentialRecruiterMatchRead]


class RecruiterMatchDecisionRead(BaseModel):
    decision: Literal["confirm", "reject"]
    candidate_id: str
    merged: bool
    recruiter: RecruiterDetail = Field(description="The surviving recruiter after a merge, else the one decided on")


class RecruiterSplitRead(BaseModel):
    recruiter: RecruiterDetail
    restored: RecruiterDetail


class RecruiterCreated(RecruiterDetail):
    match: RecruiterMatchRead


class RecruiterUpdated(RecruiterDetail):
    potential_matches: list[PotentialRecruiterMatchRead] = Field(
        default_factory=list, description="Recruiters your new values make look like the same agency"
    )


class CorridorCreate(BaseModel):
    """Workers recruited in `origin_country` for work in `destination_country` (optionally one sector)."""

    model_config = ConfigDict(extra="forbid")

    origin_country: IsoCountry
    destination_country: IsoCountry
    sector: Sector | None = Field(None, description="Leave out for a corridor of every sector")

    @field_validator("destination_country")
    @classmethod
    def _two_countries(cls, destination: str, info: ValidationInfo) -> str:
        if destination == info.data.get("origin_country"):
            raise ValueError("same as origin_country: a corridor crosses a border")
        return destination


class CorridorRead(BaseModel):
    id: uuid.UUID
    origin_country: str
    destination_country: str
    sector: str | None = Field(description="null: every sector")
    created_at: datetime


class CorridorPage(BaseModel):
    items: list[CorridorRead]
    next_cursor: str | None
