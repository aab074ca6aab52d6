"""Bulk facility upload + matching throughput, against the per-row baseline, per dialect.

    uv run python benchmarks/upload_throughput.py --rows 10000 [--seed 7] [--baseline-rows N] [--tail N]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/loomline_bench_upload] [--no-sqlite]

Generates a realistic facility list: real rows of the Open Apparel Registry lists (see
benchmarks/data/README.md) and synthetic sites modelled on them (another invented name in a real
row's town, another house number, the geocode moved a few km), then, among them, rewrites of
earlier rows as another list would write them (benchmarks/make_facility_pairs.py's ``Rewriter``:
legal forms, case, typos, Chinese script, jittered or missing geocodes; ~18%), other units of an
earlier row's company (~5%: potential matches) and rows with errors (~4%: unknown country, latitude
out of range, a non-number headcount).

For each dialect, on an empty registry each time: stores the list as an upload (timed apart),
then processes it with the bulk path (graph/bulk.py ``register_many``, chunks of 500) and, on
another empty registry, with the per-row baseline (``register_each``: ``create_facility`` per
row). Prints rows/s of both, the ratio, and the outcome counts of both (which must agree).
``--baseline-rows`` measures the baseline on the first N rows only (the 100,000-row baseline
takes hours); the ratio is then per row, but the baseline meets an almost empty registry while
the bulk path meets one growing to ``--rows``. ``--tail N`` adds the like-for-like comparison at
full size: the N rows that follow in the same list, uploaded by another member, processed by each
path against its own copy of the registry the bulk run built (SQLite: a file copy; PostgreSQL: a
database made from it as a template). The PostgreSQL run works in its own schema
(``bench_uploads``), dropped afterwards. Not part of the test suite; figures depend on the machine.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from benchmarks import make_facility_pairs as pairs
from benchmarks import pg_schema
from benchmarks.pg_schema import fresh_schema_url
from core import migrations
from core.db import create_engine, create_sessionmaker, transaction
from core.principal import OrganizationKind, Principal
from core.settings import Settings
from ingest.csv_safety import write_csv
from ingest.uploads import processing
from ingest.uploads import service as upload_service
from ingest.uploads.models import FacilityUpload
from ingest.uploads.reader import UploadLimits
from policies import service as policies_service

SCHEMA = "bench_uploads"
CHUNK_ROWS_FOR_PROGRESS = processing.CHUNK_ROWS
HEADER = ["name", "address", "country", "lat", "lng", "sector", "number_of_workers", "tier"]
SYLLABLES = (
    "ka", "ri", "ma", "lo", "tan", "sun", "bri", "del", "gor", "han", "jit", "kel", "mon", "nor", "pra", "sag",
    "tek", "vin", "wal", "yor", "zen", "fu", "xin", "hua", "long", "mei", "bao", "tai", "viet", "phu",
)  # fmt: skip
TRADES = ("Garment", "Knitting", "Textile", "Apparel", "Footwear", "Denim", "Sweater", "Fashion", "Dyeing", "Weaving")
LEGAL = ("Co., Ltd", "Ltd.", "Limited", "Pvt. Ltd", "", "Company Limited")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _synthetic(rng: random.Random, template: pairs.Row, n: int) -> pairs.Row:
    """Another site in the template's town: an invented name, another house number, a few km off."""
    name = f"{_word(rng)} {rng.choice(TRADES)} {rng.choice(LEGAL)}".strip()
    address = f"No. {rng.randint(1, 999)}, {_word(rng)} Road, {template.address}"
    lat, lng = template.lat, template.lng
    if lat is not None and lng is not None:
        km, bearing = rng.uniform(2, 40), rng.uniform(0, 2 * math.pi)
        lat = round(lat + km * math.cos(bearing) / 111.32, 6)
        lng = round(lng + km * math.sin(bearing) / (111.32 * max(0.1, math.cos(math.radians(lat)))), 6)
    return pairs.Row(f"syn:{n}", template.country, name, address, lat, lng)


def _cells(row: pairs.Row | pairs.Variant, rng: random.Random) -> list[object]:
    workers = rng.choice(["", str(rng.randint(50, 5000)), f"{rng.randint(1, 9)},{rng.randint(100, 999)}"])
    return [row.name, row.address, row.country, row.lat or "", row.lng or "", "Apparel", workers, rng.randint(1, 4)]


def facility_list(n: int, seed: int) -> list[list[object]]:
    """``n`` rows: new sites, rewrites and other units of earlier ones, and rows with errors."""
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data, not a secret
    real = [r for r in pairs.load_rows() if r.cc and r.name.strip()]
    rng.shuffle(real)
    by_country: dict[str, list[pairs.Row]] = {}
    rewriter = pairs.Rewriter(rng)
    emitted: list[pairs.Row] = []
    out: list[list[object]] = []
    while len(out) < n:
        roll = rng.random()
        if emitted and roll < 0.18:
            out.append(_cells(rewriter.positive(rng.choice(emitted)), rng))
        elif emitted and roll < 0.23:
            base = rng.choice(emitted)
            _, _, unit = pairs.synthetic_unit(rng, base, by_country.get(base.cc, [base]))
            out.append(_cells(unit, rng))
        elif roll < 0.27:
            row = _cells(rng.choice(real), rng)
            column, bad = rng.choice([(2, "Atlantis"), (3, "123.5"), (6, "about 300")])
            row[column] = bad
            out.append(row)
        else:
            base = real[len(emitted)] if len(emitted) < len(real) else _synthetic(rng, rng.choice(real), len(out))
            emitted.append(base)
            by_country.setdefault(base.cc, []).append(base)
            out.append(_cells(base, rng))
    return out


@dataclass(frozen=True)
class Measured:
    rows: int
    store_seconds: float
    process_seconds: float
    counts: Counter[str]

    @property
    def rate(self) -> float:
        return self.rows / self.process_seconds


def _principal(factory: sessionmaker[Session]) -> Principal:
    with transaction(factory) as s:
        org = policies_service.create_organization(s, None, kind=OrganizationKind.brand, display_name="Bench brand")
        issued = policies_service.create_client(s, None, organization_id=org.id, scopes="graph:read graph:write")
    return Principal(org.id, OrganizationKind.brand, issued.client.client_id, frozenset({"graph:write"}), "bench")


def _progress_printer(label: str, rows: int) -> processing.Progress:
    """Print a line about every 5% of the rows: done, elapsed, overall and recent rows/s."""
    started = time.perf_counter()
    step = max(CHUNK_ROWS_FOR_PROGRESS, rows // 20)
    last = {"rows": 0, "at": started, "printed": 0}

    def show(upload: FacilityUpload) -> None:
        done, now = upload.processed_rows, time.perf_counter()
        if done - last["printed"] < step and done < rows:
            return
        recent = (done - last["rows"]) / max(now - last["at"], 1e-9)
        print(
            f"    {label}: {done}/{rows} rows, {now - started:.0f} s, "
            f"{done / max(now - started, 1e-9):.0f} rows/s overall, {recent:.0f} rows/s recently",
            flush=True,
        )
        last.update(rows=done, at=now, printed=done)

    return show


def measure(url: str, content: bytes, rows: int, method: processing.Method, *, fresh: bool = True) -> Measured:
    """Store and process one list on an empty registry (migrated from scratch), or (``fresh``
    False) on the registry already there, as another member's upload."""
    engine = create_engine(Settings(database_url=url))
    if fresh:
        with engine.begin() as conn:
            migrations.downgrade(conn, "base")
        with engine.begin() as conn:
            migrations.upgrade(conn)
    factory = create_sessionmaker(engine)
    principal = _principal(factory)
    limits = UploadLimits(max_bytes=500 * 1024 * 1024, max_rows=1_000_000)
    started = time.perf_counter()
    with transaction(factory) as s:
        upload_id = upload_service.store_upload(
            s, principal, raw=content, filename="bench.csv", limits=limits
        ).upload.id
    stored = time.perf_counter()
    processing.process_upload(factory, upload_id, method=method, progress=_progress_printer(method, rows))
    done = time.perf_counter()
    with factory() as s:
        upload = s.get(FacilityUpload, upload_id)
        assert upload is not None
        counts = Counter(
            created=upload.created_count,
            matched=upload.matched_count,
            potential_match=upload.potential_match_count,
            error=upload.error_count,
        )
    engine.dispose()
    return Measured(rows, stored - started, done - stored, counts)


def run(
    url: str,
    rows: list[list[object]],
    baseline_rows: int,
    *,
    baseline_url: str | None = None,
    tail: list[list[object]] | None = None,
) -> None:
    """Both paths on ``url`` (migrated from scratch for each); the baseline on ``baseline_url``
    when given (SQLite: a fresh file, as dropping a 100,000-row registry's tables takes longer
    than the baseline itself). With ``tail``: both paths on those rows, each against a copy of
    the registry the bulk run left."""
    content = write_csv(HEADER, rows).encode()
    print(f"  storing and processing {len(rows)} rows with the bulk path", flush=True)
    bulk = measure(url, content, len(rows), "bulk")
    print(f"  bulk path:    {bulk.rows} rows in {bulk.process_seconds:.1f} s = {bulk.rate:.0f} rows/s")
    print(f"    (storing the upload: {bulk.store_seconds:.1f} s); outcomes {dict(bulk.counts)}")
    if tail:  # before the baseline, which may migrate the same database afresh
        _run_tail(url, tail)
    sample = rows[:baseline_rows]
    naive = measure(baseline_url or url, write_csv(HEADER, sample).encode(), len(sample), "per_row")
    scope = "" if len(sample) == len(rows) else f" (first {len(sample)} rows)"
    print(f"  per-row path: {naive.rows} rows in {naive.process_seconds:.1f} s = {naive.rate:.0f} rows/s{scope}")
    print(f"    outcomes {dict(naive.counts)}")
    print(f"  ratio bulk/per-row: {bulk.rate / naive.rate:.1f}x")
    if len(sample) == len(rows) and bulk.counts != naive.counts:
        print("  WARNING: the two paths' outcome counts differ")


def _run_tail(url: str, tail: list[list[object]]) -> None:
    """Both paths on ``tail`` against equal registries: a copy of the bulk run's for the per-row
    path, the registry itself for the bulk path."""
    content = write_csv(HEADER, tail).encode()
    print(f"  the next {len(tail)} rows against the full registry, each path on its own copy", flush=True)
    with registry_copy(url) as copy_url:
        naive = measure(copy_url, content, len(tail), "per_row", fresh=False)
    bulk = measure(url, content, len(tail), "bulk", fresh=False)
    for label, m in (("bulk path:   ", bulk), ("per-row path:", naive)):
        print(f"  {label} {m.rows} rows in {m.process_seconds:.1f} s = {m.rate:.0f} rows/s; outcomes {dict(m.counts)}")
    print(f"  ratio bulk/per-row at full size: {bulk.rate / naive.rate:.1f}x")
    if bulk.counts != naive.counts:
        print("  WARNING: the two paths' outcome counts differ")


@contextmanager
def registry_copy(url: str) -> Iterator[str]:
    """A copy of the registry at ``url``, dropped afterwards: a file copy for SQLite, a database
    made with ``url``'s database as its template for PostgreSQL (nothing may be connected to it)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = Path(str(parsed.database))
        target = source.with_name(f"copy-{source.name}")
        shutil.copyfile(source, target)
        try:
            yield str(parsed.set(database=str(target)))
        finally:
            target.unlink(missing_ok=True)
        return
    database = str(parsed.database)
    copy = f"{database}_copy"
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{copy}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{copy}" TEMPLATE "{database}"')
        yield parsed.set(database=copy).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        admin.dispose()


def postgres_url(base: str) -> str:
    return fresh_schema_url(base, SCHEMA)


def drop_schema(base: str) -> None:
    pg_schema.drop_schema(base, SCHEMA)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000, help="rows in the generated list (default 10000)")
    parser.add_argument("--baseline-rows", type=int, help="measure the per-row baseline on the first N rows only")
    parser.add_argument(
        "--tail", type=int, default=0, help="also time both paths on N more rows against the full registry"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres-url", help="also run on PostgreSQL+PostGIS (in schema bench_uploads)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite + SpatiaLite run")
    args = parser.parse_args()
    listed = facility_list(args.rows + args.tail, args.seed)  # the first --rows rows do not depend on --tail
    rows, tail = listed[: args.rows], listed[args.rows :]
    baseline_rows = min(args.baseline_rows or args.rows, args.rows)
    print(f"{len(rows)} rows (seed {args.seed})")
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as workdir:
            print("SQLite + SpatiaLite (file)")
            base = Path(workdir)
            run(
                f"sqlite:///{base / 'bulk.sqlite'}",
                rows,
                baseline_rows,
                baseline_url=f"sqlite:///{base / 'per_row.sqlite'}",
                tail=tail,
            )
    if args.postgres_url:
        print("PostgreSQL + PostGIS")
        try:
            run(postgres_url(args.postgres_url), rows, baseline_rows, tail=tail)
        finally:
            drop_schema(args.postgres_url)


if __name__ == "__main__":
    main()
