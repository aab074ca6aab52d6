"""The random worlds of the risk visibility proof: specifications as indices (hypothesis
strategies), written to the database as real rows and scored by the real recompute jobs."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from core import jobs
from core.db import transaction
from core.principal import OrganizationKind
from graph import public_ids
from graph.models import Corridor, EndpointKind, FeePayer, RelationshipKind
from ingest.assessments.models import Assessment, Finding
from ingest.canonical import AssessmentType, Modality, Scheme, Severity, SubjectKind, Topic
from policies.models import Organization, SharingGrant
from policies.scopes import ALL_SCOPES
from risk import jobs as risk_jobs
from risk.models import RiskScore
from tests.conftest import Credentials, make_organization_with_client
from tests.risk.network import make_link, make_recruiter, make_site

Kind = RelationshipKind
EXTRA_KINDS = (OrganizationKind.brand, OrganizationKind.supplier, OrganizationKind.auditor, OrganizationKind.recruiter)
#: Countries no other test uses, a fresh few per example: small cells, so k-anonymity bites.
_POOL = (
    "ALAMAZBABJBOBWBYCMCRCYDZECEEGAGEGHGTGYHNHRISJMJOKEKGKZLALKLSLTLVMAMDMEMGMKMLMNMUMWMZNANENIPAPEPGPYRSRW"
    "SNSVTGTJTNTZUGUYUZZMZWBFBIBTCFCGCICVDJERGMGN"
)
COUNTRY_POOL = tuple(_POOL[n : n + 2] for n in range(0, len(_POOL), 2))
_next_country: dict[str, int] = defaultdict(int)

# --- the world, as indices -------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkSpec:
    kind: Kind
    start: int  # brand org (sources_from), site (supplies), recruiter (recruits_for, subcontracts)
    end: int  # site, or the sub-agent (subcontracts)
    by: int  # contributing organisation
    tier: int
    corridor: int | None
    fee_payer: FeePayer
    state: str  # active | ended | expired


@dataclass(frozen=True)
class AuditSpec:
    on_site: bool  # else on a recruiter
    subject: int
    uploader: int
    pooled: bool
    severities: tuple[Severity, ...]


@dataclass(frozen=True)
class GrantSpec:
    on_assessment: bool  # else on every assessment of the subject
    target: int
    grantee: int
    expiry: str  # none | past | future
    revoked: bool


@dataclass(frozen=True)
class World:
    kinds: list[OrganizationKind]
    disclose: list[bool]
    sites: list[tuple[int, int | None, float | None]]  # (country, owner, migrant share)
    agents: list[tuple[int | None, bool]]  # (owner, licensed)
    links: list[LinkSpec]
    audits: list[AuditSpec]
    grants: list[GrantSpec]


def _of_kind(kinds: list[OrganizationKind], *wanted: OrganizationKind) -> list[int]:
    return [i for i, k in enumerate(kinds) if k in wanted]


@st.composite
def _link(draw: st.DrawFn, kinds: list[OrganizationKind], sites: int, agents: int) -> LinkSpec:
    brands = _of_kind(kinds, OrganizationKind.brand)
    options = [Kind.sources_from, Kind.supplies] + ([Kind.recruits_for] if agents else [])
    options += [Kind.subcontracts] if agents > 1 else []
    kind = draw(st.sampled_from(options))
    site, org = st.integers(0, sites - 1), st.integers(0, len(kinds) - 1)
    if kind is Kind.sources_from:
        start = end_ = by = draw(st.sampled_from(brands))
        end_ = draw(site)
    elif kind is Kind.supplies:
        start, end_, by = draw(site), draw(site), draw(org)
        if start == end_:
            end_ = (start + 1) % sites
    elif kind is Kind.recruits_for:
        start, end_, by = draw(st.integers(0, agents - 1)), draw(site), draw(org)
    else:  # an agent subcontracts a sub-agent of lower index: chains without cycles
        start = draw(st.integers(1, agents - 1))
        end_, by = draw(st.integers(0, start - 1)), draw(org)
    return LinkSpec(
        kind,
        start,
        end_,
        by,
        tier=draw(st.integers(1, 3)),
        corridor=draw(st.none() | st.integers(0, 1)),
        fee_payer=draw(st.sampled_from(list(FeePayer))),
        state=draw(st.sampled_from(["active", "active", "active", "ended", "expired"])),
    )


@st.composite
def worlds(draw: st.DrawFn) -> World:
    extra = draw(st.lists(st.sampled_from(EXTRA_KINDS), max_size=3))
    kinds = [OrganizationKind.brand, OrganizationKind.brand, OrganizationKind.ctip, *extra]
    org = st.integers(0, len(kinds) - 1)
    suppliers = _of_kind(kinds, OrganizationKind.supplier)
    agencies = _of_kind(kinds, OrganizationKind.recruiter)
    sites = draw(
        st.lists(
            st.tuples(
                st.integers(0, 2),
                st.sampled_from(suppliers) | st.none() if suppliers else st.none(),
                st.none() | st.sampled_from([0.0, 0.4]),
            ),
            min_size=2,
            max_size=7,
        )
    )
    agents = draw(
        st.lists(st.tuples(st.sampled_from(agencies) | st.none() if agencies else st.none(), st.booleans()), max_size=3)
    )
    links = draw(st.lists(_link(kinds, len(sites), len(agents)), min_size=1, max_size=12))
    subject = st.integers(0, len(sites) - 1)
    audit = st.builds(
        AuditSpec,
        on_site=st.booleans() if agents else st.just(True),
        subject=subject,
        uploader=org,
        pooled=st.sampled_from([True, True, False]),
        severities=st.lists(
            st.sampled_from([Severity.medium, Severity.high, Severity.critical]), min_size=1, max_size=2
        ).map(tuple),
    )
    audits = [_fit(a, len(agents)) for a in draw(st.lists(audit, max_size=4))]
    grant = st.builds(
        GrantSpec,
        on_assessment=st.booleans(),
        target=st.integers(0, 3),
        grantee=org,
        expiry=st.sampled_from(["none", "past", "future"]),
        revoked=st.booleans(),
    )
    disclose = draw(st.lists(st.booleans(), min_size=len(kinds), max_size=len(kinds)))
    return World(kinds, disclose, sites, agents, links, audits, draw(st.lists(grant, max_size=5)))


def _fit(audit: AuditSpec, agents: int) -> AuditSpec:
    """A recruiter assessment names one of the recruiters there are."""
    if audit.on_site:
        return audit
    return AuditSpec(False, audit.subject % agents, audit.uploader, audit.pooled, audit.severities)


# --- the world, built: ids the oracle reasons about ------------------------------------------------


@dataclass(frozen=True)
class Link:
    public_id: str
    kind: Kind
    from_kind: EndpointKind
    from_id: uuid.UUID
    to_kind: EndpointKind
    to_id: uuid.UUID
    by: uuid.UUID
    tier: int | None
    corridor_id: uuid.UUID | None
    active: bool


@dataclass(frozen=True)
class Audit:
    id: uuid.UUID
    public_id: str
    subject_id: uuid.UUID
    uploader: uuid.UUID
    subject_owner: uuid.UUID | None
    pooled: bool
    finding_ids: tuple[str, ...]


@dataclass(frozen=True)
class Grant:
    subject_id: uuid.UUID  # an assessment, or the facility or recruiter of all its assessments
    grantee: uuid.UUID
    in_force: bool


@dataclass(frozen=True)
class Stored:
    score: float
    band: str
    confidence: float
    components: list[dict[str, Any]]


@dataclass
class Built:
    members: list[Credentials]
    orgs: list[uuid.UUID]
    names: list[str]
    disclose: list[bool]
    sites: list[tuple[uuid.UUID, str]]  # (id, public id)
    agents: list[tuple[uuid.UUID, str]]
    site_owner: dict[uuid.UUID, uuid.UUID]
    links: list[Link]
    audits: list[Audit]
    grants: list[Grant]
    grant_ids: list[uuid.UUID]
    corridors: list[uuid.UUID]
    stored: dict[uuid.UUID, Stored] = field(default_factory=dict)

    def link(self, public_id: str) -> Link:
        (found,) = [link for link in self.links if link.public_id == public_id]
        return found

    def audit_of(self, finding_id: str) -> Audit:
        (found,) = [a for a in self.audits if finding_id in a.finding_ids]
        return found


def countries(db_url: str) -> list[str]:
    start = _next_country[db_url]
    _next_country[db_url] = start + 3
    return [COUNTRY_POOL[(start + n) % len(COUNTRY_POOL)] for n in range(3)]


def _assessment(
    session: Session, spec: AuditSpec, subject: tuple[uuid.UUID, str], uploader: uuid.UUID, auditor: bool
) -> Assessment:
    end = datetime.now(UTC).date() - timedelta(days=30)
    kind = SubjectKind.facility if spec.on_site else SubjectKind.recruiter
    assessment = Assessment(
        public_id=public_ids.new_public_id("LA"),
        scheme=Scheme.smeta if spec.on_site else Scheme.recruiter_ddq,
        scheme_version="1",
        mapping_version="1",
        modality=Modality.onsite,
        type=AssessmentType.audit,
        status="final",
        period_start_date=end - timedelta(days=2),
        period_end_date=end,
        assessor_name="Assessor",
        subject_kind=kind,
        subject_id=subject[0],
        facility_id=subject[0] if spec.on_site else None,
        recruiter_id=None if spec.on_site else subject[0],
        source_sha256=uuid.uuid4().hex * 2,
        source_format="json",
        pooled_signal=spec.pooled,
        uploaded_by_organization_id=uploader,
        assessor_organization_id=uploader if auditor else None,
    )
    session.add(assessment)
    session.flush()
    for position, severity in enumerate(spec.severities, start=1):
        session.add(
            Finding(
                assessment_id=assessment.id,
                position=position,
                ref=f"Q-{position}",
                topic=Topic.recruitment_fees,
                severity=severity,
                ilo_indicators=["debt_bondage"],
            )
        )
    session.flush()
    return assessment


def _make_links(session: Session, world: World, built: Built) -> None:
    now = datetime.now(UTC)
    for spec in world.links:
        by = session.get_one(Organization, built.orgs[spec.by])
        end = (EndpointKind.facility, built.sites[spec.end][0])
        if spec.kind is Kind.sources_from:
            start = (EndpointKind.organization, built.orgs[spec.start])
        elif spec.kind is Kind.supplies:
            start = (EndpointKind.facility, built.sites[spec.start][0])
        else:
            start = (EndpointKind.recruiter, built.agents[spec.start][0])
        if spec.kind is Kind.subcontracts:
            end = (EndpointKind.recruiter, built.agents[spec.end][0])
        fields: dict[str, Any] = {
            "tier": spec.tier if spec.kind is Kind.sources_from else None,
            "ended_at": now - timedelta(days=1) if spec.state == "ended" else None,
            "valid_to": now.date() - timedelta(days=10) if spec.state == "expired" else None,
        }
        if spec.kind is Kind.recruits_for:
            corridor = built.corridors[spec.corridor] if spec.corridor is not None else None
            fields |= {"corridor_id": corridor, "fee_payer": spec.fee_payer, "fee_per_worker": 900.0}
            fields |= {"fee_currency": "USD"}
        row = make_link(session, spec.kind, start, end, by=by, **fields)
        built.links.append(
            Link(
                row.public_id, spec.kind, start[0], start[1], end[0], end[1], by.id,
                fields["tier"], fields.get("corridor_id"), spec.state == "active",
            )
        )  # fmt: skip


def _make_grants(session: Session, world: World, built: Built) -> None:
    now = datetime.now(UTC)
    for spec in world.grants:
        targets = built.audits if spec.on_assessment else [*built.sites, *built.agents]
        if spec.target >= len(targets):
            continue
        target = targets[spec.target]
        subject_id = target.id if isinstance(target, Audit) else target[0]
        kind = "facility" if spec.target < len(built.sites) else "recruiter"
        kind = "assessment" if spec.on_assessment else kind
        grant = SharingGrant(
            grantor_organization_id=built.orgs[0],
            grantee_organization_id=built.orgs[spec.grantee],
            subject_kind=kind,
            subject_id=subject_id,
            expires_at={"none": None, "past": now - timedelta(hours=1), "future": now + timedelta(days=1)}[spec.expiry],
            revoked_at=now - timedelta(minutes=5) if spec.revoked else None,
        )
        session.add(grant)
        session.flush()
        built.grant_ids.append(grant.id)
        in_force = not spec.revoked and spec.expiry != "past"
        built.grants.append(Grant(subject_id, built.orgs[spec.grantee], in_force))


def build(factory: sessionmaker[Session], world: World, countries: list[str]) -> Built:
    scopes = " ".join(sorted(ALL_SCOPES - {"admin"}))
    members = [make_organization_with_client(factory, kind=k, scopes=scopes) for k in world.kinds]
    orgs = [m.organization_id for m in members]
    with transaction(factory) as s:
        names = []
        for org_id, disclose in zip(orgs, world.disclose, strict=True):
            org = s.get_one(Organization, org_id)
            org.disclose_sourcing = disclose
            names.append(org.display_name)
        built = Built(members, orgs, names, world.disclose, [], [], {}, [], [], [], [], [])
        for country, owner, migrant in world.sites:
            owner_id = orgs[owner] if owner is not None else None
            site = make_site(
                s, country=countries[country], owner_organization_id=owner_id, migrant_worker_share=migrant
            )
            built.sites.append((site.id, site.public_id))
            if owner_id is not None:
                built.site_owner[site.id] = owner_id
        agent_owner: dict[uuid.UUID, uuid.UUID] = {}
        for owner, licensed in world.agents:
            agent = make_recruiter(s, licensed=licensed)
            if owner is not None:
                agent.owner_organization_id = agent_owner[agent.id] = orgs[owner]
            built.agents.append((agent.id, agent.public_id))
        for origin in ("NP", "BD"):
            corridor = Corridor(
                origin_country=origin,
                destination_country=countries[0],
                sector=uuid.uuid4().hex[:10],
                created_by_organization_id=orgs[0],
            )
            s.add(corridor)
            s.flush()
            built.corridors.append(corridor.id)
        _make_links(s, world, built)
        owners = built.site_owner | agent_owner
        for spec in world.audits:
            subject = built.sites[spec.subject] if spec.on_site else built.agents[spec.subject]
            auditor = world.kinds[spec.uploader] is OrganizationKind.auditor
            row = _assessment(s, spec, subject, orgs[spec.uploader], auditor)
            findings = tuple(str(f) for f in s.scalars(sa.select(Finding.id).where(Finding.assessment_id == row.id)))
            built.audits.append(
                Audit(
                    row.id,
                    row.public_id,
                    subject[0],
                    orgs[spec.uploader],
                    owners.get(subject[0]),
                    spec.pooled,
                    findings,
                )
            )
        _make_grants(s, world, built)
    return built


def score_everything(factory: sessionmaker[Session], built: Built) -> None:
    """Queue the recompute jobs of every site and recruiter and run them (the real job bodies)."""
    risk_jobs.register_all_jobs()
    with transaction(factory) as s:
        queued = [jobs.submit(s, risk_jobs.RECOMPUTE_FACILITY, facility_id=str(i)).id for i, _ in built.sites]
        queued += [jobs.submit(s, risk_jobs.RECOMPUTE_RECRUITER, recruiter_id=str(i)).id for i, _ in built.agents]
    ran = {job.id: job for job in jobs.run_until_idle(factory)}
    assert all(ran[i].status is jobs.JobStatus.done for i in queued), [ran[i].error for i in queued]
    ids = [i for i, _ in built.sites] + [i for i, _ in built.agents]
    with transaction(factory) as s:
        for row in s.scalars(sa.select(RiskScore).where(RiskScore.subject_id.in_(ids))):
            built.stored[row.subject_id] = Stored(row.score, row.band, row.confidence, row.components)
    assert len(built.stored) == len(ids)
