"""Pydantic models of risk scores as the API returns them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class RiskItemRead(BaseModel):
    """What some points of a component rest on. ``pooled_signal`` sums the points of evidence the
    caller may not see (``count`` assessments or recruiter paths), without naming it."""

    kind: str = Field(
        description="goods_flag, sector, country_index, migrant_share, tier, finding, recruiter_path, pooled_signal"
    )
    ref: str | None = Field(description="The evidence: a finding id, a reference row, a recruiter path (link ids)")
    points: float
    assessment: str | None = Field(default=None, description="A finding's assessment (public id)")
    links: list[str] | None = Field(default=None, description="A recruiter path's links (public ids), site first")
    count: int | None = Field(default=None, description="pooled_signal: how many assessments or paths it sums")
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
