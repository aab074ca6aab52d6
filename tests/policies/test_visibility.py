"""Visibility expressions agree with a plain-Python oracle of the rules, on both dialects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from core.principal import OrganizationKind, Principal
from graph import recruiter_repository
from graph.models import Corridor, Recruiter
from policies import repository
from policies.models import Organization, SharingGrant
from policies.visibility import active_grants, corridor_read_scope, organization_read_scope, recruiter_read_scope

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SUBJECT_KINDS = ("assessment", "facility")


@dataclass(frozen=True)
class GrantSpec:
    grantee: int
    subject_kind: str
    expires_in_hours: int | None
    revoked_hours_ago: int | None


grant_specs = st.builds(
    GrantSpec,
    grantee=st.integers(0, 2),
    subject_kind=st.sampled_from(SUBJECT_KINDS),
    expires_in_hours=st.one_of(st.none(), st.integers(-4, 4)),
    revoked_hours_ago=st.one_of(st.none(), st.integers(-4, 4)),
)


def oracle_active(spec: GrantSpec, grantee: int, subject_kind: str, now: datetime) -> bool:
    """The sharing rule in words: granted to you, for this kind, not revoked, not expired."""
    if spec.grantee != grantee or spec.subject_kind != subject_kind:
        return False
    revoked = spec.revoked_hours_ago is not None and NOW - timedelta(hours=spec.revoked_hours_ago) <= now
    expired = spec.expires_in_hours is not None and NOW + timedelta(hours=spec.expires_in_hours) <= now
    return not revoked and not expired


def _orgs(session: Session, n: int) -> list[Organization]:
    orgs = [Organization(kind=OrganizationKind.supplier, display_name=f"O{i}") for i in range(n)]
    session.add_all(orgs)
    session.flush()
    return orgs


class TestActiveGrants:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(specs=st.lists(grant_specs, max_size=12), now_offset=st.integers(-5, 5))
    def test_matches_the_oracle(self, session: Session, specs: list[GrantSpec], now_offset: int) -> None:
        now = NOW + timedelta(hours=now_offset)
        nested = session.begin_nested()
        try:
            grantor, *grantees = _orgs(session, 4)
            grant_ids = []
            for spec in specs:
                grant = SharingGrant(
                    grantor_organization_id=grantor.id,
                    grantee_organization_id=grantees[spec.grantee].id,
                    subject_kind=spec.subject_kind,
                    subject_id=uuid.uuid4(),
                    expires_at=None if spec.expires_in_hours is None else NOW + timedelta(hours=spec.expires_in_hours),
                    revoked_at=None
                    if spec.revoked_hours_ago is None
                    else NOW - timedelta(hours=spec.revoked_hours_ago),
                )
                session.add(grant)
                grant_ids.append(grant)
            session.flush()
            for g, grantee in enumerate(grantees):
                for kind in SUBJECT_KINDS:
                    clause = active_grants(grantee_organization_id=grantee.id, subject_kind=kind, now=now)
                    found = set(session.scalars(sa.select(SharingGrant.id).where(clause)))
                    expected = {
                        grant.id
                        for grant, spec in zip(grant_ids, specs, strict=True)
                        if oracle_active(spec, g, kind, now)
                    }
                    assert found == expected
        finally:
            nested.rollback()


class TestOrganizationScope:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        kind=st.sampled_from(list(OrganizationKind)),
        scopes=st.sets(st.sampled_from(["admin", "graph:read", "risk:read"])),
    )
    def test_own_organisation_or_all_for_operators(
        self, session: Session, kind: OrganizationKind, scopes: set[str]
    ) -> None:
        nested = session.begin_nested()
        try:
            me, other = _orgs(session, 2)
            principal = Principal(me.id, kind, "c", frozenset(scopes), "t")
            stmt = repository.readable_organizations(organization_read_scope(principal)).where(
                Organization.id.in_([me.id, other.id])
            )
            found = {org.id for org in session.scalars(stmt)}
            operator = kind is OrganizationKind.platform and "admin" in scopes
            assert found == ({me.id, other.id} if operator else {me.id})
        finally:
            nested.rollback()


class TestRecruiterAndCorridorScopes:
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        kind=st.sampled_from(list(OrganizationKind)),
        scopes=st.sets(st.sampled_from(["admin", "graph:read", "risk:read"])),
    )
    def test_every_member_reads_recruiters_and_corridors(
        self, session: Session, kind: OrganizationKind, scopes: set[str]
    ) -> None:
        nested = session.begin_nested()
        try:
            (me,) = _orgs(session, 1)
            recruiter = Recruiter(public_id=f"LR-T{uuid.uuid4().hex[:11]}", name="R", normalised_name="r", country="NP")
            corridor = Corridor(
                origin_country="NP", destination_country="MY", sector=uuid.uuid4().hex, created_by_organization_id=me.id
            )
            session.add_all([recruiter, corridor])
            session.flush()
            principal = Principal(me.id, kind, "c", frozenset(scopes), "t")
            recruiters = recruiter_repository.readable_recruiters(recruiter_read_scope(principal))
            corridors = recruiter_repository.readable_corridors(corridor_read_scope(principal))
            # The rule in words: recruiter and corridor core attributes are every member's.
            assert list(session.scalars(recruiters.where(Recruiter.id == recruiter.id))) == [recruiter]
            assert list(session.scalars(corridors.where(Corridor.id == corridor.id))) == [corridor]
        finally:
            nested.rollback()
