"""Visibility proof: random organisations, subjects, uploads, grants, revocations and expiries;
every list, get and count of assessments, findings and corrective actions agrees with a plain
Python oracle of the sharing rules, through the real API, on both dialects. Not visible = 404."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import anyio
import httpx
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from core.db import transaction
from core.principal import OrganizationKind
from core.settings import Settings
from graph.models import Facility, Recruiter
from ingest import canonical
from ingest.assessments import storage
from ingest.canonical import ActionStatus
from ingest.formats import parse_assessment_json
from policies.models import SharingGrant
from policies.scopes import ALL_SCOPES
from tests.api.assessment_support import SAMPLES, make_facility, make_recruiter
from tests.conftest import Credentials, app_client, bearer, fetch_token, make_organization_with_client

MEMBER_KINDS = (
    OrganizationKind.brand,
    OrganizationKind.supplier,
    OrganizationKind.auditor,
    OrganizationKind.recruiter,
    OrganizationKind.ctip,
)
#: One sample per subject kind, parsed once: what an upload of that kind stores.
SAMPLE_OF = {
    canonical.SubjectKind.facility: parse_assessment_json(
        json.loads((SAMPLES / "smeta.json").read_bytes()), scheme=canonical.Scheme.smeta
    ),
    canonical.SubjectKind.recruiter: parse_assessment_json(
        json.loads((SAMPLES / "recruiter_ddq.json").read_bytes()), scheme=canonical.Scheme.recruiter_ddq
    ),
}


@dataclass(frozen=True)
class SubjectSpec:
    kind: canonical.SubjectKind
    owner: int | None  # index into the organisations


@dataclass(frozen=True)
class GrantSpec:
    on_assessment: bool  # else on every assessment of the subject
    target: int  # index of the assessment or the subject
    grantee: int
    expiry: str  # none | past | future
    revoked: bool


@dataclass(frozen=True)
class World:
    kinds: list[OrganizationKind]
    subjects: list[SubjectSpec]
    uploads: list[tuple[int, int]]  # (subject, uploader)
    grants: list[GrantSpec]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    kinds = draw(st.lists(st.sampled_from(MEMBER_KINDS), min_size=2, max_size=5))
    org = st.integers(0, len(kinds) - 1)
    subjects = draw(
        st.lists(
            st.builds(SubjectSpec, kind=st.sampled_from(list(canonical.SubjectKind)), owner=st.none() | org),
            min_size=1,
            max_size=3,
        )
    )
    uploads = draw(st.lists(st.tuples(st.integers(0, len(subjects) - 1), org), min_size=1, max_size=4))
    grant = st.builds(
        GrantSpec,
        on_assessment=st.booleans(),
        target=st.integers(0, 3),
        grantee=org,
        expiry=st.sampled_from(["none", "past", "future"]),
        revoked=st.booleans(),
    )
    return World(kinds, subjects, uploads, draw(st.lists(grant, max_size=6)))


def in_force(grant: GrantSpec) -> bool:
    return not grant.revoked and grant.expiry != "past"


def oracle_visible(world: World, org: int, upload: int) -> bool:
    """The sharing rules in words: you uploaded it (as auditor or owner), you own its subject, or a
    grant in force names you, on this assessment or on its whole subject."""
    subject_index, uploader = world.uploads[upload]
    if uploader == org or world.subjects[subject_index].owner == org:
        return True
    for grant in world.grants:
        if grant.grantee != org or not in_force(grant):
            continue
        if grant.on_assessment and grant.target == upload:
            return True
        if not grant.on_assessment and grant.target == subject_index:
            return True
    return False


def _overdue(sample: canonical.Assessment, today: datetime) -> int:
    return sum(
        1
        for a in sample.corrective_actions
        if a.status is not ActionStatus.closed and a.due_date is not None and a.due_date < today.date()
    )


@dataclass
class Built:
    members: list[Credentials]
    subject_ids: list[uuid.UUID]
    subject_public_ids: list[str]
    assessments: list[tuple[uuid.UUID, str]]  # (id, public id)
    grant_ids: list[uuid.UUID]


def build(factory: sessionmaker[Session], world: World) -> Built:
    scopes = " ".join(sorted(ALL_SCOPES - {"admin"}))
    members = [make_organization_with_client(factory, kind=k, scopes=scopes) for k in world.kinds]
    public: list[str] = []
    for spec in world.subjects:
        owner = members[spec.owner].organization_id if spec.owner is not None else None
        maker = make_facility if spec.kind is canonical.SubjectKind.facility else make_recruiter
        public.append(maker(factory, owner=owner))
    now = datetime.now(UTC)
    with transaction(factory) as s:
        subject_rows = [_subject(s, p, spec) for p, spec in zip(public, world.subjects, strict=True)]
        stored = []
        for subject_index, uploader in world.uploads:
            subject = subject_rows[subject_index]
            org = members[uploader]
            provenance = storage.Provenance(
                uploaded_by=org.organization_id,
                assessor_organization_id=(
                    org.organization_id if world.kinds[uploader] is OrganizationKind.auditor else None
                ),
                source_sha256=uuid.uuid4().hex * 2,
                source_format="json",
            )
            stored.append(storage.store(s, SAMPLE_OF[subject.kind], subject=subject, provenance=provenance))
        grants = []
        for grant_spec in world.grants:
            if grant_spec.on_assessment:
                if grant_spec.target >= len(stored):
                    continue
                kind, subject_id = "assessment", stored[grant_spec.target].id
            else:
                if grant_spec.target >= len(subject_rows):
                    continue
                kind, subject_id = subject_rows[grant_spec.target].kind.value, subject_rows[grant_spec.target].id
            grant = SharingGrant(
                grantor_organization_id=members[0].organization_id,
                grantee_organization_id=members[grant_spec.grantee].organization_id,
                subject_kind=kind,
                subject_id=subject_id,
                expires_at={"none": None, "past": now - timedelta(hours=1), "future": now + timedelta(days=1)}[
                    grant_spec.expiry
                ],
                revoked_at=now - timedelta(minutes=5) if grant_spec.revoked else None,
            )
            s.add(grant)
            grants.append(grant)
        s.flush()
        return Built(
            members,
            [r.id for r in subject_rows],
            public,
            [(a.id, a.public_id) for a in stored],
            [g.id for g in grants],
        )


def _subject(session: Session, public_id: str, spec: SubjectSpec) -> storage.StoredSubject:
    row: Facility | Recruiter | None
    if spec.kind is canonical.SubjectKind.facility:
        row = session.scalars(sa.select(Facility).where(Facility.public_id == public_id)).one()
    else:
        row = session.scalars(sa.select(Recruiter).where(Recruiter.public_id == public_id)).one()
    return storage.StoredSubject(spec.kind, row.id, row.public_id, row.owner_organization_id)


def effective(world: World) -> World:
    """The world with grant targets that name nothing dropped (as ``build`` does)."""
    kept = [g for g in world.grants if g.target < (len(world.uploads) if g.on_assessment else len(world.subjects))]
    return World(world.kinds, world.subjects, world.uploads, kept)


async def check(client: httpx.AsyncClient, world: World, built: Built) -> None:
    today = datetime.now(UTC)
    for index, creds in enumerate(built.members):
        headers = bearer(await fetch_token(client, creds))
        expected = {built.assessments[u][1] for u in range(len(world.uploads)) if oracle_visible(world, index, u)}
        listed = await client.get("/v1/assessments", params={"limit": 200}, headers=headers)
        assert listed.status_code == 200
        assert {a["id"] for a in listed.json()["items"]} == expected, (index, world)
        counted = (await client.get("/v1/assessments/count", headers=headers)).json()
        samples = [SAMPLE_OF[world.subjects[s].kind] for s, _ in (world.uploads[u] for u in range(len(world.uploads)))]
        visible_samples = [samples[u] for u in range(len(world.uploads)) if built.assessments[u][1] in expected]
        assert counted == {
            "assessments": len(expected),
            "findings": sum(len(s.findings) for s in visible_samples),
            "corrective_actions": sum(len(s.corrective_actions) for s in visible_samples),
        }
        overdue = (await client.get("/v1/corrective-actions/overdue", params={"limit": 200}, headers=headers)).json()
        assert len(overdue["items"]) == sum(_overdue(s, today) for s in visible_samples)
        assert {a["assessment"] for a in overdue["items"]} <= expected
        for _, public_id in built.assessments:
            got = await client.get(f"/v1/assessments/{public_id}", headers=headers)
            assert got.status_code == (200 if public_id in expected else 404), (index, public_id, world)


def revoke_all(factory: sessionmaker[Session], built: Built) -> None:
    with transaction(factory) as s:
        for grant_id in built.grant_ids:
            grant = s.get(SharingGrant, grant_id)
            if grant is not None and grant.revoked_at is None:
                grant.revoked_at = datetime.now(UTC)


def without_grants(world: World) -> World:
    return World(world.kinds, world.subjects, world.uploads, [])


hypothesis_settings = settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def test_assessment_visibility_matches_the_oracle(
    settings: Settings, committing_sessions: sessionmaker[Session]
) -> None:
    app = create_app(settings)
    operator = make_organization_with_client(
        committing_sessions, kind=OrganizationKind.platform, scopes=" ".join(sorted(ALL_SCOPES))
    )

    @hypothesis_settings
    @given(world=worlds())
    def holds(world: World) -> None:
        built = build(committing_sessions, world)
        world = effective(world)

        async def run() -> None:
            async with app_client(settings, app) as client:
                await check(client, world, built)
                revoke_all(committing_sessions, built)  # revocation applies on the next request
                await check(client, without_grants(world), built)
                headers = bearer(await fetch_token(client, operator))
                for _, public_id in built.assessments:  # platform operators read everything
                    assert (await client.get(f"/v1/assessments/{public_id}", headers=headers)).status_code == 200

        anyio.run(run)

    holds()


hypothesis_settings = settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
