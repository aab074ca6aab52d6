"""Risk carried in from suppliers: the pure propagation, the stored upstream component, the
recompute of a site's customers, and the two recompute paths agreeing."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core import jobs
from core.principal import OrganizationKind, Principal
from graph import events
from graph import relationships as relationship_service
from graph.models import EndpointKind, Facility, RelationshipKind
from graph.relationship_schemas import RelationshipCreate
from ingest.canonical import Severity
from risk import recompute
from risk.method import current_method
from risk.models import RiskScore
from risk.upstream import SupplyLink, Upstream, carried_risk, own_of_components
from tests.risk.network import TODAY, make_assessment, make_link, make_org, make_site

METHOD = current_method()
ATTENUATION = METHOD.upstream.attenuation


def _ids(n: int) -> list[uuid.UUID]:
    return [uuid.UUID(int=i + 1) for i in range(n)]


def _link(supplier: uuid.UUID, site: uuid.UUID, name: str) -> SupplyLink:
    return SupplyLink(supplier, site, f"LK-{name}", f"LL-{supplier.int}")


class TestCarriedRisk:
    def test_a_supplier_carries_its_own_score_or_what_its_suppliers_pass_on_attenuated(self) -> None:
        site, mill, farm, far = _ids(4)
        links = [_link(mill, site, "a"), _link(farm, mill, "b"), _link(far, farm, "c")]
        carried = carried_risk(links, {mill: 10.0, farm: 80.0, far: 100.0}, METHOD)
        # The mill's own 10 is less than half the farm's 80; the far tier is max_depth (3) from the site.
        assert carried[mill] == pytest.approx(max(0.10, ATTENUATION * 0.80, ATTENUATION**2 * 1.0))
        assert carried[farm] == pytest.approx(max(0.80, ATTENUATION * 1.0))

    def test_nothing_beyond_max_depth_reaches_the_site(self) -> None:
        chain = _ids(METHOD.upstream.max_depth + 2)
        links = [_link(chain[i + 1], chain[i], str(i)) for i in range(len(chain) - 1)]
        own = dict.fromkeys(chain, 0.0) | {chain[-1]: 100.0}
        carried = carried_risk(links, own, METHOD)
        assert carried[chain[1]] == 0.0  # the risky tier is max_depth + 1 above chain[0]
        assert carried[chain[2]] > 0.0

    def test_a_cycle_ends_and_a_supplier_without_a_score_carries_what_reaches_it(self) -> None:
        a, b, c = _ids(3)
        carried = carried_risk([_link(a, b, "1"), _link(b, a, "2"), _link(c, b, "3")], {a: 40.0, c: 60.0}, METHOD)
        assert carried[a] == pytest.approx(0.40)
        assert carried[b] == pytest.approx(max(ATTENUATION * 0.40, ATTENUATION * 0.60))
        assert carried[c] == pytest.approx(0.60)

    def test_one_item_per_supplier_names_every_link_stating_it(self) -> None:
        site, mill = _ids(2)
        links = [_link(mill, site, "b"), _link(mill, site, "a"), _link(site, site, "self")]
        (item,) = Upstream(links, {mill: 50.0}, METHOD).for_sites([site])[site]
        assert (item.ref, item.carried) == (f"LL-{mill.int}|LK-a+LK-b", 0.5)


def _stored(session: Session, facility: Facility) -> RiskScore:
    return session.scalars(sa.select(RiskScore).where(RiskScore.subject_id == facility.id)).one()


def _upstream_of(stored: RiskScore) -> dict[str, object]:
    return next(c for c in stored.components if c["name"] == "upstream")


class TestStoredUpstream:
    def test_a_risky_supplier_raises_its_customer_and_a_new_finding_there_reaches_the_customer(
        self, session: Session
    ) -> None:
        brand, auditor = make_org(session), make_org(session, OrganizationKind.auditor)
        garment, mill = make_site(session), make_site(session, country="IN", sector="Textiles")
        link = make_link(
            session, RelationshipKind.supplies, (EndpointKind.facility, mill.id), (EndpointKind.facility, garment.id),
            by=brand,
        )  # fmt: skip
        recompute.recompute_facilities(session, [garment.id], today=TODAY)
        before = _stored(session, garment)
        assert _upstream_of(before)["items"] == []  # the mill has no score yet: it carries nothing
        before_score, before_own = before.score, own_of_components(before.components)
        recompute.recompute_facilities(session, [mill.id], today=TODAY)  # scores the mill, then its customer
        make_assessment(session, mill, by=auditor, severity=Severity.critical)
        outcome = recompute.recompute_facilities(session, [mill.id], today=TODAY)
        assert outcome.scored == 2  # the mill and the garment factory it supplies
        after, mill_score = _stored(session, garment), _stored(session, mill)
        upstream = _upstream_of(after)
        items = upstream["items"]
        assert isinstance(items, list)
        (item,) = items
        assert item["kind"] == "supplier"
        assert item["ref"] == f"{mill.public_id}|{link.public_id}"
        assert item["raw"] == pytest.approx(METHOD.upstream.per_supplier * mill_score.score / 100)
        assert after.score > before_score
        assert own_of_components(after.components) == pytest.approx(before_own)
        room = METHOD.components.upstream.share * (100 - own_of_components(after.components))
        assert upstream["cap"] == pytest.approx(room, abs=0.01)

    def test_the_whole_network_recompute_stores_what_the_per_facility_one_does(self, session: Session) -> None:
        brand, auditor = make_org(session), make_org(session, OrganizationKind.auditor)
        sites = [make_site(session, migrant_worker_share=share) for share in (0.1, 0.5, 0.9, 0.0)]
        for supplier, customer in ((1, 0), (2, 1), (3, 2), (2, 0), (0, 3)):  # a chain, a shortcut and a cycle
            make_link(
                session,
                RelationshipKind.supplies,
                (EndpointKind.facility, sites[supplier].id),
                (EndpointKind.facility, sites[customer].id),
                by=brand,
            )
        make_assessment(session, sites[2], by=auditor, severity=Severity.critical)
        ids = [s.id for s in sites]
        recompute.recompute_all(session, today=TODAY)
        whole = _snapshot(session, ids)
        session.execute(sa.delete(RiskScore).where(RiskScore.subject_id.in_(ids)))
        # One site at a time, in an order where suppliers come after their customers: the cascade
        # must still end where the whole-network pass does.
        for site in sites:
            recompute.recompute_facilities(session, [site.id], today=TODAY)
        assert _snapshot(session, ids) == whole
        assert all(_upstream_of(_stored(session, s))["items"] for s in sites)
        assert recompute.recompute_all(session, today=TODAY).written == 0


def _snapshot(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[object, ...]]:
    return {
        r.subject_id: (r.score, r.band, r.confidence, r.components, r.inputs_fingerprint)
        for r in session.scalars(sa.select(RiskScore).where(RiskScore.subject_id.in_(ids)))
    }


class TestGraphChangesQueueRecomputes:
    def test_stating_a_supplies_link_queues_both_sites(self, session: Session) -> None:
        brand = make_org(session)
        garment, mill = make_site(session), make_site(session)
        principal = Principal(brand.id, OrganizationKind.brand, "client", frozenset(), "token")
        before = _queued(session)
        relationship_service.create_relationship(
            session,
            principal,
            body=RelationshipCreate.model_validate(
                {
                    "kind": "supplies",
                    "from": {"kind": "facility", "id": mill.public_id},
                    "to": {"kind": "facility", "id": garment.public_id},
                }
            ),
        )
        queued = _queued(session) - before
        assert queued == {(events.RECOMPUTE_FACILITY, str(garment.id)), (events.RECOMPUTE_FACILITY, str(mill.id))}


def _queued(session: Session) -> set[tuple[str, str]]:
    session.flush()
    return {
        (job.name, next(iter(job.payload.values())))
        for job in session.scalars(sa.select(jobs.Job).where(jobs.Job.status == jobs.JobStatus.queued))
    }
