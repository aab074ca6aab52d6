"""The demo network loads on both dialects, keeps the relationship rules, and loading it again
states nothing twice."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import Session

from cli.demo_network import BRAND_ORDER, load_demo_network
from cli.demo_recruiters import load_demo_recruiters
from cli.demo_sites import load_sites
from core.principal import OrganizationKind, Principal
from graph import network_service
from graph.models import Relationship, RelationshipVersion
from policies import service as policies_service


def _principal(session: Session, kind: OrganizationKind, name: str) -> Principal:
    org = policies_service.create_organization(session, None, kind=kind, display_name=name)
    return Principal(org.id, kind, "demo", frozenset({"graph:read", "graph:write"}), "t")


def _count(session: Session, model: type[Relationship | RelationshipVersion]) -> int | None:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


class TestLoadDemoNetwork:
    def test_a_believable_network_loaded_once(self, session: Session) -> None:
        brands = [_principal(session, OrganizationKind.brand, f"{key} (demo network test)") for key in BRAND_ORDER]
        agency = _principal(session, OrganizationKind.recruiter, "Recruiter (demo network test)")
        sites = load_sites(session, brands=dict(zip(BRAND_ORDER, brands, strict=True)))
        recruiters = load_demo_recruiters(session, agency)

        links = load_demo_network(session, brands=brands, sites=sites, recruiters=recruiters)
        kinds = Counter(link.kind.value for link in links)
        assert kinds == {"sources_from": 21, "supplies": 9, "recruits_for": 5, "subcontracts": 4}
        atlas_tiers = {link.to_id: link.tier for link in links if link.from_id == brands[0].organization_id}
        assert atlas_tiers[sites["multan_cotton"].id] == 4
        assert atlas_tiers[sites["gazipur_knit"].id] == 1

        cobalt = brands[2]
        _, _, chains = network_service.recruitment_chains(
            session, cobalt, public_id=sites["penang_electronics"].public_id
        )
        assert [chain.depth for chain in chains] == [2]
        shared = {s.public_id: s.sharing_members for s in network_service.shared_suppliers(session, cobalt)}
        assert shared[sites["binh_duong_sew"].public_id] == 1
        assert shared[sites["klang_gloves"].public_id] == 1

        before = (_count(session, Relationship), _count(session, RelationshipVersion))
        again = load_demo_network(session, brands=brands, sites=sites, recruiters=recruiters)
        assert (_count(session, Relationship), _count(session, RelationshipVersion)) == before
        assert [link.id for link in again] == [link.id for link in links]
