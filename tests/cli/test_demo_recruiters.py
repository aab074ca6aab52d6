"""The demo recruiters load on both dialects, and loading them again adds nothing."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from cli.demo_recruiters import DEMO_RECRUITERS, load_demo_recruiters
from core.principal import OrganizationKind, Principal
from graph.models import Corridor, Recruiter, RecruiterCertification, RecruiterContribution
from policies import service as policies_service
from policies.models import AuditEvent


def _counts(session: Session) -> tuple[int | None, ...]:
    tables = (Recruiter, RecruiterContribution, RecruiterCertification, Corridor, AuditEvent)
    return tuple(session.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables)


class TestLoadDemoRecruiters:
    def test_loads_recruiters_corridors_and_sub_agents_once(self, session: Session) -> None:
        org = policies_service.create_organization(
            session, None, kind=OrganizationKind.recruiter, display_name="Demo recruiter loader (test)"
        )
        principal = Principal(org.id, OrganizationKind.recruiter, "c", frozenset({"graph:write"}), "t")
        first = load_demo_recruiters(session, principal)
        assert len(first.recruiters) == len(DEMO_RECRUITERS)
        assert all(r.public_id.startswith("LR-") for r in first.recruiters.values())
        # No two demo agencies were taken for one (distinct names and licences).
        assert len({r.id for r in first.recruiters.values()}) == len(DEMO_RECRUITERS)
        assert ("NP", "MY", "Electronics") in first.corridors
        assert {(a.name, s.name) for a, s in first.sub_agents} >= {
            ("Fairway Recruitment Agency Pvt. Ltd.", "Karnali Overseas Connect")
        }
        assert all(s.licence_number is None and a.licence_number for a, s in first.sub_agents)
        fairway = first.recruiters["fairway_np"]
        assert [c.scheme for c in fairway.certifications] == ["iris"]
        assert {r.fee_policy for r in first.recruiters.values()} >= {"employer_pays", "worker_pays", "mixed"}

        before = _counts(session)
        again = load_demo_recruiters(session, principal)
        assert _counts(session) == before
        assert {k: r.id for k, r in again.recruiters.items()} == {k: r.id for k, r in first.recruiters.items()}
        assert {k: c.id for k, c in again.corridors.items()} == {k: c.id for k, c in first.corridors.items()}
