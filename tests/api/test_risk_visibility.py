"""Visibility proof for risk and maps: random networks (brands, suppliers, auditors, recruiters and
CTIP organisations; sites in a few countries; sourcing, supply, recruitment and sub-agent links
by different members, some ended or expired; site owners; assessments with findings, pooled or
not; grants, revocations, expiries), scored by the real recompute jobs, then every risk and map
endpoint checked through the API against a plain Python oracle of the sharing rules, on both
dialects:

- an explanation names a finding only when its assessment is visible to the caller, and a
  recruiter path only when every link of it is (its contributor, or the owner of the site it
  touches); the rest is one pooled item per component; the total is the same for every member;
- exposure follows only the caller's visible active links, from its own sourcing links upstream;
- training priorities count the other brands of a shared site and name only those that consented;
- map cells aggregate the sites the caller's links reach; a CTIP organisation's cells with fewer
  than k sites are suppressed.
"""

from __future__ import annotations

import csv
import io
import itertools
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import fmean
from typing import Any

import anyio
import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from core import jobs
from core.db import transaction
from core.principal import OrganizationKind
from core.settings import Settings
from graph import public_ids
from graph.models import Corridor, EndpointKind, Facility, FeePayer, Relationship, RelationshipKind
from ingest.assessments.models import Assessment, Finding
from ingest.canonical import AssessmentType, Modality, Scheme, Severity, SubjectKind, Topic
from policies.models import Organization, SharingGrant
from policies.scopes import ALL_SCOPES
from risk import jobs as risk_jobs
from risk.models import RiskScore
from tests.conftest import Credentials, app_client, bearer, fetch_token, make_organization_with_client
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
HIGH = ("high", "severe")
DEEPEST_TIER = 4

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


def _countries(db_url: str) -> list[str]:
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


def _is_active(ended_at: datetime | None, valid_from: date | None, valid_to: date | None, today: date) -> bool:
    return ended_at is None and (valid_from is None or valid_from <= today) and (valid_to is None or valid_to >= today)


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


# --- the oracle: the sharing rules in plain Python -------------------------------------------------


def link_visible(org: uuid.UUID, link: Link, site_owner: dict[uuid.UUID, uuid.UUID]) -> bool:
    """A link is visible to its contributor and to the owner of a site at either end."""
    ends = ((link.from_kind, link.from_id), (link.to_kind, link.to_id))
    return link.by == org or any(k is EndpointKind.facility and site_owner.get(i) == org for k, i in ends)


def assessment_visible(org: uuid.UUID, audit: Audit, grants: list[Grant]) -> bool:
    """Its uploader, its subject's owner, or a grant in force on it or on its whole subject."""
    if org in (audit.uploader, audit.subject_owner):
        return True
    return any(g.grantee == org and g.in_force and g.subject_id in (audit.id, audit.subject_id) for g in grants)


@dataclass
class Shown:
    """What one explanation may show a caller, and the ids it must never show."""

    items: list[tuple[Any, ...]] = field(default_factory=list)
    points: list[float] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)


def _pooled(shown: Shown, sources: set[str], points: float) -> None:
    if sources:
        shown.items.append(("pooled_signal", None, None, None, len(sources)))
        shown.points.append(points)


def _evidence(org: uuid.UUID, component: dict[str, Any], built: Built) -> Shown:
    shown, hidden, points = Shown(), set(), 0.0
    for item in component["items"]:
        kind, ref = item["kind"], item["ref"]
        if kind == "finding":
            audit = built.audit_of(ref)
            if assessment_visible(org, audit, built.grants):
                shown.items.append((kind, ref, audit.public_id, None, None))
                shown.points.append(item["points"])
                continue
            hidden.add(audit.public_id)
            shown.secrets |= {ref, audit.public_id}
            points += item["points"]
        elif kind == "recruiter_path":
            chain = ref.split("+")
            if all(link_visible(org, built.link(p), built.site_owner) for p in chain):
                shown.items.append((kind, ref, None, chain, None))
                shown.points.append(item["points"])
                continue
            hidden.add(ref)
            shown.secrets |= {p for p in chain if not link_visible(org, built.link(p), built.site_owner)}
            points += item["points"]
        elif kind == "supplier":  # "<supplier>|<links stating it>": named when one link is visible
            supplier, links = ref.split("|")
            seen = [p for p in links.split("+") if link_visible(org, built.link(p), built.site_owner)]
            shown.secrets |= set(links.split("+")) - set(seen)
            if seen:
                shown.items.append((kind, supplier, None, seen, None))
                shown.points.append(item["points"])
                continue
            hidden.add(ref)
            points += item["points"]
        else:
            shown.items.append((kind, ref, None, None, None))
            shown.points.append(item["points"])
    _pooled(shown, hidden, points)
    return shown


def _items_of(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (c["name"], i["kind"], i["ref"], i.get("assessment"), i.get("links"), i.get("count"))
        for c in body["components"]
        for i in c["items"]
    ]


def check_explanation(org: uuid.UUID, subject_id: uuid.UUID, body: dict[str, Any], built: Built) -> None:
    stored = built.stored[subject_id]
    assert (body["score"], body["band"], body["confidence"]) == (stored.score, stored.band, stored.confidence)
    expected, points, secrets = [], [], set()
    for component in stored.components:
        shown = _evidence(org, component, built)
        expected += [(component["name"], *item) for item in shown.items]
        points += shown.points
        secrets |= shown.secrets
    assert _items_of(body) == expected
    got = [i["points"] for c in body["components"] for i in c["items"]]
    assert got == pytest.approx(points, abs=1e-3)
    text = str(body)
    assert not {secret for secret in secrets if secret in text}, "names evidence the caller may not see"


def _stored_refs_are_pooled_evidence(built: Built) -> None:
    """The scores rest on pooled, current evidence and active links only (so the names checked
    above are the names of real evidence, not of something else the job made up)."""
    active = {link.public_id for link in built.links if link.active}
    for subject_id, stored in built.stored.items():
        pooled = {f for a in built.audits if a.pooled and a.subject_id == subject_id for f in a.finding_ids}
        for component in stored.components:
            for item in component["items"]:
                if item["kind"] == "finding":
                    assert item["ref"] in pooled
                elif item["kind"] == "recruiter_path":
                    assert set(item["ref"].split("+")) <= active
                elif item["kind"] == "supplier":
                    assert set(item["ref"].split("|")[1].split("+")) <= active


Node = tuple[str, uuid.UUID]


def _upstream(org: uuid.UUID, built: Built) -> dict[Node, list[Node]]:
    """The caller's visible active links as steps upstream (against the flow of goods and workers):
    brand -> site it sources from, site -> its supplier and its recruiter, agent -> sub-agent."""
    steps: dict[Node, list[Node]] = defaultdict(list)
    for link in built.links:
        if not (link.active and link_visible(org, link, built.site_owner)):
            continue
        start, end = (link.from_kind.value, link.from_id), (link.to_kind.value, link.to_id)
        if link.kind in (Kind.sources_from, Kind.subcontracts):
            steps[start].append(end)
        else:
            steps[end].append(start)
    return steps


def _distances(org: uuid.UUID, built: Built) -> dict[Node, int]:
    steps, start = _upstream(org, built), (EndpointKind.organization.value, org)
    distance, queue = {start: 0}, deque([start])
    while queue:
        node = queue.popleft()
        for upstream in steps[node]:
            if upstream not in distance:
                distance[upstream] = distance[node] + 1
                queue.append(upstream)
    return distance


def _links_between(org: uuid.UUID, built: Built, kind: Kind, start: uuid.UUID, end: uuid.UUID) -> list[Link]:
    return [
        link
        for link in built.links
        if (link.kind, link.from_id, link.to_id) == (kind, start, end)
        and link.active
        and link_visible(org, link, built.site_owner)
    ]


def _site_tier(org: uuid.UUID, built: Built, path: list[uuid.UUID], distance: dict[Node, int]) -> int:
    """Check the path is a shortest chain of the caller's visible links; the tier it gives."""
    assert len(path) == distance[(EndpointKind.facility.value, path[-1])]
    sourcing = _links_between(org, built, Kind.sources_from, org, path[0])
    assert sourcing, "a path starts with one of the caller's own sourcing links"
    for downstream, upstream in itertools.pairwise(path):
        assert _links_between(org, built, Kind.supplies, upstream, downstream)
    return min(link.tier or 1 for link in sourcing) + len(path) - 1


def _totals(sites: list[tuple[str, int, float, str]], key: int) -> list[tuple[Any, ...]]:
    groups: dict[str, list[tuple[str, int, float, str]]] = defaultdict(list)
    for site in sites:
        groups[str(site[key])].append(site)
    return [
        (name, len(g), len(g), round(fmean(s[2] for s in g), 2), max(s[2] for s in g), sum(s[3] in HIGH for s in g))
        for name, g in sorted(groups.items())
    ]


def check_exposure(org: uuid.UUID, body: dict[str, Any], built: Built) -> None:
    distance = _distances(org, built)
    by_public = {public: site_id for site_id, public in built.sites}
    reached = {i for kind, i in distance if kind == EndpointKind.facility.value}
    assert {by_public[s["id"]] for s in body["sites"]} == reached
    expected, unmapped = [], 0
    for site in body["sites"]:
        site_id = by_public[site["id"]]
        tier = _site_tier(org, built, [by_public[p] for p in site["path"]], distance)
        stored = built.stored[site_id]
        assert (site["tier"], site["score"], site["band"]) == (tier, stored.score, stored.band)
        supplied = any(
            link.kind is Kind.supplies
            and link.to_id == site_id
            and link.active
            and link_visible(org, link, built.site_owner)
            for link in built.links
        )
        unmapped += 0 if supplied else max(DEEPEST_TIER - tier, 0)
        expected.append((site["country"], tier, stored.score, stored.band))
    order = [(-s["score"], s["tier"], s["id"]) for s in body["sites"]]
    assert order == sorted(order)
    assert body["unmapped_upstream_tiers"] == unmapped
    assert body["recruiters"] == sum(kind == EndpointKind.recruiter.value for kind, _ in distance)
    for key, column in (("by_tier", 1), ("by_country", 0)):
        got = [
            (t["key"], t["sites"], t["scored"], t["mean_score"], t["max_score"], t["high_or_severe"]) for t in body[key]
        ]
        assert got == _totals(expected, column)


def check_training(org: uuid.UUID, body: list[dict[str, Any]], built: Built) -> None:
    """Sites the caller sources from that another brand sources from too: counted, named only
    with consent; nothing else."""
    sourcing = [link for link in built.links if link.kind is Kind.sources_from and link.active]
    names = dict(zip(built.orgs, built.names, strict=True))
    consent = {o for o, disclose in zip(built.orgs, built.disclose, strict=True) if disclose}
    expected = {}
    for site_id, public_id in built.sites:
        brands = {link.from_id for link in sourcing if link.to_id == site_id}
        if org in brands and len(brands) > 1:
            named = sorted(names[b] for b in brands - {org} if b in consent)
            stored = built.stored[site_id]
            expected[public_id] = (len(brands), named, stored.score, stored.band)
    got = {p["id"]: (p["sharing_brands"], p["named_brands"], p["score"], p["band"]) for p in body}
    assert got == expected


# --- maps: the oracle reads every scored site and link (other examples' too), as plain rows --------


@dataclass(frozen=True)
class Network:
    sites: list[tuple[uuid.UUID, str, float, str]]  # every live scored facility: (id, country, score, band)
    site_owner: dict[uuid.UUID, uuid.UUID]
    links: list[Link]


def load_network(factory: sessionmaker[Session]) -> Network:
    today = datetime.now(UTC).date()
    with factory() as s:
        facilities = s.execute(
            sa.select(Facility.id, Facility.country, Facility.owner_organization_id, Facility.merged_into_id)
        ).all()
        scored = sa.select(RiskScore.subject_id, RiskScore.score, RiskScore.band).where(
            RiskScore.subject_kind == "facility"
        )
        scores = {r.subject_id: (r.score, r.band) for r in s.execute(scored)}
        links = [
            Link(
                r.public_id, r.kind, r.from_kind, r.from_id, r.to_kind, r.to_id, r.contributor_organization_id,
                r.tier, r.corridor_id, _is_active(r.ended_at, r.valid_from, r.valid_to, today),
            )
            for r in s.scalars(sa.select(Relationship))
        ]  # fmt: skip
    return Network(
        [(f.id, f.country, *scores[f.id]) for f in facilities if f.merged_into_id is None and f.id in scores],
        {f.id: f.owner_organization_id for f in facilities if f.owner_organization_id is not None},
        links,
    )


Cell = tuple[float | None, float | None, float | None, float | None, bool]


def expected_cells(
    network: Network, org: uuid.UUID, ctip: bool, k: int, *, tier: int | None = None, corridor: uuid.UUID | None = None
) -> dict[str, Cell]:
    """Country cells of the sites the caller's links reach (a CTIP organisation: every member's
    links, but no site seen individually, so a cell of fewer than ``k`` sites is suppressed)."""

    def followed(link: Link) -> bool:
        return link.active and (ctip or link_visible(org, link, network.site_owner))

    wanted = None
    if tier is not None:
        wanted = {x.to_id for x in network.links if x.kind is Kind.sources_from and x.tier == tier and followed(x)}
    if corridor is not None:
        on_corridor = {
            x.to_id for x in network.links if x.kind is Kind.recruits_for and x.corridor_id == corridor and followed(x)
        }
        wanted = on_corridor if wanted is None else wanted & on_corridor
    groups: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for site_id, country, score, band in network.sites:
        if wanted is None or site_id in wanted:
            groups[country].append((score, band))
    cells: dict[str, Cell] = {}
    for country, sites in groups.items():
        if ctip and len(sites) < k:
            cells[country] = (None, None, None, None, True)
            continue
        n = len(sites)
        mean, high = round(sum(s for s, _ in sites) / n, 2), round(sum(b in HIGH for _, b in sites) / n, 4)
        cells[country] = (float(n), mean, max(s for s, _ in sites), high, False)
    return cells


def _number(value: Any) -> float | None:
    return None if value in (None, "") else float(value)


def parse_map(response: httpx.Response, output: str) -> dict[str, Cell]:
    assert response.status_code == 200, response.text
    if output == "geojson":
        rows = [f["properties"] for f in response.json()["features"]]
    else:
        rows = list(csv.DictReader(io.StringIO(response.text)))
    return {
        str(r["cell"]): (
            _number(r["sites"]),
            _number(r["mean_score"]),
            _number(r["max_score"]),
            _number(r["share_high"]),
            r["suppressed"] in (True, "True"),
        )
        for r in rows
    }


def assert_cells(got: dict[str, Cell], expected: dict[str, Cell]) -> None:
    assert got.keys() == expected.keys()
    for cell, figures in expected.items():
        assert got[cell][4] == figures[4], cell
        assert got[cell][:4] == pytest.approx(figures[:4], abs=0.011), cell


# --- the checks, member by member ------------------------------------------------------------------


async def check_risk(client: httpx.AsyncClient, world: World, built: Built, headers: list[dict[str, str]]) -> None:
    for index, org in enumerate(built.orgs):
        ctip = world.kinds[index] is OrganizationKind.ctip
        for site_id, public_id in built.sites:
            response = await client.get(f"/v1/risk/facilities/{public_id}", headers=headers[index])
            if ctip:  # CTIP organisations see no site-level record
                assert response.status_code == 404, response.text
                continue
            assert response.status_code == 200, response.text
            check_explanation(org, site_id, response.json(), built)
        for agent_id, public_id in built.agents:
            response = await client.get(f"/v1/risk/recruiters/{public_id}", headers=headers[index])
            assert response.status_code == 200, response.text
            check_explanation(org, agent_id, response.json(), built)


async def check_networks(client: httpx.AsyncClient, built: Built, headers: list[dict[str, str]]) -> None:
    for index, org in enumerate(built.orgs):
        exposure = await client.get("/v1/risk/exposure", headers=headers[index])
        assert exposure.status_code == 200, exposure.text
        check_exposure(org, exposure.json(), built)
        training = await client.get("/v1/risk/training-priorities", headers=headers[index])
        assert training.status_code == 200, training.text
        check_training(org, training.json(), built)


async def check_maps(
    client: httpx.AsyncClient, world: World, built: Built, headers: list[dict[str, str]], network: Network, k: int
) -> None:
    tier = world.links[0].tier
    for index, org in enumerate(built.orgs):
        ctip = world.kinds[index] is OrganizationKind.ctip
        asks: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
            ("geojson", {"tier": tier}, {"tier": tier}),
            ("csv", {"corridor": str(built.corridors[0])}, {"corridor": built.corridors[0]}),
            ("geojson", {}, {}),
        ]
        # A CTIP organisation's map is the one k-anonymity guards: every ask; a member: one filter.
        asks = asks if ctip else [asks[index % 2]]
        for output, params, filters in asks:
            response = await client.get(
                "/v1/maps/risk", params={"level": "country", "format": output, **params}, headers=headers[index]
            )
            got = parse_map(response, output)
            assert_cells(got, expected_cells(network, org, ctip, k, **filters))
            if ctip:
                assert all(cell[4] or (cell[0] or 0) >= k for cell in got.values())


def revoke_all(factory: sessionmaker[Session], built: Built) -> None:
    with transaction(factory) as s:
        for grant in s.scalars(sa.select(SharingGrant).where(SharingGrant.id.in_(built.grant_ids))):
            grant.revoked_at = grant.revoked_at or datetime.now(UTC)
    built.grants = [Grant(g.subject_id, g.grantee, in_force=False) for g in built.grants]


hypothesis_settings = settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def test_risk_and_maps_show_only_what_the_sharing_rules_allow(
    settings: Settings, committing_sessions: sessionmaker[Session], db_url: str
) -> None:
    app = create_app(settings)

    @hypothesis_settings
    @given(world=worlds())
    def holds(world: World) -> None:
        built = build(committing_sessions, world, _countries(db_url))
        score_everything(committing_sessions, built)
        _stored_refs_are_pooled_evidence(built)
        network = load_network(committing_sessions)

        async def run() -> None:
            async with app_client(settings, app) as client:
                headers = [bearer(await fetch_token(client, creds)) for creds in built.members]
                await check_risk(client, world, built, headers)
                await check_networks(client, built, headers)
                await check_maps(client, world, built, headers, network, settings.map_min_sites)
                revoke_all(committing_sessions, built)  # revocation applies on the next request
                await check_risk(client, world, built, headers)

        anyio.run(run)

    holds()
