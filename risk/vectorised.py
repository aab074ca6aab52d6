"""``risk.scoring.score`` for many sites at once, with pandas/numpy: the whole-network recompute.

Each item kind is one frame (goods flags, findings, recruiter paths, assessments), keyed by the
site's position ``site``; raw points are columns computed from the weights in one pass, components
are group sums, and the saturating curve is applied to a column. ``tests/risk/test_vectorised.py``
checks, on random inputs, that every figure equals the per-site ``score``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ingest.canonical import AssessmentType, Modality
from risk.inputs import FeePayer, RiskInputs
from risk.method import Method
from risk.scoring import Band

COMPONENTS = ("inherent", "evidence", "recruitment", "upstream")


@dataclass(frozen=True, slots=True)
class Frames:
    """One row per site (``sites``) and one row per item of each kind, keyed by ``site``."""

    sites: pd.DataFrame
    goods: pd.DataFrame
    findings: pd.DataFrame
    paths: pd.DataFrame
    assessments: pd.DataFrame
    suppliers: pd.DataFrame


@dataclass(frozen=True, slots=True)
class Scores:
    """``totals``: per site total, band, confidence and each component's points and raw; ``items``:
    one row per item with raw > 0 (site, component, kind, ref, raw, points), as ``score`` lists them."""

    totals: pd.DataFrame
    items: pd.DataFrame


def frames_of(inputs: Sequence[RiskInputs]) -> Frames:
    """Lay out a batch of inputs as frames (site = position in ``inputs``)."""
    sites = pd.DataFrame(
        {
            "sector": [i.site.sector for i in inputs],
            "country_index": [i.site.country_index for i in inputs],
            "country_index_ref": [i.site.country_index_ref for i in inputs],
            "migrant_share": [i.site.migrant_share for i in inputs],
            "tier": [i.site.tier for i in inputs],
            "unknown_upstream_tiers": [i.site.unknown_upstream_tiers for i in inputs],
        },
        dtype=object,
    )
    goods = [
        (n, g.ref, g.forced_labour, g.child_labour, g.forced_child_labour)
        for n, i in enumerate(inputs)
        for g in i.site.goods
    ]
    findings = [
        (
            n,
            f.ref,
            f.severity.value,
            sorted(f.indicators),
            f.verified,
            f.legal_non_compliance,
            f.modality.value,
            f.assessment_type.value,
            f.age_days,
            f.open_action,
            f.overdue_action,
        )
        for n, i in enumerate(inputs)
        for f in i.findings
    ]
    paths = [
        (n, p.ref, p.depth, p.fee_payer.value, p.fee_per_worker_usd, p.licensed, p.certified, p.corridor_weight)
        for n, i in enumerate(inputs)
        for p in i.recruitment
    ]
    seen = [
        (n, a.modality.value, a.assessment_type.value, a.age_days) for n, i in enumerate(inputs) for a in i.assessments
    ]
    suppliers = [(n, s.ref, s.carried) for n, i in enumerate(inputs) for s in i.upstream]
    return Frames(
        sites=sites,
        goods=pd.DataFrame(goods, columns=["site", "ref", "forced", "child", "forced_child"]),
        findings=pd.DataFrame(
            findings,
            columns=[
                "site",
                "ref",
                "severity",
                "indicators",
                "verified",
                "lnc",
                "modality",
                "type",
                "age",
                "open",
                "overdue",
            ],
        ),
        paths=pd.DataFrame(
            paths, columns=["site", "ref", "depth", "payer", "fee_usd", "licensed", "certified", "corridor_weight"]
        ),
        assessments=pd.DataFrame(seen, columns=["site", "modality", "type", "age"]),
        suppliers=pd.DataFrame(suppliers, columns=["site", "ref", "carried"]),
    )


def score_frames(frames: Frames, method: Method) -> Scores:
    n = len(frames.sites)
    items = pd.concat(
        [
            _inherent_items(frames, method),
            _finding_items(frames.findings, method),
            _path_items(frames.paths, method),
            _supplier_items(frames.suppliers, method),
        ],
        ignore_index=True,
    )
    totals = pd.DataFrame(index=pd.RangeIndex(n))
    shapes = method.components
    caps = {name: np.full(n, shape.cap) for name, shape in shapes.capped().items()}
    scales = {name: shape.scale for name, shape in shapes.capped().items()} | {"upstream": shapes.upstream.scale}
    item_points = []
    for name in COMPONENTS:
        if name == "upstream":  # the headroom the own components leave (``scoring.headroom``)
            own = _round2(np.sum([totals[f"{c}_points"].to_numpy() for c in COMPONENTS[:-1]], axis=0))
            caps[name] = _round2(shapes.upstream.share * np.maximum(100.0 - own, 0.0))
        mine = items[items["component"] == name]
        raw = mine.groupby("site")["raw"].sum().reindex(totals.index, fill_value=0.0).astype(float)
        points = _round2(caps[name] * (1.0 - np.exp(-raw.to_numpy() / scales[name])))
        totals[f"{name}_raw"] = raw.to_numpy()
        totals[f"{name}_points"] = points
        totals[f"{name}_cap"] = caps[name]
        share = np.where(raw.to_numpy()[mine["site"]] > 0, raw.to_numpy()[mine["site"]], 1.0)
        item_points.append(pd.Series(points[mine["site"]] * mine["raw"].to_numpy() / share, index=mine.index))
    items["points"] = pd.concat(item_points) if item_points else []
    totals["total"] = _round2(np.sum([totals[f"{c}_points"].to_numpy() for c in COMPONENTS], axis=0))
    totals["band"] = _bands(totals["total"].to_numpy(), method)
    totals["confidence"] = _confidence(frames, method)
    return Scores(totals=totals, items=items[items["raw"] > 0].reset_index(drop=True))


def _round2(values: np.ndarray) -> np.ndarray:
    # Python's round (correctly rounded decimal) is what ``score`` uses; np.round can differ on ties.
    return np.array([round(float(v), 2) for v in values], dtype=float)


def _bands(total: np.ndarray, method: Method) -> np.ndarray:
    edges = method.bands
    return np.select(
        [total >= edges.severe, total >= edges.high, total >= edges.medium],
        [Band.severe.value, Band.high.value, Band.medium.value],
        default=Band.low.value,
    )


def _frame(site: pd.Series, component: str, kind: str, ref: pd.Series, raw: pd.Series | np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site": site.to_numpy(dtype=np.int64),
            "component": component,
            "kind": kind,
            "ref": ref.to_numpy(dtype=object),
            "raw": np.asarray(raw, dtype=float),
        }
    )


def _inherent_items(frames: Frames, method: Method) -> pd.DataFrame:
    w = method.inherent
    goods = frames.goods.copy()
    goods["raw"] = (
        w.forced_labour_good * goods["forced"].astype(float)
        + w.forced_child_labour_good * goods["forced_child"].astype(float)
        + w.child_labour_good * goods["child"].astype(float)
    )
    goods = goods.assign(neg=-goods["raw"]).sort_values(["site", "neg", "ref"], kind="stable")
    goods = goods[goods.groupby("site").cumcount() < w.max_goods_counted]
    sites = frames.sites
    site_ids = pd.Series(np.arange(len(sites)), index=sites.index)
    parts = [_frame(goods["site"], "inherent", "goods_flag", goods["ref"], goods["raw"])]
    sector = sites["sector"]
    has = sector.map(bool, na_action="ignore").fillna(False).astype(bool)
    keys = sector[has].astype(str).str.strip().str.casefold()
    parts.append(_frame(site_ids[has], "inherent", "sector", sector[has], keys.map(lambda k: w.sectors.get(k, 0.0))))
    idx = sites["country_index"].notna()
    refs = sites.loc[idx, "country_index_ref"].where(sites.loc[idx, "country_index_ref"].notna(), "country_index")
    clipped = sites.loc[idx, "country_index"].astype(float).clip(0.0, 1.0)
    parts.append(_frame(site_ids[idx], "inherent", "country_index", refs, w.country_index * clipped))
    mig = sites["migrant_share"].notna()
    share = sites.loc[mig, "migrant_share"].astype(float).clip(0.0, 1.0)
    parts.append(
        _frame(
            site_ids[mig],
            "inherent",
            "migrant_share",
            pd.Series("migrant_share", index=share.index),
            w.migrant_share * share,
        )
    )
    tiered = sites["tier"].notna()
    tier = sites.loc[tiered, "tier"].astype(int)
    below = tier.clip(1, w.max_tier_counted) - 1
    parts.append(
        _frame(site_ids[tiered], "inherent", "tier", "tier " + tier.astype(str), w.per_tier_below_first * below)
    )
    return pd.concat(parts, ignore_index=True)


def _finding_items(findings: pd.DataFrame, method: Method) -> pd.DataFrame:
    w = method.evidence
    indicators = findings["indicators"].explode().dropna()
    indicator_points = indicators.map(w.indicator).astype(float).groupby(level=0).sum()
    base = (
        findings["severity"].map({k.value: v for k, v in w.severity.items()}).astype(float)
        + indicator_points.reindex(findings.index, fill_value=0.0)
        + findings["lnc"].astype(float) * w.verification.get("legal_non_compliance", 0.0)
    )
    trust = findings["modality"].map({k.value: v for k, v in w.modality.items()}).astype(float) * findings["type"].map(
        {k.value: v for k, v in w.assessment_type.items()}
    ).astype(float)
    trust = trust.where(findings["verified"].astype(bool), trust * w.verification.get("unverified", 1.0))
    half_life, floor = w.age["half_life_days"], w.age["floor"]
    age = findings["age"].astype(float).clip(lower=0.0)
    decay = np.maximum(floor, 0.5 ** (age / half_life)) if half_life > 0 else pd.Series(1.0, index=findings.index)
    still_open = findings["open"].astype(bool) | findings["overdue"].astype(bool)
    fading = pd.Series(np.where(still_open, 1.0, decay), index=findings.index)
    raw: pd.Series = base * trust * fading
    raw = raw + findings["open"].astype(float) * w.corrective_actions.get("open", 0.0)
    raw = raw + findings["overdue"].astype(float) * w.corrective_actions.get("overdue", 0.0)
    return _frame(findings["site"], "evidence", "finding", findings["ref"], raw)


def _path_items(paths: pd.DataFrame, method: Method) -> pd.DataFrame:
    w = method.recruitment
    payer = (
        paths["payer"]
        .map(
            {
                FeePayer.worker.value: w.worker_paid_fees,
                FeePayer.shared.value: w.mixed_fees,
                FeePayer.unknown.value: w.unknown_fee_payer,
                FeePayer.employer.value: 0.0,
            }
        )
        .astype(float)
    )
    fee_usd = paths["fee_usd"].astype(float)
    fee = (fee_usd.clip(lower=0.0) / 1000.0 * w.per_thousand_usd).clip(upper=w.max_fee_points)
    fee = fee.where(fee_usd.notna() & (paths["payer"] != FeePayer.employer.value), 0.0)
    raw = pd.Series(
        payer
        + fee
        + w.unlicensed * (~paths["licensed"].astype(bool)).astype(float)
        + w.uncertified * (~paths["certified"].astype(bool)).astype(float)
        + w.per_sub_agent_layer * (paths["depth"].astype(float) - 1).clip(lower=0.0)
        + w.corridor * paths["corridor_weight"].astype(float).clip(0.0, 1.0)
    )
    return _frame(paths["site"], "recruitment", "recruiter_path", paths["ref"], raw)


def _supplier_items(suppliers: pd.DataFrame, method: Method) -> pd.DataFrame:
    w = method.upstream
    ranked = suppliers.assign(raw=w.per_supplier * suppliers["carried"].astype(float).clip(0.0, 1.0))
    ranked = ranked.assign(neg=-ranked["raw"]).sort_values(["site", "neg", "ref"], kind="stable")
    ranked = ranked[ranked.groupby("site").cumcount() < w.max_suppliers_counted]
    return _frame(ranked["site"], "upstream", "supplier", ranked["ref"], ranked["raw"])


def _confidence(frames: Frames, method: Method) -> np.ndarray:
    w = method.confidence
    n = len(frames.sites)
    seen = frames.assessments
    recent = seen[(seen["age"] <= method.evidence.age["half_life_days"]) & (seen["type"] != AssessmentType.self.value)]
    onsite = np.zeros(n, dtype=bool)
    onsite[recent.loc[recent["modality"] == Modality.onsite.value, "site"].to_numpy(dtype=np.int64)] = True
    remote = np.zeros(n, dtype=bool)
    remote_modes = [Modality.virtual.value, Modality.hybrid.value]
    remote[recent.loc[recent["modality"].isin(remote_modes), "site"].to_numpy(dtype=np.int64)] = True
    any_seen = np.zeros(n, dtype=bool)
    any_seen[seen["site"].to_numpy(dtype=np.int64)] = True
    recruiters = np.zeros(n, dtype=bool)
    recruiters[frames.paths["site"].to_numpy(dtype=np.int64)] = True
    migrants = frames.sites["migrant_share"].astype(float).fillna(0.0).to_numpy() > 0
    unknown = frames.sites["unknown_upstream_tiers"].astype(int).clip(lower=0).to_numpy()
    value = (
        w.base
        + np.where(onsite, w.recent_onsite, np.where(remote, w.recent_remote, 0.0))
        + np.where(any_seen, w.any_assessment, 0.0)
        + np.where(recruiters, w.known_recruiters, np.where(migrants, -w.unknown_recruitment_with_migrants, 0.0))
        - w.per_unknown_tier * unknown
    )
    return _round2(np.clip(value, 0.0, 1.0))
