"""What a risk score is computed from: plain values, gathered from the database by the jobs and
handed to ``risk.scoring`` (pure). Each item carries a ``ref`` (a finding id, a reference row, a
recruiter path) so that every point of a score can be traced back to it."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.models import FeePayer
from ingest.canonical import AssessmentType, IloIndicator, Modality, Severity

__all__ = [
    "AssessmentSeen",
    "FeePayer",
    "FindingEvidence",
    "GoodsFlag",
    "RecruiterPath",
    "RiskInputs",
    "SiteProfile",
    "SupplierRisk",
]


@dataclass(frozen=True, slots=True)
class GoodsFlag:
    """An ILAB list of goods pair for the site's country that matches its sector or products."""

    ref: str
    good: str
    forced_labour: bool
    child_labour: bool
    forced_child_labour: bool


@dataclass(frozen=True, slots=True)
class SiteProfile:
    country: str | None = None
    sector: str | None = None
    #: The shallowest tier any member sources it at (1 = finished goods); None when unknown.
    tier: int | None = None
    #: Share (0-1) of the workforce that are migrant workers, where stated.
    migrant_share: float | None = None
    goods: tuple[GoodsFlag, ...] = ()
    #: A country index value scaled to 0-1 (see risk/reference), where one is imported.
    country_index: float | None = None
    country_index_ref: str | None = None
    #: Tiers above this site (towards raw materials) that no member has mapped.
    unknown_upstream_tiers: int = 0


@dataclass(frozen=True, slots=True)
class FindingEvidence:
    ref: str
    severity: Severity
    indicators: frozenset[IloIndicator] = frozenset()
    verified: bool = True
    legal_non_compliance: bool = False
    modality: Modality = Modality.onsite
    assessment_type: AssessmentType = AssessmentType.audit
    age_days: int = 0
    open_action: bool = False
    overdue_action: bool = False


@dataclass(frozen=True, slots=True)
class AssessmentSeen:
    """An assessment of the site (with or without findings): it makes the score more certain."""

    ref: str
    modality: Modality
    assessment_type: AssessmentType
    age_days: int


@dataclass(frozen=True, slots=True)
class RecruiterPath:
    """One chain of recruiters that placed workers at the site (agent -> sub-agent -> ... -> site)."""

    ref: str
    #: 1 = the recruiter placing workers directly; each sub-agent layer adds one.
    depth: int = 1
    fee_payer: FeePayer = FeePayer.unknown
    fee_per_worker_usd: float | None = None
    licensed: bool = True
    certified: bool = False
    #: The weight (0-1) of the link's corridor in the imported corridor weights; 0 when none applies.
    corridor_weight: float = 0.0


@dataclass(frozen=True, slots=True)
class SupplierRisk:
    """A direct supplier of the site (a ``supplies`` link into it) and the risk it carries in."""

    #: ``<supplier public id>|<link public id>[+<link public id>...]``: the supplier and the links
    #: (by any member) that state it supplies the site.
    ref: str
    #: 0-1: the larger of the supplier's own score / 100 and the attenuated risk its own suppliers carry.
    carried: float


@dataclass(frozen=True, slots=True)
class RiskInputs:
    site: SiteProfile = field(default_factory=SiteProfile)
    findings: tuple[FindingEvidence, ...] = ()
    assessments: tuple[AssessmentSeen, ...] = ()
    recruitment: tuple[RecruiterPath, ...] = ()
    upstream: tuple[SupplierRisk, ...] = ()
