"""Pydantic models of risk scores as the API returns them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class RiskItemRead(BaseModel):
    """What some points of a component rest on. ``pooled_signal`` sums the points of evidence the
    caller may not see (``count`` assessments or recruiter paths), without naming it."""

    kind: str = Field(
        description="goods_flag, sector, country_index, migrant_share, tier, finding, recruiter_path, supplier, "
        "pooled_signal"
    )
    ref: str | None = Field(
        description="The evidence: a finding id, a reference row, a recruiter path (link ids), a supplier (facility id)"
    )
    points: float
    assessment: str | None = Field(default=None, description="A finding's assessment (public id)")
    links: list[str] | None = Field(
        default=None,
        description="A recruiter path's links (public ids), site first; a supplier's links you may see",
    )
    count: int | None = Field(
        default=None, description="pooled_signal: how many assessments, recruiter paths or suppliers it sums"
    )
    label: str | None = None


class RiskComponentRead(BaseModel):
    name: str = Field(description="inherent, evidence or recruitment")
    points: float
    cap: float
    items: list[RiskItemRead]


class RiskExplanation(BaseModel):
    subject_kind: str
    subject_id: str
    score: float = Field(ge=0, le=100)
    band: str = Field(description="low, medium, high or severe")
    confidence: float = Field(ge=0, le=1)
    method_version: str
    computed_at: datetime
    components: list[RiskComponentRead]


class ExposedSiteRead(BaseModel):
    id: str
    name: str
    country: str
    tier: int
    score: float | None = Field(description="Stored score (null until the site is scored)")
    band: str | None
    path: list[str] = Field(description="Public ids from your first supplier to this site")


class ExposureTotalRead(BaseModel):
    key: str
    sites: int
    scored: int
    mean_score: float | None
    max_score: float | None
    high_or_severe: int


class ExposureRead(BaseModel):
    sites: list[ExposedSiteRead]
    by_tier: list[ExposureTotalRead]
    by_country: list[ExposureTotalRead]
    unmapped_upstream_tiers: int = Field(
        description="Tiers above your mapped sites (down to raw materials, tier 4) that no visible link covers: "
        "they widen the uncertainty, they never raise a score"
    )
    recruiters: int = Field(description="Recruiters your visible links reach")


class TrainingPriorityRead(BaseModel):
    id: str
    name: str
    country: str
    workers: int | None
    score: float | None
    band: str | None
    sharing_brands: int = Field(description="Member brands sourcing here, you included")
    named_brands: list[str] = Field(description="Those of the other brands that consented to be named")
    open_trainable_findings: int
    topics: list[str] = Field(description="Suggested training topics, from the open findings, most frequent first")
    priority: float
