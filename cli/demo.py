"""The demo data set: a few organisations of every kind, one client each, and the brands' supply
network (cli/demo_sites.py). Loading it twice changes nothing but the demo clients' secrets,
which are re-issued so they can be shown."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from cli.demo_assessments import DemoActors, load_demo_assessments
from cli.demo_network import BRAND_ORDER, load_demo_network
from cli.demo_recruiters import DemoRecruiters, load_demo_corridor_weights, load_demo_recruiters
from cli.demo_sites import load_sites
from core.principal import OrganizationKind, Principal
from graph.models import Facility, Relationship
from ingest.assessments.models import Assessment
from policies import service as policies_service
from policies.models import OAuthClient, Organization
from policies.scopes import ALL_SCOPES, ApiScope
from risk import recompute

DEMO_CLIENT_NAME = "demo"

_READ = {ApiScope.graph_read, ApiScope.assessments_read, ApiScope.risk_read}
SCOPES_BY_KIND: dict[OrganizationKind, set[str]] = {
    OrganizationKind.brand: _READ | {ApiScope.graph_write, ApiScope.maps_read},
    OrganizationKind.supplier: _READ | {ApiScope.graph_write, ApiScope.assessments_write},
    OrganizationKind.recruiter: _READ | {ApiScope.graph_write, ApiScope.assessments_write},
    OrganizationKind.auditor: {ApiScope.graph_read, ApiScope.assessments_read, ApiScope.assessments_write},
    OrganizationKind.ctip: {ApiScope.graph_read, ApiScope.risk_read, ApiScope.maps_read},
    OrganizationKind.platform: set(ALL_SCOPES),
}

#: Fictional organisations (kind, display name, ISO country of the head office).
DEMO_ORGANIZATIONS: tuple[tuple[OrganizationKind, str, str], ...] = (
    (OrganizationKind.brand, "Atlas Apparel (demo)", "DE"),
    (OrganizationKind.brand, "Birchwood Outfitters (demo)", "US"),
    (OrganizationKind.brand, "Cobalt Retail Group (demo)", "GB"),
    (OrganizationKind.supplier, "Riverside Knitting Mills (demo)", "BD"),
    (OrganizationKind.recruiter, "Fairway Recruitment Agency (demo)", "NP"),
    (OrganizationKind.auditor, "Veritas Assessment Services (demo)", "GB"),
    (OrganizationKind.ctip, "Open Corridors Initiative (demo)", "TH"),
    (OrganizationKind.platform, "Loomline Operators (demo)", "NL"),
)


#: The key each demo brand goes by in cli/demo_sites.py.
BRAND_KEYS = {
    "Atlas Apparel (demo)": "atlas",
    "Birchwood Outfitters (demo)": "birchwood",
    "Cobalt Retail Group (demo)": "cobalt",
}


@dataclass(frozen=True, slots=True)
class DemoClient:
    organization: str
    kind: OrganizationKind
    client_id: str
    client_secret: str
    scopes: str


def _organization(session: Session, kind: OrganizationKind, name: str, country: str) -> Organization:
    existing = session.scalars(
        sa.select(Organization).where(Organization.kind == kind, Organization.display_name == name)
    ).first()
    return existing or policies_service.create_organization(
        session, None, kind=kind, display_name=name, country=country
    )


def _client(session: Session, org: Organization) -> DemoClient:
    existing = session.scalars(
        sa.select(OAuthClient).where(
            OAuthClient.organization_id == org.id,
            OAuthClient.name == DEMO_CLIENT_NAME,
            # A revoked demo client stays revoked; a fresh one replaces it.
            OAuthClient.revoked_at.is_(None),
        )
    ).first()
    if existing is None:
        issued = policies_service.create_client(
            session, None, organization_id=org.id, scopes=" ".join(SCOPES_BY_KIND[org.kind]), name=DEMO_CLIENT_NAME
        )
    else:
        issued = policies_service.reset_client_secret(session, None, client_id=existing.client_id)
    return DemoClient(
        organization=org.display_name,
        kind=org.kind,
        client_id=issued.client.client_id,
        client_secret=issued.client_secret,
        scopes=issued.client.allowed_scopes,
    )


@dataclass(frozen=True, slots=True)
class DemoData:
    clients: list[DemoClient]
    #: Demo sites by key (see cli/demo_sites.py).
    sites: dict[str, Facility]
    #: Demo recruiters, their corridors and sub-agent pairs (see cli/demo_recruiters.py).
    recruiters: DemoRecruiters
    #: The brands' links: sourcing down to tier 4, supply chains, recruitment chains.
    links: list[Relationship]
    #: One assessment of every scheme, by key (see cli/demo_assessments.py).
    assessments: dict[str, Assessment]


def _acting_as(org: Organization, client: DemoClient) -> Principal:
    """The demo loader states the brands' data as their demo clients would through the API."""
    return Principal(
        organization_id=org.id,
        organization_kind=org.kind,
        client_id=client.client_id,
        scopes=frozenset(client.scopes.split()),
        token_id="demo-loader",  # noqa: S106 - a label for the audit trail, not a secret
    )


def load_demo(session: Session) -> DemoData:
    clients: list[DemoClient] = []
    brands: dict[str, Principal] = {}
    others: dict[OrganizationKind, Principal] = {}
    for kind, name, country in DEMO_ORGANIZATIONS:
        org = _organization(session, kind, name, country)
        client = _client(session, org)
        clients.append(client)
        if name in BRAND_KEYS:
            brands[BRAND_KEYS[name]] = _acting_as(org, client)
        else:
            others[kind] = _acting_as(org, client)
    sites = load_sites(session, brands=brands)
    # The first brand's compliance team registers the agencies its suppliers hire through.
    recruiters = load_demo_recruiters(session, brands["atlas"])
    load_demo_corridor_weights(session)  # invented, so that the scores show the corridor term
    ordered = [brands[key] for key in BRAND_ORDER]
    links = load_demo_network(session, brands=ordered, sites=sites, recruiters=recruiters)
    actors = DemoActors(
        auditor=others[OrganizationKind.auditor],
        supplier=others[OrganizationKind.supplier],
        operator=others[OrganizationKind.platform],
        brands=brands,
    )
    assessments = load_demo_assessments(session, actors, sites=sites, recruiters=recruiters.recruiters)
    # Scores for the demo's maps and explanations (unchanged inputs write nothing on a second load).
    recompute.recompute_all(session)
    recompute.recompute_all_recruiters(session)
    return DemoData(clients=clients, sites=sites, recruiters=recruiters, links=links, assessments=assessments)
