"""Assessment upload: parse + validate + store, per format, and many uploads in a row, per dialect.

1. One assessment of N findings (default 1,000) per scheme and file format (built like
   ``ingest_parse.py``): each run is one transaction, like one ``POST /v1/assessments``: the upload
   service resolves the subject, checks the uploader, parses, checks idempotency, stores the
   assessment, its findings and corrective actions, writes the audit event, commits. Each run
   uploads to a new facility (so it is never an idempotent replay). Prints p50 / min / max.
2. M assessments in a row (default 1,000; the SMETA JSON sample, 5 findings and 5 actions each,
   to M facilities), one transaction each: assessments/s, and a raw-insert baseline in the same
   run: the same rows written with SQLAlchemy Core ``insert`` (no parse, no checks, no audit),
   one transaction per assessment.

    uv run python benchmarks/assessment_store.py [--findings 1000] [--runs 5] [-m 1000]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/loomline_bench_assess]

The PostgreSQL run works in its own schema (``bench_assessments``), dropped afterwards. Not part
of the test suite; figures depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from benchmarks import pg_schema
from benchmarks.ingest_parse import WRITERS, content
from benchmarks.pg_schema import fresh_schema_url
from core import migrations
from core.clock import utcnow
from core.db import create_engine, create_sessionmaker, transaction
from core.ids import uuid7
from core.principal import OrganizationKind, Principal
from core.settings import Settings
from graph.models import Facility, Recruiter
from graph.public_ids import RECRUITER_PREFIX, new_public_id
from ingest.assessments import upload
from ingest.assessments.models import Assessment, CorrectiveAction, Finding
from ingest.canonical import Scheme
from ingest.formats import SCHEMES
from ingest.tabular import ReadLimits
from policies import service as policies_service
from policies.scopes import ALL_SCOPES

SCHEMA = "bench_assessments"
SAMPLES = Path(__file__).resolve().parent.parent / "docs" / "formats" / "samples"
LIMITS = ReadLimits()


def _principal(factory: sessionmaker[Session]) -> Principal:
    with transaction(factory) as s:
        org = policies_service.create_organization(s, None, kind=OrganizationKind.auditor, display_name="Bench audits")
        return Principal(org.id, OrganizationKind.auditor, "bench", ALL_SCOPES - {"admin"}, "bench")


def _subjects(factory: sessionmaker[Session], n: int, *, recruiter: bool = False) -> list[str]:
    with transaction(factory) as s:
        ids = []
        for i in range(n):
            name = f"bench subject {i} {uuid.uuid4().hex[:6]}"
            if recruiter:
                row: Facility | Recruiter = Recruiter(
                    public_id=new_public_id(RECRUITER_PREFIX), name=name, normalised_name=name, country="NP"
                )
            else:
                row = Facility(public_id=new_public_id(), name=name, normalised_name=name, country="BD")
            s.add(row)
            ids.append(row.public_id)
        return ids


def _upload(
    factory: sessionmaker[Session], principal: Principal, raw: bytes, scheme: Scheme, fmt: Any, subject: str
) -> int:
    with transaction(factory) as s:
        outcome = upload.upload_assessment(
            s,
            principal,
            source=upload.UploadSource(file_format=fmt, raw=raw),
            scheme=scheme,
            subject_public_id=subject,
            limits=LIMITS,
        )
        return len(outcome.assessment.findings)


def one_large(factory: sessionmaker[Session], principal: Principal, findings: int, runs: int) -> None:
    print(f"  {'scheme':<16} {'format':<6} {'findings':>8} {'p50 ms':>8} {'min ms':>8} {'max ms':>8}")
    for scheme, spec in SCHEMES.items():
        built = content(scheme, findings)
        subjects = _subjects(factory, (runs + 1) * len(spec.formats), recruiter=scheme is Scheme.recruiter_ddq)
        for fmt in spec.formats:
            raw = WRITERS[fmt](built)
            times, n = [], 0
            for _ in range(runs + 1):  # the first run warms caches: not counted
                start = time.perf_counter()
                n = _upload(factory, principal, raw, scheme, fmt, subjects.pop())
                times.append(time.perf_counter() - start)
            times = times[1:]
            p50 = statistics.median(times)
            print(
                f"  {scheme.value:<16} {fmt:<6} {n:>8} {p50 * 1000:>8.1f} {min(times) * 1000:>8.1f} "
                f"{max(times) * 1000:>8.1f}"
            )


@dataclass(frozen=True)
class Template:
    """Column values of one stored assessment, its findings and actions (plain dicts)."""

    head: dict[str, Any]
    findings: list[dict[str, Any]]
    actions: list[dict[str, Any]]


def _columns(row: object, table: sa.FromClause) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in table.columns}


def _template(session: Session, subject_id: str) -> Template:
    stmt = sa.select(Assessment).join(Facility, Assessment.facility_id == Facility.id)
    stored = session.scalars(stmt.where(Facility.public_id == subject_id)).one()
    return Template(
        _columns(stored, Assessment.__table__),
        [_columns(f, Finding.__table__) for f in stored.findings],
        [_columns(a, CorrectiveAction.__table__) for a in stored.corrective_actions],
    )


def _raw_rows(
    template: Template, facility_id: uuid.UUID
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    assessment_id = uuid7()
    head = template.head | {
        "id": assessment_id,
        "public_id": new_public_id("LA"),
        "subject_id": facility_id,
        "facility_id": facility_id,
        "source_sha256": uuid.uuid4().hex * 2,
        "created_at": utcnow(),
    }
    findings = [f | {"id": uuid7(), "assessment_id": assessment_id} for f in template.findings]
    actions = [a | {"id": uuid7(), "assessment_id": assessment_id, "finding_id": None} for a in template.actions]
    return head, findings, actions


def many(engine: sa.Engine, factory: sessionmaker[Session], principal: Principal, m: int) -> None:
    raw = (SAMPLES / "smeta.json").read_bytes()
    subjects = _subjects(factory, m)
    start = time.perf_counter()
    for subject in subjects:
        _upload(factory, principal, raw, Scheme.smeta, "json", subject)
    service_s = time.perf_counter() - start
    with factory() as s:
        template = _template(s, subjects[0])
        facility_ids = [r.id for r in s.scalars(sa.select(Facility).limit(m))]
    start = time.perf_counter()
    for facility_id in facility_ids:
        head, findings, actions = _raw_rows(template, facility_id)
        with engine.begin() as conn:
            conn.execute(sa.insert(Assessment), [head])
            conn.execute(sa.insert(Finding), findings)
            if actions:
                conn.execute(sa.insert(CorrectiveAction), actions)
    raw_s = time.perf_counter() - start
    print(f"  {m} uploads (service, 1 transaction each): {m / service_s:,.0f} assessments/s ({service_s:.1f} s)")
    rate = len(facility_ids) / raw_s
    print(f"  {len(facility_ids)} raw inserts (Core, same rows):   {rate:,.0f} assessments/s ({raw_s:.1f} s)")


def run(url: str, *, findings: int, runs: int, m: int) -> None:
    engine = create_engine(Settings(database_url=url))
    with engine.begin() as conn:
        migrations.upgrade(conn)
    factory = create_sessionmaker(engine)
    principal = _principal(factory)
    print(f" One assessment of {findings} findings: parse + validate + store + commit")
    one_large(factory, principal, findings, runs)
    print(f" {m} assessments in a row")
    many(engine, factory, principal, m)
    engine.dispose()


def postgres_url(base: str) -> str:
    return fresh_schema_url(base, SCHEMA)


def drop_schema(base: str) -> None:
    pg_schema.drop_schema(base, SCHEMA)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("-m", type=int, default=1000, help="assessments uploaded in a row (default 1000)")
    parser.add_argument("--postgres-url", help="also run on PostgreSQL+PostGIS (in schema bench_assessments)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        print("SQLite + SpatiaLite (file)")
        run(f"sqlite:///{Path(workdir) / 'bench.sqlite'}", findings=args.findings, runs=args.runs, m=args.m)
    if args.postgres_url:
        print("PostgreSQL + PostGIS")
        try:
            run(postgres_url(args.postgres_url), findings=args.findings, runs=args.runs, m=args.m)
        finally:
            drop_schema(args.postgres_url)


if __name__ == "__main__":
    main()
