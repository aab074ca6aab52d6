"""Recruiter registration throughput and matching quality, per dialect.

Registers N synthetic recruiters (one member), then M variants of them as another member would
write them (legal form spelt out or dotted, upper case, a typo, a rebrand under the same licence
printed differently) and M distractors (another agency with the same kind of name in the same
country). Each registration is one transaction, like one API request. Prints registrations/s and
how many variants attached to the right recruiter, and how many registrations attached wrongly:

    uv run python benchmarks/recruiter_registration.py [-n 1000] [-m 300]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/loomline_dev]

The PostgreSQL run works in its own schema (``bench_recruiters``), dropped afterwards. Not part
of the test suite; figures depend on the machine.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from benchmarks import pg_schema
from benchmarks.pg_schema import fresh_schema_url
from core import migrations
from core.db import create_engine, create_sessionmaker, transaction
from core.principal import OrganizationKind, Principal
from core.settings import Settings
from graph import recruiters as recruiter_service
from graph.recruiter_schemas import RecruiterCreate
from policies import service as policies_service

SCHEMA = "bench_recruiters"
SYLLABLES = ("ka", "ri", "ma", "lo", "tan", "sun", "bri", "del", "gor", "han", "jit", "kel", "mon", "nor", "pra", "sag",
             "tul", "var", "yan", "zen", "bha", "cho", "dum")  # fmt: skip
#: (country, name template, legal form, its spelt-out or dotted variant)
TEMPLATES = (
    ("NP", "{w} Manpower Services", "Pvt. Ltd.", "Private Limited"),
    ("NP", "{w} Overseas", "Pvt. Ltd.", "Private Limited"),
    ("ID", "{w} Jaya Tenaga Kerja", "PT", "P.T."),
    ("BD", "{w} Overseas Employment", "Ltd.", "Limited"),
    ("PH", "{w} Manpower", "Inc.", "Incorporated"),
    ("VN", "{w} Labour Export", "JSC", "Joint Stock Company"),
    ("MM", "{w} Employment Agency", "Co., Ltd.", "Company Limited"),
)


@dataclass(frozen=True, slots=True)
class Base:
    word: str
    template: int
    licence: str | None

    def name(self, *, word: str | None = None, spelt: bool = False) -> str:
        _, pattern, legal, long_legal = TEMPLATES[self.template]
        form = long_legal if spelt else legal
        text = pattern.format(w=(word or self.word).capitalize())
        return f"{form} {text}" if legal in ("PT",) else f"{text} {form}"

    @property
    def country(self) -> str:
        return TEMPLATES[self.template][0]


def pseudo_word(rng: random.Random, used: set[str]) -> str:
    while True:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((3, 3, 4))))
        if word not in used:
            used.add(word)
            return word


def typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + rng.choice("aeiou".replace(word[i], "")) + word[i + 1 :]


def reformat_licence(licence: str) -> str:
    return licence.replace("/", " - ").lower()


def variant(rng: random.Random, base: Base, used: set[str]) -> tuple[str, RecruiterCreate]:
    kinds = ["legal", "upper", "typo"] + (["rebrand"] if base.licence else [])
    kind = rng.choice(kinds)
    if kind == "legal":
        return kind, RecruiterCreate(name=base.name(spelt=True), country=base.country)
    if kind == "upper":
        return kind, RecruiterCreate(name=base.name().upper(), country=base.country)
    if kind == "typo":
        return kind, RecruiterCreate(name=base.name(word=typo(rng, base.word)), country=base.country)
    assert base.licence is not None
    name = base.name(word=pseudo_word(rng, used))
    return kind, RecruiterCreate(name=name, country=base.country, licence_number=reformat_licence(base.licence))


def principal_of(factory: sessionmaker[Session], name: str) -> Principal:
    with transaction(factory) as s:
        org = policies_service.create_organization(s, None, kind=OrganizationKind.brand, display_name=name)
        return Principal(org.id, OrganizationKind.brand, "bench", frozenset({"graph:write"}), "bench")


Outcome = tuple[str, list[str]]  # the recruiter attached to or created, the potential matches offered


def timed(factory: sessionmaker[Session], calls: list[Callable[[Session], Outcome]]) -> tuple[list[Outcome], float]:
    results: list[Outcome] = []
    started = time.perf_counter()
    for call in calls:
        with transaction(factory) as s:
            results.append(call(s))
    return results, time.perf_counter() - started


def register(principal: Principal, body: RecruiterCreate) -> Callable[[Session], Outcome]:
    def call(session: Session) -> Outcome:
        outcome = recruiter_service.create_recruiter(session, principal, body=body)
        return outcome.recruiter.public_id, [c.recruiter.public_id for c in outcome.potential]

    return call


def run(url: str, *, n: int, m: int, seed: int) -> None:
    engine = create_engine(Settings(database_url=url))
    with engine.begin() as conn:
        migrations.upgrade(conn)
    factory = create_sessionmaker(engine)
    first, second = principal_of(factory, "bench first"), principal_of(factory, "bench second")
    rng, used = random.Random(seed), set[str]()  # noqa: S311 (reproducible test data, not secrets)
    bases = [
        Base(pseudo_word(rng, used), rng.randrange(len(TEMPLATES)), f"{rng.randrange(10**4)}/{rng.randrange(10**3)}/82")
        for _ in range(n)
    ]
    bases = [b if rng.random() < 0.6 else Base(b.word, b.template, None) for b in bases]
    base_bodies = [RecruiterCreate(name=b.name(), country=b.country, licence_number=b.licence) for b in bases]
    base_outcomes, base_seconds = timed(factory, [register(first, body) for body in base_bodies])
    base_ids = [got for got, _ in base_outcomes]

    picked = [rng.randrange(n) for _ in range(m)]
    variants = [variant(rng, bases[i], used) for i in picked]
    distractors = [
        RecruiterCreate(name=Base(pseudo_word(rng, used), bases[i].template, None).name(), country=bases[i].country)
        for i in picked
    ]
    variant_outcomes, variant_seconds = timed(factory, [register(second, body) for _, body in variants])
    distractor_outcomes, distractor_seconds = timed(factory, [register(second, body) for body in distractors])

    matched, wrong, offered, missed = Counter[str](), Counter[str](), Counter[str](), Counter[str]()
    known = set(base_ids)
    for (kind, _), index, (got, potential) in zip(variants, picked, variant_outcomes, strict=True):
        if got == base_ids[index]:
            matched[kind] += 1
        elif got in known:
            wrong[kind] += 1
        elif base_ids[index] in potential:
            offered[kind] += 1
        else:
            missed[kind] += 1
        known.add(got)
    false_distractors = sum(1 for got, _ in distractor_outcomes if got in known)
    offered_distractors = sum(1 for _, potential in distractor_outcomes if potential)
    with engine.connect() as conn:
        total = conn.scalar(sa.text("SELECT count(*) FROM recruiters"))
    engine.dispose()

    total_seconds = base_seconds + variant_seconds + distractor_seconds
    print(f"  {n + 2 * m} registrations in {total_seconds:.1f} s: {(n + 2 * m) / total_seconds:.0f}/s")
    print(
        f"    new recruiters: {n / base_seconds:.0f}/s; variants: {m / variant_seconds:.0f}/s;"
        f" distractors: {m / distractor_seconds:.0f}/s"
    )
    kinds = sorted(set(matched) | set(wrong) | set(offered) | set(missed))
    print(f"  variants attached to the right recruiter: {sum(matched.values())}/{m}")
    for kind in kinds:
        count = matched[kind] + wrong[kind] + offered[kind] + missed[kind]
        print(
            f"    {kind:8} {matched[kind]:4}/{count:<4} wrong {wrong[kind]},"
            f" new with the right one offered as potential {offered[kind]}, new {missed[kind]}"
        )
    print(
        f"  false matches: {sum(wrong.values())} variants attached to another recruiter,"
        f" {false_distractors}/{m} distractors attached to an existing one"
        f" ({offered_distractors} offered a potential match)"
    )
    print(f"  recruiters stored: {total}")


def postgres_url(base: str) -> str:
    return fresh_schema_url(base, SCHEMA)


def drop_schema(base: str) -> None:
    pg_schema.drop_schema(base, SCHEMA)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=1000, help="recruiters registered first (default 1000)")
    parser.add_argument("-m", type=int, default=300, help="variants, and as many distractors (default 300)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres-url", help="also run on PostgreSQL+PostGIS (in schema bench_recruiters)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        print("SQLite + SpatiaLite (file)")
        run(f"sqlite:///{Path(workdir) / 'bench.sqlite'}", n=args.n, m=args.m, seed=args.seed)
    if args.postgres_url:
        print("PostgreSQL + PostGIS")
        try:
            run(postgres_url(args.postgres_url), n=args.n, m=args.m, seed=args.seed)
        finally:
            drop_schema(args.postgres_url)


if __name__ == "__main__":
    main()
