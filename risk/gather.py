"""Build ``RiskInputs`` for a batch of facilities from the database, in a few set-based queries.

Stored scores are the pooled signal: they use every active link and every current assessment
whose uploader consented to pooling (``pooled_signal``), whoever may see them. Explanations
(``risk.explain``) hide what the caller may not see. Rules that are choices, not facts:

- **tier**: the shallowest tier of any active ``sources_from`` link into the site (None if none).
- **unknown upstream tiers**: a site of known tier ``t`` with no active ``supplies`` link into it
  has ``max_tier_counted - t`` unmapped tiers above it (towards raw materials); a site with a mapped
  supplier, or of unknown tier, has 0 (we claim no knowledge of what we cannot place).
- **goods flags**: pairs of the latest imported goods-list edition for the site's country whose good
  is one ``method.inherent.goods_for(sector, product_type)`` names (``risk/method.toml``).
- **country index**: the latest imported country index, min-max scaled to 0-1 over its own values.
- **findings**: of current (not superseded) facility assessments with ``pooled_signal``; age from
  the assessed period's end; a finding with an open or in-progress corrective action is open, and
  overdue when that action's due date has passed. ``verified`` unset on a finding counts as
  verified for audits, verifications and VCCs, unverified for self- and joint assessments.
- **recruiter paths**: each active ``recruits_for`` link into the site, followed back through
  active ``subcontracts`` links (agent -> sub-agent) to the top agent; one path per chain (at most
  ``MAX_CHAIN`` recruiters). Fee payer and fee from the ``recruits_for`` link; the fee counts in USD
  only when its currency is USD (other currencies: amount unknown, no conversion table is kept);
  licensed = every recruiter of the chain has a licence number; certified = every recruiter of the
  chain holds a certification in force today. Corridor weight: of the corridor the ``recruits_for``
  link names, from the latest imported corridor-weights edition (``loomline reference import
  corridors``): the row of the corridor's origin, destination and sector (compared without case),
  else the route's any-sector row, else 0 (also 0 for a link with no corridor, or no edition;
  Loomline ships none).
- **merged records**: a merge moves statements, not links or assessments (graph/merge_store.py);
  what was stated about a facility or recruiter before it was merged away counts for the record
  it was merged into (``merge_store.members``), a recruiter of a chain is judged (licence,
  certificates) as the live record it now is, and a merged-away record has no inputs of its own.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from graph import merge_store
from graph.models import EndpointKind, Facility, Recruiter, Relationship
from graph.models import RelationshipKind as Kind
from graph.relationship_repository import active
from ingest.assessments.models import Assessment, CorrectiveAction, Finding
from ingest.canonical import ActionStatus, AssessmentType, IloIndicator
from risk import recruiter_paths
from risk.inputs import AssessmentSeen, FindingEvidence, GoodsFlag, RiskInputs, SiteProfile
from risk.method import Method
from risk.recruiter_paths import Owners
from risk.reference.models import CountryIndexValue, GoodsListPair, ReferenceEdition

_TRUSTED_TYPES = frozenset({AssessmentType.audit, AssessmentType.verified, AssessmentType.vcc})
_OPEN = (ActionStatus.open, ActionStatus.progress)


def gather(
    session: Session, facility_ids: Sequence[uuid.UUID], method: Method, *, today: date
) -> dict[uuid.UUID, RiskInputs]:
    """The inputs of each live facility of ``facility_ids`` (missing and merged-away ids are left
    out); links and assessments stated about a record merged into one of them count for it."""
    ids = list(dict.fromkeys(facility_ids))
    sites = session.execute(
        sa.select(
            Facility.id, Facility.country, Facility.sector, Facility.product_type, Facility.migrant_worker_share
        ).where(Facility.id.in_(ids), Facility.merged_into_id.is_(None))
    ).all()
    if not sites:
        return {}
    owner = merge_store.members(session, Facility, [s.id for s in sites])
    tiers = _tiers(session, owner, today)
    supplied = _supplied(session, owner, today)
    goods = _goods(session, {s.country for s in sites})
    index, index_ref = _country_index(session)
    findings = _findings(session, owner, method, today)
    seen = _assessments(session, owner, today)
    paths = recruiter_paths.paths_into(session, owner, today)
    result: dict[uuid.UUID, RiskInputs] = {}
    for site in sites:
        tier = tiers.get(site.id)
        unknown = 0 if tier is None or site.id in supplied else max(method.inherent.max_tier_counted - tier, 0)
        wanted = method.inherent.goods_for(site.sector, site.product_type)
        profile = SiteProfile(
            country=site.country,
            sector=site.sector,
            tier=tier,
            migrant_share=site.migrant_worker_share,
            goods=tuple(flag for flag in goods.get(site.country, ()) if flag.good.casefold() in wanted),
            country_index=index.get(site.country),
            country_index_ref=index_ref if site.country in index else None,
            unknown_upstream_tiers=unknown,
        )
        result[site.id] = RiskInputs(
            site=profile,
            findings=tuple(findings.get(site.id, ())),
            assessments=tuple(seen.get(site.id, ())),
            recruitment=tuple(paths.get(site.id, ())),
        )
    return result


def _tiers(session: Session, owner: Owners, today: date) -> dict[uuid.UUID, int]:
    rows = session.execute(
        sa.select(Relationship.to_id, sa.func.min(Relationship.tier))
        .where(recruiter_paths.links_into(Kind.sources_from, owner, today), Relationship.tier.is_not(None))
        .group_by(Relationship.to_id)
    ).all()
    tiers: dict[uuid.UUID, int] = {}
    for member, tier in rows:
        if tier is not None:
            site = owner[member]
            tiers[site] = min(int(tier), tiers.get(site, int(tier)))
    return tiers


def _supplied(session: Session, owner: Owners, today: date) -> set[uuid.UUID]:
    stmt = sa.select(Relationship.to_id).where(recruiter_paths.links_into(Kind.supplies, owner, today)).distinct()
    return {owner[member] for member in session.scalars(stmt)}


def _latest_edition(kind: str) -> sa.ScalarSelect[uuid.UUID]:
    return (
        sa.select(ReferenceEdition.id)
        .where(ReferenceEdition.kind == kind)
        .order_by(ReferenceEdition.imported_at.desc(), ReferenceEdition.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _goods(session: Session, countries: set[str]) -> dict[str, list[GoodsFlag]]:
    pairs = session.scalars(
        sa.select(GoodsListPair)
        .where(GoodsListPair.edition_id == _latest_edition("goods_list"), GoodsListPair.country.in_(countries))
        .order_by(GoodsListPair.good)
    ).all()
    by_country: dict[str, list[GoodsFlag]] = defaultdict(list)
    for pair in pairs:
        if pair.country is None:
            continue
        by_country[pair.country].append(
            GoodsFlag(
                ref=f"goods:{pair.id}",
                good=pair.good,
                forced_labour=pair.forced_labor,
                child_labour=pair.child_labor,
                forced_child_labour=pair.forced_child_labor,
            )
        )
    return by_country


def _country_index(session: Session) -> tuple[dict[str, float], str | None]:
    edition = session.scalars(
        sa.select(ReferenceEdition)
        .where(ReferenceEdition.kind == "country_index")
        .order_by(ReferenceEdition.imported_at.desc(), ReferenceEdition.id.desc())
        .limit(1)
    ).first()
    if edition is None:
        return {}, None
    values = dict(
        session.execute(
            sa.select(CountryIndexValue.country, CountryIndexValue.value).where(
                CountryIndexValue.edition_id == edition.id
            )
        ).tuples()
    )
    low, high = min(values.values(), default=0.0), max(values.values(), default=0.0)
    span = high - low
    scaled = {c: (v - low) / span if span > 0 else 0.0 for c, v in values.items()}
    return scaled, f"country_index:{edition.name} {edition.edition}"


def _pooled(owner: Owners) -> sa.ColumnElement[bool]:
    """Current assessments of these subjects (facilities or recruiters, merged-away members
    included) whose uploader consented to pooling."""
    return sa.and_(
        Assessment.subject_id.in_(list(owner)),
        Assessment.superseded_by_id.is_(None),
        Assessment.pooled_signal.is_(True),
    )


def _actions(session: Session, owner: Owners, today: date) -> dict[uuid.UUID, tuple[bool, bool]]:
    rows = session.execute(
        sa.select(CorrectiveAction.finding_id, CorrectiveAction.due_date)
        .join(Assessment, Assessment.id == CorrectiveAction.assessment_id)
        .where(_pooled(owner), CorrectiveAction.status.in_(_OPEN), CorrectiveAction.finding_id.is_not(None))
    ).all()
    state: dict[uuid.UUID, tuple[bool, bool]] = {}
    for finding_id, due in rows:
        if finding_id is None:
            continue
        overdue = state.get(finding_id, (True, False))[1] or (due is not None and due < today)
        state[finding_id] = (True, overdue)
    return state


def _findings(session: Session, owner: Owners, method: Method, today: date) -> dict[uuid.UUID, list[FindingEvidence]]:
    del method  # the weights apply in scoring; gathering only reads facts
    rows = session.execute(
        sa.select(
            Assessment.subject_id,
            Assessment.modality,
            Assessment.type,
            Assessment.period_end_date,
            Finding.id,
            Finding.severity,
            Finding.ilo_indicators,
            Finding.verified,
            Finding.legal_non_compliance,
        )
        .join(Finding, Finding.assessment_id == Assessment.id)
        .where(_pooled(owner))
        .order_by(Finding.id)
    ).all()
    actions = _actions(session, owner, today)
    known = {i.value for i in IloIndicator}
    by_site: dict[uuid.UUID, list[FindingEvidence]] = defaultdict(list)
    for row in rows:
        open_action, overdue = actions.get(row.id, (False, False))
        by_site[owner[row.subject_id]].append(
            FindingEvidence(
                ref=str(row.id),
                severity=row.severity,
                indicators=frozenset(IloIndicator(i) for i in row.ilo_indicators or () if i in known),
                verified=row.verified if row.verified is not None else row.type in _TRUSTED_TYPES,
                legal_non_compliance=row.legal_non_compliance,
                modality=row.modality,
                assessment_type=row.type,
                age_days=max((today - row.period_end_date).days, 0),
                open_action=open_action,
                overdue_action=overdue,
            )
        )
    return by_site


def _assessments(session: Session, owner: Owners, today: date) -> dict[uuid.UUID, list[AssessmentSeen]]:
    rows = session.execute(
        sa.select(
            Assessment.subject_id, Assessment.id, Assessment.modality, Assessment.type, Assessment.period_end_date
        )
        .where(_pooled(owner))
        .order_by(Assessment.id)
    ).all()
    by_site: dict[uuid.UUID, list[AssessmentSeen]] = defaultdict(list)
    for subject_id, assessment_id, modality, kind, end in rows:
        by_site[owner[subject_id]].append(
            AssessmentSeen(str(assessment_id), modality, kind, max((today - end).days, 0))
        )
    return by_site


def gather_recruiters(
    session: Session, recruiter_ids: Sequence[uuid.UUID], method: Method, *, today: date
) -> dict[uuid.UUID, RiskInputs]:
    """A recruiter's inputs: no site profile (inherent risk is a site's); the findings of its own
    current pooled assessments; and every recruiter path through it (it places the workers, or it
    is an agent above the sub-agent who does), as the sites it serves gather them."""
    ids = list(
        session.scalars(
            sa.select(Recruiter.id).where(Recruiter.id.in_(list(recruiter_ids)), Recruiter.merged_into_id.is_(None))
        )
    )
    if not ids:
        return {}
    owner = merge_store.members(session, Recruiter, ids)
    stated = session.execute(
        sa.select(Relationship.from_id, Relationship.public_id).where(
            Relationship.from_kind == EndpointKind.recruiter,
            Relationship.from_id.in_(list(owner)),
            Relationship.kind.in_([Kind.recruits_for, Kind.subcontracts]),
            active(today),
        )
    ).all()
    links_of: dict[uuid.UUID, set[str]] = defaultdict(set)
    for member, public_id in stated:
        links_of[owner[member]].add(public_id)
    sites = recruiter_paths.sites_served(session, owner, today)
    paths = (
        [
            p
            for site_paths in recruiter_paths.paths_into(session, {s: s for s in sites}, today).values()
            for p in site_paths
        ]
        if sites
        else []
    )
    findings = _findings(session, owner, method, today)
    seen = _assessments(session, owner, today)
    return {
        r: RiskInputs(
            findings=tuple(findings.get(r, ())),
            assessments=tuple(seen.get(r, ())),
            recruitment=tuple(sorted((p for p in paths if links_of[r] & set(p.ref.split("+"))), key=lambda p: p.ref)),
        )
        for r in ids
    }
