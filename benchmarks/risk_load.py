"""GET /v1/risk/facilities/{id} under concurrent clients: `loomline serve` on loopback, the demo
network (scored), N clients each sending requests back to back as the first demo brand.

    uv run python benchmarks/risk_load.py [--clients 50] [--requests 2000] [--postgres-url URL]

Prints p50/p95/p99 latency and requests/s per dialect. The load runs in this process (asyncio +
httpx), the server in another: on a 2-CPU machine both compete for the CPUs, so read the figures
as a lower bound of what a separate server machine would do.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from benchmarks.pg_schema import drop_schema, fresh_schema_url
from core.db import create_engine
from core.settings import Settings
from graph.models import Facility
from policies import service as policies_service
from policies.models import Organization
from tests.live_server import running_server

SCHEMA = "bench_risk_load"
ROOT = Path(__file__).resolve().parents[1]


def prepare(database_url: str) -> tuple[str, str, list[str]]:
    """Migrate, load the demo (which scores it); a fresh client of the first demo brand and the site ids."""
    env = os.environ | {"LOOMLINE_DATABASE_URL": database_url}
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([sys.executable, "-m", "cli.main", *command], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    engine = create_engine(Settings(database_url=database_url))
    try:
        with engine.begin() as conn:
            sites = list(conn.execute(sa.select(Facility.public_id).where(Facility.merged_into_id.is_(None))).scalars())
        from core.db import create_sessionmaker, transaction

        with transaction(create_sessionmaker(engine)) as session:
            brand = session.scalars(
                sa.select(Organization).where(Organization.display_name == "Atlas Apparel (demo)")
            ).one()
            issued = policies_service.create_client(session, None, organization_id=brand.id, scopes="risk:read")
            return issued.client.client_id, issued.client_secret, sites
    finally:
        engine.dispose()


async def load(base_url: str, token: str, sites: list[str], *, clients: int, requests: int) -> list[float]:
    latencies: list[float] = []
    per_client = requests // clients
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {token}"}, limits=limits
    ) as http:

        async def client(offset: int) -> None:
            for i in range(per_client):
                started = time.perf_counter()
                response = await http.get(f"/v1/risk/facilities/{sites[(offset + i) % len(sites)]}")
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()

        await asyncio.gather(*(client(n) for n in range(clients)))
    return latencies


def run(database_url: str, label: str, *, clients: int, requests: int) -> None:
    client_id, secret, sites = prepare(database_url)
    with tempfile.TemporaryDirectory() as folder, running_server(database_url, Path(folder) / "server.log") as base:
        answer = httpx.post(f"{base}/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
        if answer.status_code != 200:
            raise SystemExit(f"token refused: {answer.status_code} {answer.text}")
        token = answer.json()["access_token"]
        asyncio.run(load(base, token, sites, clients=clients, requests=clients))  # warm-up
        started = time.perf_counter()
        latencies = asyncio.run(load(base, token, sites, clients=clients, requests=requests))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"{label:<22} {len(latencies):,} requests, {clients} clients: p50 {cuts[49] * 1000:.0f} ms  "
        f"p95 {cuts[94] * 1000:.0f} ms  p99 {cuts[98] * 1000:.0f} ms  {len(latencies) / elapsed:.0f} req/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--postgres-url", help="also run on PostgreSQL+PostGIS (in schema bench_risk_load)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/load.sqlite", "SQLite + SpatiaLite", clients=args.clients, requests=args.requests)
    if args.postgres_url:
        try:
            url = fresh_schema_url(args.postgres_url, SCHEMA)
            run(url, "PostgreSQL + PostGIS", clients=args.clients, requests=args.requests)
        finally:
            drop_schema(args.postgres_url, SCHEMA)


if __name__ == "__main__":
    main()
