"""The risk method's configuration (``risk/method.toml``), read once and validated.

Every weight is non-negative (the method's monotonicity rests on it) and the component caps sum
to 100 (the total's bound rests on it); a config that breaks either is refused at load time.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, PositiveFloat, model_validator

from ingest.canonical import AssessmentType, IloIndicator, Modality, Severity

METHOD_FILE = Path(__file__).with_name("method.toml")

Weight = NonNegativeFloat


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ComponentShape(_Frozen):
    cap: PositiveFloat
    scale: PositiveFloat


class Headroom(_Frozen):
    """A component that fills at most ``share`` of the points the others leave below 100."""

    share: float = Field(gt=0.0, le=1.0)
    scale: PositiveFloat


class Components(_Frozen):
    inherent: ComponentShape
    evidence: ComponentShape
    recruitment: ComponentShape
    upstream: Headroom

    def capped(self) -> dict[str, ComponentShape]:
        """The site's own components (fixed caps summing to 100) by name, in the order listed."""
        return {"inherent": self.inherent, "evidence": self.evidence, "recruitment": self.recruitment}


class Bands(_Frozen):
    medium: Weight
    high: Weight
    severe: Weight

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if not self.medium < self.high < self.severe <= 100:
            raise ValueError("band edges must rise: medium < high < severe <= 100")
        return self


class Inherent(_Frozen):
    forced_labour_good: Weight
    forced_child_labour_good: Weight
    child_labour_good: Weight
    max_goods_counted: int = Field(ge=1)
    country_index: Weight
    migrant_share: Weight
    per_tier_below_first: Weight
    max_tier_counted: int = Field(ge=1)
    sectors: dict[str, Weight]
    #: Sector or product type (lower case) -> the ILAB goods it stands for (see risk/gather.py).
    goods_by_sector: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    def goods_for(self, *labels: str | None) -> frozenset[str]:
        """ILAB good names (case folded) a site of these sector / product type labels stands for:
        the configured goods of each label, and a good named exactly like the label."""
        names: set[str] = set()
        for label in labels:
            if not label or not label.strip():
                continue
            key = label.strip().casefold()
            names.add(key)
            names.update(good.casefold() for good in self.goods_by_sector.get(key, ()))
        return frozenset(names)


class Evidence(_Frozen):
    severity: dict[Severity, Weight]
    indicators: dict[str, Weight]
    modality: dict[Modality, Weight]
    assessment_type: dict[AssessmentType, Weight]
    verification: dict[str, Weight]
    age: dict[str, Weight]
    corrective_actions: dict[str, Weight]

    @model_validator(mode="after")
    def _complete(self) -> Evidence:
        missing = [
            *(s for s in Severity if s not in self.severity),
            *(m for m in Modality if m not in self.modality),
            *(t for t in AssessmentType if t not in self.assessment_type),
        ]
        if missing:
            raise ValueError(f"weights missing for: {', '.join(missing)}")
        ranks = [self.severity[s] for s in sorted(Severity, key=lambda s: s.rank)]
        if ranks != sorted(ranks):
            raise ValueError("a worse severity must never weigh less")
        unknown = set(self.indicators) - {"default", *IloIndicator}
        if unknown:
            raise ValueError(f"unknown ILO indicators: {', '.join(sorted(unknown))}")
        return self

    def indicator(self, indicator: IloIndicator) -> float:
        return self.indicators.get(indicator, self.indicators.get("default", 0.0))


class Recruitment(_Frozen):
    worker_paid_fees: Weight
    mixed_fees: Weight
    unknown_fee_payer: Weight
    per_thousand_usd: Weight
    max_fee_points: Weight
    unlicensed: Weight
    uncertified: Weight
    per_sub_agent_layer: Weight
    corridor: Weight


class Upstream(_Frozen):
    #: Raw points of one direct supplier per unit of the risk it carries (its own score / 100).
    per_supplier: Weight
    #: What a supplier's own suppliers pass on, per tier (0-1): risk two tiers up counts this much.
    attenuation: float = Field(ge=0.0, le=1.0)
    #: Tiers followed up the ``supplies`` links (1 = direct suppliers only).
    max_depth: int = Field(ge=1, le=6)
    #: Direct suppliers beyond this many (the riskiest first) add nothing more.
    max_suppliers_counted: int = Field(ge=1)


class Confidence(_Frozen):
    base: Weight
    recent_onsite: Weight
    recent_remote: Weight
    any_assessment: Weight
    known_recruiters: Weight
    per_unknown_tier: Weight
    unknown_recruitment_with_migrants: Weight


class Method(_Frozen):
    version: str = Field(min_length=1)
    components: Components
    bands: Bands
    inherent: Inherent
    evidence: Evidence
    recruitment: Recruitment
    upstream: Upstream
    confidence: Confidence

    @model_validator(mode="after")
    def _caps_sum_to_100(self) -> Method:
        caps = sum(shape.cap for shape in self.components.capped().values())
        if abs(caps - 100.0) > 1e-9:
            raise ValueError(f"component caps must sum to 100, not {caps}")
        return self


def parse_method(text: str) -> Method:
    return Method.model_validate(tomllib.loads(text))


@cache
def current_method() -> Method:
    """The method shipped with this version of Loomline."""
    return parse_method(METHOD_FILE.read_text(encoding="utf-8"))
