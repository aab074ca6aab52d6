"""Whole-network risk recompute (vectorised) against a per-facility loop, per dialect.

Bulk-inserts a synthetic network: ``--facilities`` facilities (countries, sectors, migrant
shares), facilities/10 recruiters (half licensed, a fifth certified), ``--links`` links
(sources_from of 20 brands at tiers 1-4, supplies, recruits_for with worker/shared/employer fees
in USD and other currencies, agent -> sub-agent subcontracts), ``--findings`` findings in
assessments of 5 findings each (a tenth superseded, a tenth without pooling consent, a third of
findings with an open corrective action) and a small ILAB goods list. Then, in a fresh
subprocess per measurement (so the peak RSS is the measurement's own, not the build's):

1. ``risk.recompute.recompute_all`` on the empty ``risk_scores`` table: set-based gathering in
   batches of 5,000, vectorised scoring, in two passes (own scores, then with the risk suppliers
   carry in), every score stored. Wall time and peak RSS.
2. The same again: nothing changed, nothing written (fingerprints compared).
3. The straightforward loop: for each of ``--sample`` facilities, what the per-facility job does
   (``gather`` of that one facility, its own score, its suppliers' carried risk from their stored
   own scores, ``scoring.score``), nothing stored; the time is extrapolated to all facilities.

    uv run python benchmarks/risk_recompute.py [--facilities 100000] [--links 500000]
        [--findings 200000] [--sample 2000]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/loomline_bench_graph] [--skip-sqlite]

The PostgreSQL run works in its own schema (``bench_risk``), dropped and made again at the start.
Not part of the test suite; figures depend on the machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from benchmarks.pg_schema import fresh_schema_url
from core import migrations
from core.clock import utcnow
from core.db import create_engine, create_sessionmaker, transaction
from core.ids import uuid7
from core.settings import Settings
from graph import public_ids
from graph.models import EndpointKind, Facility, Recruiter, RecruiterCertification, Relationship, RelationshipKind
from ingest.assessments.models import Assessment, CorrectiveAction, Finding
from ingest.canonical import IloIndicator, Severity
from policies.models import Organization
from risk.reference.models import GoodsListPair, ReferenceEdition

SCHEMA = "bench_risk"
BATCH = 5000
COUNTRIES = ("BD", "IN", "MY", "TH", "VN", "CN", "TR", "MX")
SECTORS = ("Apparel", "Electronics", "Seafood", "Gloves", "Agriculture", "Toys", None)
GOODS = [("Garments", "BD", False, True), ("Cotton", "IN", True, True), ("Fish", "TH", True, True),
         ("Rubber Gloves", "MY", True, False), ("Electronics", "MY", True, False), ("Electronics", "CN", True, False),
         ("Shrimp", "TH", True, True), ("Garments", "IN", True, True), ("Toys", "CN", False, True)]  # fmt: skip


def _insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(sa.insert(table), rows[start : start + BATCH])


def _public(prefix: str, n: int) -> list[str]:
    seen: set[str] = set()
    while len(seen) < n:
        seen.add(public_ids.new_public_id(prefix))
    return list(seen)


def _orgs(session: Session) -> tuple[list[Any], Any]:
    now = utcnow()
    rows = [{"id": uuid7(), "kind": "brand", "display_name": f"Brand {i}", "created_at": now} for i in range(20)]
    auditor = {"id": uuid7(), "kind": "auditor", "display_name": "Auditor", "created_at": now}
    _insert(session, Organization, [*rows, auditor])
    return [r["id"] for r in rows], auditor["id"]


def _sites(session: Session, rng: random.Random, n: int) -> tuple[list[Any], list[Any]]:
    now = utcnow()
    sites = [
        {"id": uuid7(), "public_id": pid, "name": f"Site {i}", "normalised_name": f"site {i}",
         "country": rng.choice(COUNTRIES), "sector": rng.choice(SECTORS), "product_type": None,
         "migrant_worker_share": rng.choice([None, 0.0, rng.random()]), "created_at": now, "updated_at": now}
        for i, pid in enumerate(_public(public_ids.PREFIX, n))
    ]  # fmt: skip
    _insert(session, Facility, sites)
    recruiters: list[dict[str, Any]] = [
        {"id": uuid7(), "public_id": pid, "name": f"Agency {i}", "normalised_name": f"agency {i}", "country": "NP",
         "licence_number": f"L{i}" if rng.random() < 0.5 else None, "countries_of_operation": [],
         "created_at": now, "updated_at": now}
        for i, pid in enumerate(_public(public_ids.RECRUITER_PREFIX, max(n // 10, 2)))
    ]  # fmt: skip
    _insert(session, Recruiter, recruiters)
    return [s["id"] for s in sites], [r["id"] for r in recruiters]


def _links(
    session: Session, rng: random.Random, brands: list[Any], sites: list[Any], agents: list[Any], n: int
) -> None:
    now, fk, rk, ok = utcnow(), EndpointKind.facility, EndpointKind.recruiter, EndpointKind.organization
    rows: list[dict[str, Any]] = []

    def add(kind: RelationshipKind, ends: tuple[Any, Any, Any, Any], **attrs: Any) -> None:
        rows.append({"id": uuid7(), "kind": kind, "from_kind": ends[0], "from_id": ends[1], "to_kind": ends[2],
                     "to_id": ends[3], "contributor_organization_id": rng.choice(brands), "created_at": now,
                     "updated_at": now, **attrs})  # fmt: skip

    for _ in range(n * 3 // 10):
        add(RelationshipKind.sources_from, (ok, rng.choice(brands), fk, rng.choice(sites)), tier=rng.randint(1, 4))
    for _ in range(n * 4 // 10):
        add(RelationshipKind.supplies, (fk, rng.choice(sites), fk, rng.choice(sites)), material="yarn")
    for _ in range(n * 2 // 10):
        currency = rng.choice(["USD", "USD", "NPR", None])
        add(RelationshipKind.recruits_for, (rk, rng.choice(agents), fk, rng.choice(sites)),
            fee_payer=rng.choice(["worker", "shared", "employer", "unknown"]), fee_currency=currency,
            fee_per_worker=float(rng.randrange(0, 3000)) if currency else None)  # fmt: skip
    half = len(agents) // 2  # agents (second half) -> sub-agents (first half): no cycles
    while len(rows) < n:
        add(RelationshipKind.subcontracts, (rk, rng.choice(agents[half:]), rk, rng.choice(agents[:half])))
    for row, pid in zip(rows, _public("LK", len(rows)), strict=True):
        row["public_id"] = pid
    _insert(session, Relationship, rows)
    certs = [
        {"id": uuid7(), "recruiter_id": a, "scheme": "iris", "certificate_id": f"C{i}", "valid_to": date(2030, 1, 1),
         "contributed_by_organization_id": brands[0], "created_at": now}
        for i, a in enumerate(agents) if i % 5 == 0
    ]  # fmt: skip
    _insert(session, RecruiterCertification, certs)


def _assessments(session: Session, rng: random.Random, auditor: Any, sites: list[Any], findings: int) -> None:
    now, today = utcnow(), utcnow().date()
    assessments, finding_rows, actions = [], [], []
    indicators = [i.value for i in IloIndicator]
    for number, pid in enumerate(_public("LA", max(findings // 5, 1))):
        site, end = rng.choice(sites), today - timedelta(days=rng.randrange(0, 1500))
        assessments.append(
            {"id": uuid7(), "public_id": pid, "scheme": "smeta", "scheme_version": "7", "mapping_version": "1",
             "modality": rng.choice(["onsite", "virtual", "hybrid", "desk"]),
             "type": rng.choice(["audit", "verified", "self", "joint", "vcc"]), "status": "final",
             "period_start_date": end - timedelta(days=2), "period_end_date": end, "assessor_name": "A",
             "subject_kind": "facility", "subject_id": site, "facility_id": site,
             "source_sha256": hashlib.sha256(str(number).encode()).hexdigest(), "source_format": "json",
             "pooled_signal": rng.random() > 0.1, "triangulation_sources": [], "attributes": {},
             "uploaded_by_organization_id": auditor, "created_at": now}
        )  # fmt: skip
    for previous, current in zip(assessments[:-1:10], assessments[1::10], strict=False):
        if previous["facility_id"] == current["facility_id"]:
            previous["superseded_by_id"] = current["id"]
    for a in assessments:
        for position in range(5):
            fid = uuid7()
            finding_rows.append(
                {"id": fid, "assessment_id": a["id"], "position": position, "ref": f"Q{position}",
                 "topic": "forced_labour", "severity": rng.choice(list(Severity)).value, "legal_non_compliance":
                 rng.random() < 0.2, "verified": rng.choice([True, False, None]),
                 "ilo_indicators": rng.sample(indicators, rng.randint(0, 2))}
            )  # fmt: skip
            if rng.random() < 0.33:
                actions.append(
                    {"id": uuid7(), "assessment_id": a["id"], "finding_id": fid, "position": position, "action": "fix",
                     "status": rng.choice(["open", "progress", "closed"]),
                     "due_date": today + timedelta(days=rng.randrange(-200, 200)), "updated_at": now}
                )  # fmt: skip
    _insert(session, Assessment, [{k: v for k, v in a.items() if k != "superseded_by_id"} for a in assessments])
    for a in assessments:
        if "superseded_by_id" in a:
            newer = sa.update(Assessment).where(Assessment.id == a["id"])
            session.execute(newer.values(superseded_by_id=a["superseded_by_id"]))
    _insert(session, Finding, finding_rows)
    _insert(session, CorrectiveAction, actions)


def _goods(session: Session) -> None:
    edition = {"id": uuid7(), "kind": "goods_list", "name": "ILAB", "edition": "bench", "source": "synthetic",
               "licence": "public domain", "content_sha256": "0" * 64, "rows": len(GOODS), "unmapped": [],
               "imported_at": utcnow()}  # fmt: skip
    _insert(session, ReferenceEdition, [edition])
    _insert(session, GoodsListPair, [
        {"id": uuid7(), "edition_id": edition["id"], "good": g, "country": c, "country_name": c,
         "forced_labor": f, "child_labor": ch, "forced_child_labor": False}
        for g, c, f, ch in GOODS
    ])  # fmt: skip


def build(url: str, *, facilities: int, links: int, findings: int, seed: int) -> float:
    engine = create_engine(Settings(database_url=url))
    with engine.begin() as conn:
        migrations.upgrade(conn)
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    started = time.perf_counter()
    with transaction(create_sessionmaker(engine)) as s:
        brands, auditor = _orgs(s)
        sites, agents = _sites(s, rng, facilities)
        _links(s, rng, brands, sites, agents, links)
        _assessments(s, rng, auditor, sites, findings)
        _goods(s)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return time.perf_counter() - started


def measure(url: str, what: str, sample: int, seed: int) -> dict[str, Any]:
    """One measurement in this (fresh) process; prints a JSON line."""
    from risk import recompute
    from risk.gather import gather
    from risk.method import current_method
    from risk.scoring import own_points, score

    engine = create_engine(Settings(database_url=url))
    factory = create_sessionmaker(engine)
    method, today = current_method(), utcnow().date()
    started = time.perf_counter()
    result: dict[str, Any] = {}
    if what == "all":
        with transaction(factory) as s:
            outcome = recompute.recompute_all(s, method=method, today=today)
        result = {"scored": outcome.scored, "written": outcome.written}
    else:
        with factory() as s:
            ids = recompute.all_facility_ids(s)
            chosen = random.Random(seed).sample(ids, min(sample, len(ids)))  # noqa: S311
            started = time.perf_counter()
            for facility_id in chosen:
                own_inputs = gather(s, [facility_id], method, today=today)
                own = {site: own_points(score(inputs, method)) for site, inputs in own_inputs.items()}
                for inputs in recompute.with_upstream(s, own_inputs, own, method, today).values():
                    score(inputs, method)
        result = {"scored": len(chosen), "total": len(ids)}
    result["seconds"] = time.perf_counter() - started
    result["peak_rss_mib"] = _peak_rss_mib()
    engine.dispose()
    return result


def _peak_rss_mib() -> float:
    """This process's peak resident set. Linux's VmHWM starts afresh at exec; ru_maxrss would carry
    the forking parent's peak (the network build) over into the measuring subprocess."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_subprocess(url: str, what: str, sample: int, seed: int) -> dict[str, Any]:
    args = [sys.executable, __file__, "--measure", what, "--url", url, "--sample", str(sample), "--seed", str(seed)]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout  # noqa: S603
    figures: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return figures


def run(url: str, label: str, *, facilities: int, links: int, findings: int, sample: int, seed: int) -> None:
    seconds = build(url, facilities=facilities, links=links, findings=findings, seed=seed)
    print(f"{label}: {facilities:,} facilities, {links:,} links, {findings:,} findings; built in {seconds:.0f} s")
    first = _in_subprocess(url, "all", sample, seed)
    print(f"  vectorised recompute_all, empty table: {first['seconds']:.1f} s wall,"
          f" peak RSS {first['peak_rss_mib']:.0f} MiB,"
          f" {first['scored']:,} scored, {first['written']:,} written")  # fmt: skip
    again = _in_subprocess(url, "all", sample, seed)
    print(f"  vectorised recompute_all, unchanged:   {again['seconds']:.1f} s wall,"
          f" peak RSS {again['peak_rss_mib']:.0f} MiB, {again['written']:,} written")  # fmt: skip
    loop = _in_subprocess(url, "loop", sample, seed)
    per = loop["seconds"] / max(loop["scored"], 1)
    whole = per * loop["total"]
    print(f"  per-facility loop (gather 1 + upstream + score), {loop['scored']:,} sampled: {loop['seconds']:.1f} s"
          f" = {per * 1000:.1f} ms/facility; extrapolated to {loop['total']:,}: {whole:.0f} s,"
          f" peak RSS {loop['peak_rss_mib']:.0f} MiB")  # fmt: skip
    print(f"  ratio loop / vectorised (first run): {whole / first['seconds']:.1f}x")


def postgres_url(base: str) -> str:
    return fresh_schema_url(base, SCHEMA)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--facilities", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=500_000)
    parser.add_argument("--findings", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres-url", help="also run on this PostgreSQL + PostGIS database")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--measure", choices=["all", "loop"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.url, args.measure, args.sample, args.seed)))
        return
    sizes = {"facilities": args.facilities, "links": args.links, "findings": args.findings, "sample": args.sample,
             "seed": args.seed}  # fmt: skip
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", "SQLite + SpatiaLite", **sizes)
    if args.postgres_url:
        run(postgres_url(args.postgres_url), "PostgreSQL + PostGIS", **sizes)


if __name__ == "__main__":
    main()
