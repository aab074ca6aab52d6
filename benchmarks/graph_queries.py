"""Graph queries on a large network, through the real API, per dialect.

Builds a network of ``--facilities`` facilities in four tiers and ``--links`` links (bulk
inserts): ``supplies`` from each tier to the one below, ``sources_from`` of 20 brands (tier 1, and
some deeper), ``recruits_for`` and ``subcontracts`` among facilities/10 recruiters. Half of the
non-sourcing links are stated by the measured brand, the rest by the others, so the brand sees
about half the network. Then, with a real OAuth2 token of that brand over the ASGI app
(``TestClient``), times ``--repeat`` calls of each query after one warm-up call:

- upstream of one of its tier-1 sites, depth 4 (a different site each call);
- shared-suppliers;
- the whole network as JSON, and as GraphML.

    uv run python benchmarks/graph_queries.py [--facilities 10000] [--links 50000] [--repeat 20]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/loomline_bench_graph]
        [--skip-sqlite]

The PostgreSQL run works in its own schema (``bench_graph``), dropped and made again at the
start. Not part of the test suite; figures depend on the machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from benchmarks.pg_schema import fresh_schema_url
from core import migrations
from core.clock import utcnow
from core.db import create_engine, create_sessionmaker, transaction
from core.ids import uuid7
from core.principal import OrganizationKind
from core.settings import Settings
from graph import public_ids
from graph.models import EndpointKind, Facility, Recruiter, Relationship, RelationshipKind
from policies import service as policies_service

SCHEMA = "bench_graph"
ISSUER = "https://loomline.test"
BRANDS = 20
TIER_SHARES = (0.1, 0.25, 0.3, 0.35)  # tier 1 (finished goods) .. tier 4 (raw materials)
BATCH = 5000


def _ids(prefix: str, n: int) -> list[str]:
    seen: set[str] = set()
    while len(seen) < n:
        seen.add(public_ids.new_public_id(prefix))
    return sorted(seen)


def _insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(sa.insert(table), rows[start : start + BATCH])


def _link(
    kind: RelationshipKind, ends: tuple[EndpointKind, Any, EndpointKind, Any], by: Any, **attrs: Any
) -> dict[str, Any]:
    now = utcnow()
    return {
        "id": uuid7(),
        "kind": kind,
        "from_kind": ends[0],
        "from_id": ends[1],
        "to_kind": ends[2],
        "to_id": ends[3],
        "contributor_organization_id": by,
        "created_at": now,
        "updated_at": now,
        **attrs,
    }


def build_network(session: Session, rng: random.Random, brands: list[Any], *, facilities: int, links: int) -> list[Any]:
    """Insert the network; returns the measured brand's tier-1 facility ids."""
    now = utcnow()
    fac_rows = [
        {"id": uuid7(), "public_id": pid, "name": f"Site {i}", "normalised_name": f"site {i}", "country": "BD",
         "created_at": now, "updated_at": now}
        for i, pid in enumerate(_ids(public_ids.PREFIX, facilities))
    ]  # fmt: skip
    _insert(session, Facility, fac_rows)
    recruiter_rows = [
        {"id": uuid7(), "public_id": pid, "name": f"Agency {i}", "normalised_name": f"agency {i}", "country": "NP",
         "countries_of_operation": [], "created_at": now, "updated_at": now}
        for i, pid in enumerate(_ids(public_ids.RECRUITER_PREFIX, max(facilities // 10, 2)))
    ]  # fmt: skip
    _insert(session, Recruiter, recruiter_rows)
    ids = [r["id"] for r in fac_rows]
    tiers, start = [], 0
    for share in TIER_SHARES:
        size = max(int(facilities * share), 1)
        tiers.append(ids[start : start + size])
        start += size
    recruiters = [r["id"] for r in recruiter_rows]
    me, others = brands[0], brands[1:]
    fk, rk, ok = EndpointKind.facility, EndpointKind.recruiter, EndpointKind.organization

    def by() -> Any:
        return me if rng.random() < 0.5 else rng.choice(others)

    rows: list[dict[str, Any]] = []
    my_tier1 = rng.sample(tiers[0], min(250, len(tiers[0])))
    for brand in brands:
        for fid in my_tier1 if brand == me else rng.sample(tiers[0], min(250, len(tiers[0]))):
            rows.append(_link(RelationshipKind.sources_from, (ok, brand, fk, fid), brand, tier=1))
    for fid in rng.sample(tiers[1], min(250, len(tiers[1]))):
        rows.append(_link(RelationshipKind.sources_from, (ok, me, fk, fid), me, tier=2))
    remaining = links - len(rows)
    n_recruits, n_sub = remaining // 10, remaining // 25
    pairs: set[tuple[Any, Any]] = set()
    while len(pairs) < remaining - n_recruits - n_sub:
        level = rng.randrange(1, len(tiers))
        pairs.add((rng.choice(tiers[level]), rng.choice(tiers[level - 1])))
    rows += [_link(RelationshipKind.supplies, (fk, a, fk, b), by(), material="yarn") for a, b in pairs]
    rows += [
        _link(RelationshipKind.recruits_for, (rk, rng.choice(recruiters), fk, rng.choice(ids)), by(),
              workers_placed=rng.randrange(1, 200), fee_per_worker=float(rng.randrange(0, 2000)), fee_currency="USD")
        for _ in range(n_recruits)
    ]  # fmt: skip
    half = len(recruiters) // 2  # sub-agents (first half) work for agents (second half): no cycles
    rows += [
        _link(
            RelationshipKind.subcontracts, (rk, rng.choice(recruiters[:half]), rk, rng.choice(recruiters[half:])), by()
        )
        for _ in range(n_sub)
    ]
    for row in rows:
        row["public_id"] = public_ids.new_public_id("LK")
    _insert(session, Relationship, rows)
    return my_tier1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(call: Callable[[], int], repeat: int) -> tuple[list[float], int]:
    call()  # warm-up
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = call()
        times.append((time.perf_counter() - started) * 1000)
    return times, size


def run(url: str, label: str, *, facilities: int, links: int, repeat: int, seed: int) -> None:
    settings = Settings(database_url=url, issuer=ISSUER)
    engine = create_engine(settings)
    with engine.begin() as conn:
        migrations.upgrade(conn)
    factory = create_sessionmaker(engine)
    rng = random.Random(seed)  # noqa: S311 (reproducible test data, not secrets)
    with transaction(factory) as s:
        brands = [
            policies_service.create_organization(s, None, kind=OrganizationKind.brand, display_name=f"Brand {i}").id
            for i in range(BRANDS)
        ]
        issued = policies_service.create_client(s, None, organization_id=brands[0], scopes="graph:read")
        client_id, secret = issued.client.client_id, issued.client_secret
    started = time.perf_counter()
    with transaction(factory) as s:
        my_tier1 = build_network(s, rng, brands, facilities=facilities, links=links)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")  # fresh statistics, as a running database would have
        stored = conn.scalar(sa.select(sa.func.count()).select_from(Relationship))
        visible = conn.scalar(
            sa.select(sa.func.count())
            .select_from(Relationship)
            .where(Relationship.contributor_organization_id == brands[0])
        )
        public = dict(conn.execute(sa.select(Facility.id, Facility.public_id).where(Facility.id.in_(my_tier1))).all())
    build_seconds = time.perf_counter() - started
    engine.dispose()
    print(f"{label}: {facilities} facilities, {stored} links ({visible} stated by the measured brand),"
          f" built in {build_seconds:.1f} s")  # fmt: skip

    with TestClient(create_app(settings), base_url=ISSUER) as client:
        token = client.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        sites: Iterator[str] = iter(rng.choice(list(public.values())) for _ in range(repeat + 1))

        def get(path: str, **params: Any) -> Callable[[], int]:
            def call() -> int:
                response = client.get(path.format(site=next(sites)) if "{site}" in path else path,
                                      params=params, headers=headers)  # fmt: skip
                assert response.status_code == 200, response.text
                return len(response.content)

            return call

        queries = {
            "upstream depth 4": get("/v1/graph/facilities/{site}/upstream", depth=4),
            "shared-suppliers": get("/v1/graph/shared-suppliers"),
            "network JSON": get("/v1/graph/network"),
            "network GraphML": get("/v1/graph/network", format="graphml"),
        }
        for name, call in queries.items():
            times, size = timed(call, repeat)
            print(f"  {name:18} p50 {statistics.median(times):8.1f} ms   p95 {percentile(times, 0.95):8.1f} ms"
                  f"   ({size / 1024:.0f} KiB)")  # fmt: skip


def postgres_url(base: str) -> str:
    return fresh_schema_url(base, SCHEMA)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--facilities", type=int, default=10_000)
    parser.add_argument("--links", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres-url", help="also run on this PostgreSQL + PostGIS database")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    sizes = {"facilities": args.facilities, "links": args.links, "repeat": args.repeat, "seed": args.seed}
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", "SQLite + SpatiaLite", **sizes)
    if args.postgres_url:
        run(postgres_url(args.postgres_url), "PostgreSQL + PostGIS", **sizes)


if __name__ == "__main__":
    main()
