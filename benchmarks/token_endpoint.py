"""Latency of the token endpoint of a real `loomline serve`, over loopback with keep-alive.

Creates (or, with ``--use-env-db``, reuses) a database, migrates it, registers one client,
starts the server in a subprocess, warms up, then times sequential requests one by one:

    uv run python benchmarks/token_endpoint.py [--requests 1000] [--also-verify] [--use-env-db]

Not part of the test suite. Figures depend on the machine; compare runs on the same one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from core import migrations
from core.db import create_engine, create_sessionmaker, transaction
from core.principal import OrganizationKind
from core.settings import Settings
from policies import service as policies_service
from tests.live_server import running_server

SCOPES = "graph:read risk:read"
VERSION_QUERIES = {
    "sqlite": "SELECT sqlite_version() || ', SpatiaLite ' || spatialite_version()",
    "postgresql": "SELECT current_setting('server_version') || ', PostGIS ' || postgis_lib_version()",
}


@dataclass(frozen=True)
class Client:
    organization_id: uuid.UUID
    client_id: str
    client_secret: str


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="timed requests per endpoint (default 1000)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first (default 20)")
    parser.add_argument(
        "--use-env-db",
        action="store_true",
        help="use LOOMLINE_DATABASE_URL (migrated, and given a benchmark org + client) instead of a temp SQLite file",
    )
    parser.add_argument("--also-verify", action="store_true", help="also time GET /v1/organizations/me with a token")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.warmup < 0:
        parser.error("--requests must be >= 1 and --warmup >= 0")
    return args


def database_url(args: argparse.Namespace, workdir: Path) -> str:
    if not args.use_env_db:
        return f"sqlite:///{workdir / 'bench.sqlite'}"
    url = os.environ.get("LOOMLINE_DATABASE_URL")
    if not url:
        sys.exit("--use-env-db needs LOOMLINE_DATABASE_URL")
    return url


def prepare_database(settings: Settings) -> tuple[str, Client]:
    """Migrate and register one client; returns the dialect's description and the credentials."""
    engine = create_engine(settings)
    try:
        with engine.begin() as conn:
            migrations.upgrade(conn)
            version = conn.exec_driver_sql(VERSION_QUERIES[engine.dialect.name]).scalar_one()
        with transaction(create_sessionmaker(engine)) as session:
            org = policies_service.create_organization(
                session, None, kind=OrganizationKind.brand, display_name=f"Benchmark brand {uuid.uuid4().hex[:8]}"
            )
            issued = policies_service.create_client(session, None, organization_id=org.id, scopes=SCOPES)
            client = Client(org.id, issued.client.client_id, issued.client_secret)
        url = engine.url.render_as_string(hide_password=True)
        return f"{engine.dialect.name} {version} ({url})", client
    finally:
        engine.dispose()


@dataclass
class Sample:
    """Latencies (seconds) of the successful requests, what went wrong with the others, total wall time."""

    latencies: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    wall: float = 0.0


def attempt(call: Callable[[], httpx.Response]) -> tuple[float, str | None]:
    """One request: its latency, and what went wrong (None if it answered 200)."""
    t0 = time.perf_counter()
    try:
        status = call().status_code
    except httpx.TransportError as exc:  # e.g. the server dropped a keep-alive connection
        return time.perf_counter() - t0, type(exc).__name__
    return time.perf_counter() - t0, None if status == 200 else f"HTTP {status}"


def timed(call: Callable[[], httpx.Response], *, warmup: int, count: int) -> Sample:
    """``count`` sequential calls after ``warmup`` untimed ones (their failures are counted too)."""
    sample = Sample()
    for _ in range(warmup):
        _, failure = attempt(call)
        if failure:
            sample.failures[f"{failure} (warm-up)"] += 1
    started = time.perf_counter()
    for _ in range(count):
        latency, failure = attempt(call)
        if failure:
            sample.failures[failure] += 1
        else:
            sample.latencies.append(latency)
    sample.wall = time.perf_counter() - started
    return sample


def report(label: str, sample: Sample) -> None:
    ms = sorted(x * 1000 for x in sample.latencies)
    failures = ", ".join(f"{n} x {what}" for what, n in sorted(sample.failures.items())) or "none"
    if not ms:
        print(f"{label:<28} no successful request; failures: {failures}")
        return
    # "inclusive" treats the sample as the whole population: p99 of 1000 lies between the 990th and 991st.
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
    print(
        f"{label:<28} n={len(ms):<5} p50={statistics.median(ms):7.2f} ms  p95={cuts[94]:7.2f} ms  "
        f"p99={cuts[98]:7.2f} ms  max={ms[-1]:7.2f} ms  {len(ms) / sample.wall:7.1f} req/s  failures: {failures}"
    )


def one_token(token_request: Callable[[], httpx.Response], *, tries: int = 10) -> str:
    """An access token, despite the failures the token run may have shown."""
    for _ in range(tries):
        try:
            response = token_request()
        except httpx.TransportError:
            continue
        if response.status_code == 200:
            token: str = response.json()["access_token"]
            return token
    sys.exit(f"no access token after {tries} tries")


def benchmark(base_url: str, client: Client, args: argparse.Namespace) -> list[Sample]:
    form = {"grant_type": "client_credentials"}
    auth = (client.client_id, client.client_secret)
    with httpx.Client(base_url=base_url, timeout=30.0) as http:  # one connection, kept alive

        def token_request() -> httpx.Response:
            return http.post("/oauth/token", data=form, auth=auth)

        tokens = timed(token_request, warmup=args.warmup, count=args.requests)
        report("POST /oauth/token (basic)", tokens)
        if not args.also_verify:
            return [tokens]
        headers = {"Authorization": f"Bearer {one_token(token_request)}"}

        def me_request() -> httpx.Response:
            return http.get("/v1/organizations/me", headers=headers)

        me = timed(me_request, warmup=args.warmup, count=args.requests)
        report("GET /v1/organizations/me", me)
        return [tokens, me]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="loomline-bench-") as tmp:
        workdir = Path(tmp)
        url = database_url(args, workdir)
        dialect, client = prepare_database(Settings(database_url=url))
        print(f"database: {dialect}")
        print(f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs; sequential, keep-alive")
        with running_server(url, workdir / "server.log") as base_url:
            samples = benchmark(base_url, client, args)
    if any(sample.failures for sample in samples):
        sys.exit("some requests failed: the figures above cover only the successful ones")


if __name__ == "__main__":
    main()
