"""The bulk registration path gives the per-row path's outcomes, row for row, on both dialects."""

from __future__ import annotations

import random
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.principal import OrganizationKind, Principal
from graph import bulk, repository, shared_sites
from graph import service as graph_service
from graph.models import FacilityMatchKey
from graph.schemas import FacilityCreate, IdentifierIn
from policies import audit
from policies import service as policies_service
from policies.visibility import facility_read_scope


def letters(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(9))


def principal_of(session: Session) -> Principal:
    org = policies_service.create_organization(
        session, None, kind=OrganizationKind.brand, display_name=f"Bulk {uuid.uuid4().hex[:6]}"
    )
    return Principal(org.id, OrganizationKind.brand, "bulk-test", frozenset({"graph:write"}), "t")


def facility_list(rng: random.Random, tag: str, taken: dict[str, str]) -> list[FacilityCreate]:
    """New sites, rewrites of earlier rows (case, legal form, jittered point, no point), other
    units (potential matches), shared identifiers and one identifier conflict."""
    rows: list[FacilityCreate] = []
    bases: list[FacilityCreate] = []
    for n in range(24):
        roll = rng.random()
        if bases and roll < 0.3:
            base = rng.choice(bases)
            name = rng.choice([base.name.upper(), f"{base.name} Co., Ltd", base.name.replace("Mills", "Mill")])
            lat = None if rng.random() < 0.3 or base.lat is None else round(base.lat + rng.uniform(-0.01, 0.01), 5)
            point = {"lat": lat, "lng": base.lng} if lat is not None else {}
            rows.append(FacilityCreate(name=name, country=base.country, address=base.address, **point))
        elif bases and roll < 0.45:
            base = rng.choice(bases)
            unit = rng.choice(["Unit 2", "Sewing", "Plant B"])
            rows.append(base.model_copy(update={"name": f"{base.name} {unit}", "identifiers": []}))
        else:
            word = letters(rng)
            body = FacilityCreate(
                name=f"{word.capitalize()} {tag} Knitting Mills",
                country=rng.choice(["BD", "VN"]),
                address=f"No. {rng.randint(1, 90)}, {letters(rng).capitalize()} Road",
                lat=round(rng.uniform(21, 23), 5),
                lng=round(rng.uniform(90, 91), 5),
                identifiers=[IdentifierIn(scheme="x-bulk", value=f"{tag}-{n}")] if rng.random() < 0.3 else [],
            )
            bases.append(body)
            rows.append(body)
    rows.append(
        FacilityCreate(
            name="Renamed entirely", country="BD", identifiers=[IdentifierIn(scheme="os_id", value=taken["a"])]
        )
    )
    rows.append(
        FacilityCreate(
            name=f"Existing A {tag}",
            country="BD",
            identifiers=[
                IdentifierIn(scheme="os_id", value=taken["a"]),
                IdentifierIn(scheme="sedex", value=taken["b"]),
            ],
        )
    )
    return rows


def comparable(outcomes: list[bulk.RowOutcome]) -> list[tuple[object, ...]]:
    """Outcomes with each facility named by the first row that produced it (public ids are random)."""
    first_row: dict[str, object] = {}
    for i, outcome in enumerate(outcomes):
        if outcome.facility_public_id is not None:
            first_row.setdefault(outcome.facility_public_id, i)

    def name(public_id: str | None) -> object:
        return None if public_id is None else first_row.get(public_id, public_id)

    return [
        (o.kind, name(o.facility_public_id), tuple(name(p) for p in o.potential_matches), o.error_scheme)
        for o in outcomes
    ]


class TestRegisterMany:
    # 4: every list's rows share the word of its tag, so that key grows crowded within a chunk.
    @pytest.mark.parametrize("max_block", [repository.MAX_BLOCK, 4])
    def test_same_outcomes_as_one_by_one(
        self, session: Session, max_block: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(repository, "MAX_BLOCK", max_block)
        for seed in (1, 2, 3):
            rng = random.Random(seed)  # noqa: S311 - reproducible test data
            tag = letters(rng)
            principal = principal_of(session)
            taken = {"a": f"OS{tag}A", "b": f"SX{tag}B"}
            for key, scheme, name in (("a", "os_id", f"Existing A {tag}"), ("b", "sedex", f"Other B {tag} Dyeing")):
                body = FacilityCreate(
                    name=name, country="BD", identifiers=[IdentifierIn(scheme=scheme, value=taken[key])]
                )
                graph_service.create_facility(session, principal, body=body)
            rows = facility_list(rng, tag, taken)

            savepoint = session.begin_nested()
            one_by_one = bulk.register_each(session, principal, rows)
            savepoint.rollback()
            savepoint = session.begin_nested()
            half = len(rows) // 2  # two chunks: the second sees what the first registered
            in_bulk = bulk.register_many(session, principal, rows[:half]) + bulk.register_many(
                session, principal, rows[half:]
            )
            savepoint.rollback()

            assert comparable(in_bulk) == comparable(one_by_one)
            kinds = {o.kind for o in one_by_one}
            assert kinds == set(bulk.RowOutcomeKind), f"seed {seed}: the list should exercise every outcome"

    def test_leaves_the_registry_as_one_by_one_would(self, session: Session) -> None:
        rng = random.Random(9)  # noqa: S311 - reproducible test data
        tag = letters(rng)
        principal = principal_of(session)
        taken = {"a": f"OS{tag}A", "b": f"SX{tag}B"}
        for key, scheme in (("a", "os_id"), ("b", "sedex")):
            body = FacilityCreate(
                name=f"Existing {key} {tag}", country="BD", identifiers=[IdentifierIn(scheme=scheme, value=taken[key])]
            )
            graph_service.create_facility(session, principal, body=body)
        rows = facility_list(rng, tag, taken)
        outcomes = bulk.register_many(session, principal, rows)
        session.expire_all()
        for outcome in outcomes:
            if outcome.facility_public_id is None:
                continue
            facility = graph_service.get_facility_or_raise(
                session, principal, public_id=outcome.facility_public_id
            ).facility
            filed = set(
                session.scalars(sa.select(FacilityMatchKey.key_hash).where(FacilityMatchKey.facility_id == facility.id))
            )
            assert filed == shared_sites.key_hashes(shared_sites.facility_record(facility))
        # A later registration through the API's path meets what the bulk path registered.
        first_new = next(i for i, o in enumerate(outcomes) if o.kind is bulk.RowOutcomeKind.created)
        again = graph_service.create_facility(session, principal, body=rows[first_new])
        assert again.matched is not None
        assert again.facility.public_id == outcomes[first_new].facility_public_id
        assert audit.verify_chain(session).ok


class TestCrowdedKeys:
    def test_a_key_filed_under_too_many_facilities_makes_no_candidates(
        self, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        rng = random.Random(11)  # noqa: S311 - reproducible test data
        tag = letters(rng)
        principal = principal_of(session)
        for _ in range(4):
            graph_service.create_facility(
                session, principal, body=FacilityCreate(name=f"{letters(rng)} {tag} Textiles", country="KH")
            )
        record = shared_sites.record_of(
            name=f"Other {tag} Apparel", country="KH", address=None, lat=None, lng=None, identifiers=[]
        )
        keys = shared_sites.key_hashes(record)
        scope = facility_read_scope(principal)
        assert len(repository.facilities_sharing_keys(session, scope, keys)) == 4
        monkeypatch.setattr(repository, "MAX_BLOCK", 3)
        assert repository.facilities_sharing_keys(session, scope, keys) == []
