"""Corridor weights: the CSV reads whole or names every bad cell, imports once per edition, and
weights the recruiter paths on its corridors (both dialects)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core import jobs
from core.errors import Conflict, InvalidInput
from graph import events
from risk.gather import gather
from risk.method import current_method
from risk.recruiter_paths import corridor_weights, paths_into
from risk.reference import store
from risk.reference.corridor_weights import CorridorWeight, parse_corridor_weights
from risk.reference.goods_list import MAX_BYTES, ReferenceFileError
from risk.reference.models import CorridorWeight as StoredWeight
from risk.scoring import score
from tests.risk.network import TODAY, make_corridor, make_corridor_weights, make_network

METHOD = current_method()
HEAD = "origin,destination,sector,weight\n"


def problems(exc: pytest.ExceptionInfo[ReferenceFileError]) -> list[tuple[tuple[str | int, ...], str]]:
    return [(p.location(), p.message) for p in exc.value.problems]


def import_mine(
    session: Session, raw: bytes, *, replace: bool = False, source: str = store.SUPPLIED
) -> store.ImportOutcome:
    return store.import_corridor_weights(
        session, raw, name="Mine", edition="1", licence="own", source=source, replace=replace
    )


def queued_recomputes(session: Session) -> int:
    return len(
        session.scalars(
            sa.select(jobs.Job).where(jobs.Job.name == events.RECOMPUTE_ALL, jobs.Job.status == jobs.JobStatus.queued)
        ).all()
    )


class TestParseCorridorWeights:
    def test_codes_and_names_map_and_the_metadata_is_read_once(self) -> None:
        body = (
            "Origin,Destination,Sector,Weight,Name,Edition,Licence\n"
            "NP,MY,Electronics,0.6,Route table,2025,CC0-1.0\n"
            'Nepal,Malaysia,,"0,5",,,\n'
            "\n"
            "MMR,Thailand,  ,1,Route table,,\n"
        )
        table = parse_corridor_weights(body.encode())
        assert table.weights == (
            CorridorWeight("NP", "MY", "Electronics", 0.6),
            CorridorWeight("NP", "MY", "", 0.5),
            CorridorWeight("MM", "TH", "", 1.0),
        )
        assert (table.name, table.edition, table.licence) == ("Route table", "2025", "CC0-1.0")
        assert table.unmapped_countries == ()

    def test_the_sector_column_may_be_left_out(self) -> None:
        table = parse_corridor_weights(b"origin,destination,weight\nBD,MY,0\n")
        assert table.weights == (CorridorWeight("BD", "MY", "", 0.0),)
        assert (table.name, table.edition, table.licence) == (None, None, None)

    def test_an_unknown_country_is_reported_and_its_row_left_out(self) -> None:
        table = parse_corridor_weights((HEAD + "Atlantis,MY,,0.4\nNP,Lemuria,,0.3\nNP,QA,,0.7\n").encode())
        assert table.weights == (CorridorWeight("NP", "QA", "", 0.7),)
        assert table.unmapped_countries == ("Atlantis", "Lemuria")

    def test_every_bad_weight_and_empty_country_is_named_by_line_and_column(self) -> None:
        body = HEAD + "NP,MY,,high\nNP,QA,,1.5\nBD,MY,,-0.1\n,MY,,0.2\nBD,,,0.2\nKH,TH,,inf\n"
        with pytest.raises(ReferenceFileError) as exc:
            parse_corridor_weights(body.encode())
        assert problems(exc) == [
            (("corridors", 2, "weight"), "weight 'high' is not a number"),
            (("corridors", 3, "weight"), "weight 1.5 is outside 0-1"),
            (("corridors", 4, "weight"), "weight -0.1 is outside 0-1"),
            (("corridors", 5, "origin"), "origin is empty"),
            (("corridors", 6, "destination"), "destination is empty"),
            (("corridors", 7, "weight"), "weight 'inf' is not a number"),
        ]

    def test_a_route_named_twice_names_both_lines(self) -> None:
        body = HEAD + "NP,MY,Electronics,0.6\nNP,MY,,0.5\nNepal,MYS,electronics,0.7\nNP,MY,,0.5\n"
        with pytest.raises(ReferenceFileError) as exc:
            parse_corridor_weights(body.encode())
        assert problems(exc) == [
            (("corridors", 4, "origin"), "NP->MY (electronics) appears twice: lines 2 and 4"),
            (("corridors", 5, "origin"), "NP->MY (any sector) appears twice: lines 3 and 5"),
        ]

    def test_several_names_in_one_file_are_refused(self) -> None:
        body = "origin,destination,weight,name\nNP,MY,0.5,One\nNP,QA,0.5,Two\n"
        with pytest.raises(ReferenceFileError) as exc:
            parse_corridor_weights(body.encode())
        assert problems(exc) == [(("corridors", "name"), "the file names several names: One, Two")]

    def test_a_missing_column_is_named(self) -> None:
        with pytest.raises(ReferenceFileError) as exc:
            parse_corridor_weights(b"origin,destination,value\nNP,MY,0.5\n")
        assert problems(exc) == [
            (("corridors", 1), "the header needs origin, destination and weight columns (missing: weight)")
        ]

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            (b"  \n", "the file is empty"),
            (HEAD.encode(), "the file has no corridor weights"),
            (b"x" * (MAX_BYTES + 1), "the limit is"),
        ],
    )
    def test_an_empty_or_oversized_file_is_refused(self, body: bytes, message: str) -> None:
        with pytest.raises(ReferenceFileError) as exc:
            parse_corridor_weights(body)
        assert [m for _, m in problems(exc) if message in m]


class TestImportCorridorWeights:
    def test_imports_once_and_queues_one_recompute(self, session: Session) -> None:
        raw = (HEAD + "NP,MY,Electronics,0.6\nNP,MY,,0.5\nAtlantis,MY,,0.1\n").encode()
        first = import_mine(session, raw, source="ministry table")
        again = import_mine(session, raw)

        assert (first.created, again.created) == (True, False)
        assert again.edition.id == first.edition.id
        edition = first.edition
        assert (edition.kind, edition.rows, edition.source, edition.licence) == (
            "corridor_weights",
            2,
            "ministry table",
            "own",
        )
        assert edition.unmapped == ["Atlantis"]
        stored = session.execute(
            sa.select(
                StoredWeight.origin_country, StoredWeight.destination_country, StoredWeight.sector, StoredWeight.weight
            )
            .where(StoredWeight.edition_id == edition.id)
            .order_by(StoredWeight.sector)
        ).all()
        assert [tuple(row) for row in stored] == [("NP", "MY", "", 0.5), ("NP", "MY", "Electronics", 0.6)]
        assert queued_recomputes(session) == 1

    def test_another_file_under_the_same_edition_needs_replace(self, session: Session) -> None:
        import_mine(session, (HEAD + "NP,MY,,0.5\n").encode())
        other = (HEAD + "NP,MY,,0.7\nBD,MY,,0.8\n").encode()

        with pytest.raises(Conflict, match="another file"):
            import_mine(session, other)
        replaced = import_mine(session, other, replace=True)

        assert replaced.created
        assert session.scalars(sa.select(sa.func.count()).select_from(StoredWeight)).one() == 2
        assert corridor_weights(session, {make_corridor(session, "NP", "MY").id}) != {}
        assert queued_recomputes(session) == 2

    def test_name_edition_and_licence_come_from_the_file_or_the_options(self, session: Session) -> None:
        raw = (HEAD + "NP,MY,,0.5\n").encode()
        with pytest.raises(InvalidInput, match="edition, licence"):
            store.import_corridor_weights(session, raw, name="Mine")
        with_meta = b"origin,destination,weight,name,edition,licence\nNP,MY,0.5,Table,2,CC0-1.0\n"
        assert store.import_corridor_weights(session, with_meta).edition.name == "Table"
        assert queued_recomputes(session) == 1


class TestCorridorWeightOfPaths:
    def test_a_weighted_corridor_adds_corridor_times_weight_to_the_recruitment_raw(self, session: Session) -> None:
        net = make_network(session)
        net.placing.corridor_id = make_corridor(session, "NP", "BD", "Apparel").id
        session.flush()
        before = _recruitment_raw(session, net.site.id)

        make_corridor_weights(session, [("NP", "BD", "", 0.25)])
        after = _recruitment_raw(session, net.site.id)

        assert after == pytest.approx(before + METHOD.recruitment.corridor * 0.25)

    def test_the_sector_row_wins_over_the_any_sector_row_and_the_latest_edition_counts(self, session: Session) -> None:
        apparel, toys, elsewhere = (
            make_corridor(session, "NP", "BD", "Apparel"),
            make_corridor(session, "NP", "BD", "Toys"),
            make_corridor(session, "NP", "IN", "Apparel"),
        )
        ids = {apparel.id, toys.id, elsewhere.id}
        make_corridor_weights(session, [("NP", "BD", "", 0.9)], edition="2023")
        make_corridor_weights(session, [("NP", "BD", "", 0.3), ("NP", "BD", "apparel", 0.8)], edition="2024")

        assert corridor_weights(session, ids) == {apparel.id: 0.8, toys.id: 0.3}

    def test_no_edition_and_no_corridor_weigh_nothing(self, session: Session) -> None:
        net = make_network(session)
        (unweighted,) = paths_into(session, {net.site.id: net.site.id}, TODAY)[net.site.id]
        net.placing.corridor_id = make_corridor(session).id
        session.flush()
        (on_corridor,) = paths_into(session, {net.site.id: net.site.id}, TODAY)[net.site.id]

        assert (unweighted.corridor_weight, on_corridor.corridor_weight) == (0.0, 0.0)
        assert corridor_weights(session, {net.placing.corridor_id, uuid.uuid4()}) == {}


def _recruitment_raw(session: Session, site_id: uuid.UUID) -> float:
    inputs = gather(session, [site_id], METHOD, today=TODAY)[site_id]
    (recruitment,) = (c for c in score(inputs, METHOD).components if c.name == "recruitment")
    return recruitment.raw
