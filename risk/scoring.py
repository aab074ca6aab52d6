"""The risk score of a site: pure functions of ``RiskInputs`` and the method config.

score = inherent + evidence + recruitment + upstream. Each component adds up raw points from its items (a
goods flag, a finding, a recruiter path...) and saturates towards its cap:
``points = cap * (1 - exp(-raw / scale))``. Every raw term is a non-negative weight times a
non-negative signal, so more or worse evidence never lowers a component; the caps sum to 100, so
the total stays in 0-100. Each component's points are shared among its items in proportion to
their raw points: the explanation names what every point rests on. Unknowns (unmapped tiers, a
migrant workforce with no known recruiter) lower the confidence, never raise the score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from ingest.canonical import AssessmentType, Modality
from risk.inputs import FeePayer, FindingEvidence, RecruiterPath, RiskInputs, SiteProfile, SupplierRisk
from risk.method import ComponentShape, Method


class Band(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    severe = "severe"


@dataclass(frozen=True, slots=True)
class Item:
    """One piece of evidence and the points of its component it accounts for."""

    kind: str  # goods_flag, sector, country_index, migrant_share, tier, finding, recruiter_path, supplier
    ref: str
    raw: float
    points: float


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    points: float
    cap: float
    raw: float
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Score:
    total: float
    band: Band
    confidence: float
    components: tuple[Component, ...]
    method_version: str


def score(inputs: RiskInputs, method: Method) -> Score:
    shapes = method.components
    own = (
        _component("inherent", *_shape(shapes.inherent), _inherent_items(inputs.site, method)),
        _component(
            "evidence", *_shape(shapes.evidence), [(f.ref, "finding", _finding_raw(f, method)) for f in inputs.findings]
        ),
        _component(
            "recruitment",
            *_shape(shapes.recruitment),
            [(p.ref, "recruiter_path", _path_raw(p, method)) for p in inputs.recruitment],
        ),
    )
    room = headroom(sum(c.points for c in own), method)
    upstream = _component("upstream", room, shapes.upstream.scale, upstream_items(inputs.upstream, method))
    components = (*own, upstream)
    total = round(sum(c.points for c in components), 2)
    return Score(total, band_of(total, method), _confidence(inputs, method), components, method.version)


def headroom(own_points: float, method: Method) -> float:
    """The upstream component's cap for a site of these own points: ``share`` of what they leave below 100."""
    return round(method.components.upstream.share * max(100.0 - round(own_points, 2), 0.0), 2)


def band_of(total: float, method: Method) -> Band:
    edges = method.bands
    if total >= edges.severe:
        return Band.severe
    if total >= edges.high:
        return Band.high
    if total >= edges.medium:
        return Band.medium
    return Band.low


def _shape(shape: ComponentShape) -> tuple[float, float]:
    return shape.cap, shape.scale


def _component(name: str, cap: float, scale: float, raws: list[tuple[str, str, float]]) -> Component:
    raw = sum(r for _, _, r in raws)
    points = round(cap * (1.0 - math.exp(-raw / scale)), 2)
    items = tuple(
        Item(kind=kind, ref=ref, raw=r, points=points * r / raw if raw > 0 else 0.0) for ref, kind, r in raws if r > 0
    )
    return Component(name, points, cap, raw, items)


# --- inherent -------------------------------------------------------------------------------------


def _inherent_items(site: SiteProfile, method: Method) -> list[tuple[str, str, float]]:
    weights = method.inherent
    goods = sorted(
        (
            (
                flag.ref,
                "goods_flag",
                weights.forced_labour_good * flag.forced_labour
                + weights.forced_child_labour_good * flag.forced_child_labour
                + weights.child_labour_good * flag.child_labour,
            )
            for flag in site.goods
        ),
        key=lambda item: (-item[2], item[0]),
    )[: weights.max_goods_counted]
    items = list(goods)
    if site.sector:
        items.append((site.sector, "sector", weights.sectors.get(site.sector.strip().casefold(), 0.0)))
    if site.country_index is not None:
        index = min(max(site.country_index, 0.0), 1.0)
        items.append((site.country_index_ref or "country_index", "country_index", weights.country_index * index))
    if site.migrant_share is not None:
        share = min(max(site.migrant_share, 0.0), 1.0)
        items.append(("migrant_share", "migrant_share", weights.migrant_share * share))
    if site.tier is not None:
        below = min(max(site.tier, 1), weights.max_tier_counted) - 1
        items.append((f"tier {site.tier}", "tier", weights.per_tier_below_first * below))
    return items


# --- evidence -------------------------------------------------------------------------------------


def decay(age_days: int, method: Method) -> float:
    """Weight of a finding by age: halves every half-life, never below the floor."""
    half_life, floor = method.evidence.age["half_life_days"], method.evidence.age["floor"]
    return max(floor, 0.5 ** (max(age_days, 0) / half_life)) if half_life > 0 else 1.0


def _finding_raw(finding: FindingEvidence, method: Method) -> float:
    weights = method.evidence
    base = weights.severity[finding.severity] + sum(weights.indicator(i) for i in finding.indicators)
    if finding.legal_non_compliance:
        base += weights.verification.get("legal_non_compliance", 0.0)
    trust = weights.modality[finding.modality] * weights.assessment_type[finding.assessment_type]
    if not finding.verified:
        trust *= weights.verification.get("unverified", 1.0)
    # An open corrective action means the problem is still there: it does not fade with age.
    still_open = finding.open_action or finding.overdue_action
    raw = base * trust * (1.0 if still_open else decay(finding.age_days, method))
    if finding.open_action:
        raw += weights.corrective_actions.get("open", 0.0)
    if finding.overdue_action:
        raw += weights.corrective_actions.get("overdue", 0.0)
    return raw


# --- recruitment ----------------------------------------------------------------------------------


def _path_raw(path: RecruiterPath, method: Method) -> float:
    weights = method.recruitment
    payer = {
        FeePayer.worker: weights.worker_paid_fees,
        FeePayer.shared: weights.mixed_fees,
        FeePayer.unknown: weights.unknown_fee_payer,
        FeePayer.employer: 0.0,
    }[path.fee_payer]
    fee = 0.0
    if path.fee_payer is not FeePayer.employer and path.fee_per_worker_usd is not None:
        fee = min(weights.max_fee_points, max(path.fee_per_worker_usd, 0.0) / 1000.0 * weights.per_thousand_usd)
    return (
        payer
        + fee
        + weights.unlicensed * (not path.licensed)
        + weights.uncertified * (not path.certified)
        + weights.per_sub_agent_layer * max(path.depth - 1, 0)
        + weights.corridor * min(max(path.corridor_weight, 0.0), 1.0)
    )


# --- upstream -------------------------------------------------------------------------------------


def upstream_items(suppliers: tuple[SupplierRisk, ...], method: Method) -> list[tuple[str, str, float]]:
    """The riskiest ``max_suppliers_counted`` direct suppliers, each ``per_supplier x carried``."""
    weights = method.upstream
    raws = ((s.ref, "supplier", weights.per_supplier * min(max(s.carried, 0.0), 1.0)) for s in suppliers)
    return sorted(raws, key=lambda item: (-item[2], item[0]))[: weights.max_suppliers_counted]


def own_points(result: Score) -> float:
    """The site's own score: every component but what its suppliers carry in. It is what the site
    passes on to its customers, so a chain never counts the same risk twice."""
    return round(sum(c.points for c in result.components if c.name != "upstream"), 2)


# --- confidence -----------------------------------------------------------------------------------

_ONSITE = {Modality.onsite}
_REMOTE = {Modality.virtual, Modality.hybrid}


def _confidence(inputs: RiskInputs, method: Method) -> float:
    weights = method.confidence
    half_life = method.evidence.age["half_life_days"]
    recent = [a for a in inputs.assessments if a.age_days <= half_life and a.assessment_type is not AssessmentType.self]
    value = weights.base
    if any(a.modality in _ONSITE for a in recent):
        value += weights.recent_onsite
    elif any(a.modality in _REMOTE for a in recent):
        value += weights.recent_remote
    if inputs.assessments:
        value += weights.any_assessment
    if inputs.recruitment:
        value += weights.known_recruiters
    elif (inputs.site.migrant_share or 0.0) > 0:
        value -= weights.unknown_recruitment_with_migrants
    value -= weights.per_unknown_tier * max(inputs.site.unknown_upstream_tiers, 0)
    return round(min(max(value, 0.0), 1.0), 2)
