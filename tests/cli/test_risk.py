"""`loomline risk recompute`: the whole network or named facilities, only changed scores written."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.db import create_engine, create_sessionmaker, transaction
from risk.models import RiskScore
from tests.cli.test_cli import Loomline, count, failed_cleanly, succeeded
from tests.conftest import make_settings, migrate
from tests.risk.network import make_network, make_site


@pytest.fixture
def loomline(fresh_db_url: str) -> Loomline:
    migrate(make_settings(fresh_db_url)).dispose()
    return Loomline(fresh_db_url)


@pytest.fixture
def db(loomline: Loomline) -> Iterator[Engine]:
    engine = create_engine(make_settings(loomline.database_url))
    yield engine
    engine.dispose()


def _network(db: Engine) -> list[str]:
    with transaction(create_sessionmaker(db)) as session:
        net = make_network(session)
        other = make_site(session, sector="Seafood")
        return [str(net.site.id), str(other.id)]


class TestRecompute:
    def test_all_scores_every_site_and_recruiter_then_nothing_changed(self, loomline: Loomline, db: Engine) -> None:
        _network(db)
        first = succeeded(loomline("risk", "recompute", "--all")).stdout
        again = succeeded(loomline("risk", "recompute", "--all")).stdout
        assert "2 facilities scored, 2 stored scores changed" in first
        assert "2 recruiters scored, 2 stored scores changed" in first
        assert "2 facilities scored, 0 stored scores changed" in again
        assert "2 recruiters scored, 0 stored scores changed" in again
        assert count(db, RiskScore) == 4

    def test_one_facility(self, loomline: Loomline, db: Engine) -> None:
        site, _ = _network(db)
        out = succeeded(loomline("risk", "recompute", "--facility", site)).stdout
        assert "1 facilities scored, 1 stored scores changed" in out
        with Session(db) as session:
            assert session.scalars(sa.select(RiskScore.subject_id)).all() == [uuid.UUID(site)]

    def test_refuses_neither_or_both_and_a_bad_id(self, loomline: Loomline) -> None:
        assert "either --all or --facility" in failed_cleanly(loomline("risk", "recompute"), 2)
        assert "either --all or --facility" in failed_cleanly(
            loomline("risk", "recompute", "--all", "--facility", "x"), 2
        )
        assert "--facility: not a facility id" in failed_cleanly(loomline("risk", "recompute", "--facility", "nope"), 2)
