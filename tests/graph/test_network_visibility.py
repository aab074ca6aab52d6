"""Property: on random organisations, sites, owners and links, the network each member gets is
exactly what the sharing rules allow (a plain Python oracle), and the shared-supplier counts
count every other brand without naming those that did not consent."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from core.principal import OrganizationKind, Principal
from graph import network_service, public_ids
from graph.models import EndpointKind, Facility, Relationship, RelationshipKind
from policies.models import Organization

ORGS = 4  # 0..2 brands, 3 a supplier
SITES = 5


@dataclass(frozen=True)
class Link:
    contributor: int  # a brand
    kind: str  # "sources_from" (brand -> site) or "supplies" (site -> site)
    a: int
    b: int


links = st.lists(
    st.builds(
        Link, st.integers(0, 2), st.sampled_from(["sources_from", "supplies"]), st.integers(0, 4), st.integers(0, 4)
    ).filter(lambda link: link.kind == "sources_from" or link.a != link.b),
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    links=links,
    owners=st.lists(st.none() | st.just(3), min_size=SITES, max_size=SITES),
    consent=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_network_and_shared_suppliers_match_the_oracle(
    session: Session, links: list[Link], owners: list[int | None], consent: list[bool]
) -> None:
    with session.begin_nested() as savepoint:
        kinds = [OrganizationKind.brand] * 3 + [OrganizationKind.supplier]
        orgs = [
            Organization(kind=k, display_name=f"Org {i}", disclose_sourcing=i < 3 and consent[i])
            for i, k in enumerate(kinds)
        ]
        session.add_all(orgs)
        session.flush()
        sites = [
            Facility(
                public_id=public_ids.new_public_id(),
                name=f"Site {i}",
                normalised_name=f"site {i}",
                country="BD",
                owner_organization_id=None if owners[i] is None else orgs[3].id,
            )
            for i in range(SITES)
        ]
        session.add_all(sites)
        session.flush()
        rows = []
        for link in links:
            sourcing = link.kind == "sources_from"
            start = (
                (EndpointKind.organization, orgs[link.contributor].id)
                if sourcing
                else (EndpointKind.facility, sites[link.a].id)
            )
            rows.append(
                Relationship(
                    public_id=public_ids.new_public_id("LK"),
                    kind=RelationshipKind(link.kind),
                    from_kind=start[0],
                    from_id=start[1],
                    to_kind=EndpointKind.facility,
                    to_id=sites[link.b].id,
                    contributor_organization_id=orgs[link.contributor].id,
                    tier=1 if sourcing else None,
                )
            )
        session.add_all(rows)
        session.flush()

        for i, org in enumerate(orgs):
            principal = Principal(org.id, org.kind, "c", frozenset({"graph:read"}), "t")
            got = {e["id"] for e in network_service.network_shape(session, principal)["edges"]}
            owned = {s.id for s in sites if s.owner_organization_id == org.id}
            expected = {
                r.public_id
                for r, link in zip(rows, links, strict=True)
                if link.contributor == i
                or r.to_id in owned
                or (r.from_kind is EndpointKind.facility and r.from_id in owned)
            }
            assert got == expected
            if i < 3:
                shared = {s.facility_id: s for s in network_service.shared_suppliers(session, principal)}
                mine = {link.b for link in links if link.kind == "sources_from" and link.contributor == i}
                for site in range(SITES):
                    others = {
                        link.contributor
                        for link in links
                        if link.kind == "sources_from" and link.b == site and link.contributor != i
                    }
                    if site in mine and others:
                        row = shared[sites[site].id]
                        assert row.sharing_members == len(others)
                        assert sorted(row.named_members) == sorted(f"Org {o}" for o in others if consent[o])
                    else:
                        assert sites[site].id not in shared
        savepoint.rollback()
