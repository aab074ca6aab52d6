"""Shared helpers of the assessment API tests: subjects, members, sample uploads."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from core.principal import OrganizationKind
from graph.models import Facility, Recruiter
from graph.public_ids import RECRUITER_PREFIX, new_public_id
from ingest.canonical import Scheme
from policies.scopes import ALL_SCOPES
from tests.conftest import Credentials, bearer, fetch_token, make_organization_with_client

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "docs" / "formats" / "samples"
SCHEME_OF = {
    "slcp": Scheme.slcp,
    "smeta": Scheme.smeta,
    "better_work": Scheme.better_work,
    "better_work_vcc": Scheme.better_work,
    "self_assessment": Scheme.self_assessment,
    "worker_voice": Scheme.self_assessment,
    "recruiter_ddq": Scheme.recruiter_ddq,
}
BASE = "/v1/assessments"


def make_facility(factory: sessionmaker[Session], *, owner: uuid.UUID | None = None) -> str:
    with transaction(factory) as s:
        name = f"Site {uuid.uuid4().hex[:10]}"
        facility = Facility(
            public_id=new_public_id(),
            name=name,
            normalised_name=name.lower(),
            country="BD",
            owner_organization_id=owner,
        )
        s.add(facility)
        s.flush()
        return facility.public_id


def make_recruiter(factory: sessionmaker[Session], *, owner: uuid.UUID | None = None) -> str:
    with transaction(factory) as s:
        name = f"Agency {uuid.uuid4().hex[:10]}"
        recruiter = Recruiter(
            public_id=new_public_id(RECRUITER_PREFIX),
            name=name,
            normalised_name=name.lower(),
            country="NP",
            owner_organization_id=owner,
        )
        s.add(recruiter)
        s.flush()
        return recruiter.public_id


class Member:
    """An organisation with a token, for API calls."""

    def __init__(self, creds: Credentials, token: str, kind: OrganizationKind) -> None:
        self.creds = creds
        self.token = token
        self.kind = kind

    @property
    def id(self) -> uuid.UUID:
        return self.creds.organization_id

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


async def member(
    api: httpx.AsyncClient, factory: sessionmaker[Session], kind: OrganizationKind, *, admin: bool = False
) -> Member:
    scopes = ALL_SCOPES if admin else ALL_SCOPES - {"admin"}
    creds = make_organization_with_client(factory, kind=kind, scopes=" ".join(sorted(scopes)))
    return Member(creds, await fetch_token(api, creds), kind)


def subject_of(name: str, facility: str, recruiter: str) -> str:
    return recruiter if SCHEME_OF[name] is Scheme.recruiter_ddq else facility


async def upload_file(
    api: httpx.AsyncClient, who: Member, *, filename: str, content: bytes, scheme: Scheme, subject: str
) -> httpx.Response:
    return await api.post(
        BASE,
        files={"file": (filename, content)},
        data={"scheme": scheme.value, "subject": subject},
        headers=who.headers,
    )


async def upload_sample(api: httpx.AsyncClient, who: Member, name: str, subject: str) -> httpx.Response:
    path = SAMPLES / name
    return await upload_file(
        api, who, filename=path.name, content=path.read_bytes(), scheme=SCHEME_OF[path.stem], subject=subject
    )
