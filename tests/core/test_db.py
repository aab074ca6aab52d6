"""Storage behaviours that must hold on both dialects."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from geoalchemy2 import functions as gfn
from sqlalchemy.orm import Session, sessionmaker

from core.db import WriteInReadSession, create_engine, create_sessionmaker, read_session, transaction
from core.geo import point_element, to_point
from core.ids import uuid7
from core.principal import OrganizationKind
from policies.models import Organization
from tests.conftest import make_settings


def _org(session: Session, **values: object) -> Organization:
    org = Organization(kind=OrganizationKind.supplier, display_name=f"Site {uuid.uuid4().hex[:6]}", **values)
    session.add(org)
    session.flush()
    session.expire(org)
    return org


class TestUTCDateTime:
    def test_round_trips_as_aware_utc(self, session: Session) -> None:
        local = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=6)))
        org = _org(session, created_at=local)
        assert org.created_at == local
        assert org.created_at.tzinfo == UTC
        assert org.created_at.hour == 6

    def test_naive_datetimes_are_refused(self, session: Session) -> None:
        session.add(Organization(kind=OrganizationKind.brand, display_name="x", created_at=datetime(2026, 1, 1)))
        with pytest.raises(sa.exc.StatementError, match="naive datetime"):
            session.flush()


class TestGeometry:
    def test_point_round_trip(self, session: Session) -> None:
        org = _org(session, location=point_element(90.4125, 23.8103))
        point = to_point(org.location)
        assert point is not None
        assert (point.x, point.y) == pytest.approx((90.4125, 23.8103))

    def test_distance_in_metres_agrees_across_dialects(self, session: Session) -> None:
        # Dhaka -> Chittagong is about 213 km on the ellipsoid.
        dhaka = _org(session, location=point_element(90.4125, 23.8103))
        chittagong = point_element(91.7832, 22.3569)
        metres = session.scalar(
            sa.select(gfn.ST_Distance(Organization.location, chittagong, True)).where(Organization.id == dhaka.id)
        )
        assert metres == pytest.approx(213_000, rel=0.02)

    def test_within_polygon(self, session: Session) -> None:
        inside = _org(session, location=point_element(90.4, 23.8))
        outside = _org(session, location=point_element(100.5, 13.7))
        bangladesh_box = sa.func.ST_GeomFromText("POLYGON((88 20.5, 92.7 20.5, 92.7 26.7, 88 26.7, 88 20.5))", 4326)
        found = set(
            session.scalars(
                sa.select(Organization.id).where(
                    Organization.id.in_([inside.id, outside.id]), gfn.ST_Within(Organization.location, bangladesh_box)
                )
            )
        )
        assert found == {inside.id}

    def test_out_of_range_coordinates_are_refused(self) -> None:
        with pytest.raises(ValueError, match="out of range"):
            point_element(181.0, 0.0)


class TestUuid7:
    def test_version_variant_and_order(self) -> None:
        ids = [uuid7() for _ in range(200)]
        assert all(i.version == 7 for i in ids)
        assert all(i.variant == uuid.RFC_4122 for i in ids)
        millis = [i.int >> 80 for i in ids]
        assert millis == sorted(millis)
        assert len(set(ids)) == len(ids)


class TestSqliteWriteLock:
    """Two connections to one SQLite file: one holds a write transaction in a thread, the other
    reads, then writes. A deferred BEGIN would fail the write at once ("database is locked",
    whatever busy_timeout says); the write transaction waits for the lock instead."""

    HOLD_SECONDS = 0.5

    @pytest.fixture
    def sessions(self, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
        engine = create_engine(make_settings(f"sqlite:///{tmp_path / 'locks.sqlite'}"))
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE tally (n INTEGER NOT NULL)")
            conn.exec_driver_sql("INSERT INTO tally VALUES (0)")
        yield create_sessionmaker(engine)
        engine.dispose()

    def _hold_the_write_lock(self, sessions: sessionmaker[Session], holding: threading.Event) -> None:
        with transaction(sessions) as s:
            s.execute(sa.text("UPDATE tally SET n = n + 1"))
            holding.set()
            time.sleep(self.HOLD_SECONDS)

    def _in_a_thread(self, sessions: sessionmaker[Session]) -> threading.Thread:
        holding = threading.Event()
        writer = threading.Thread(target=self._hold_the_write_lock, args=(sessions, holding))
        writer.start()
        assert holding.wait(10)
        return writer

    def test_read_then_write_waits_for_the_other_writer(self, sessions: sessionmaker[Session]) -> None:
        writer = self._in_a_thread(sessions)
        try:
            with transaction(sessions) as s:
                n = s.scalar(sa.text("SELECT n FROM tally"))
                s.execute(sa.text("UPDATE tally SET n = :n"), {"n": n + 1})
        finally:
            writer.join()
        with transaction(sessions) as s:
            assert s.scalar(sa.text("SELECT n FROM tally")) == 2  # it read after the other commit

    def test_a_read_session_does_not_wait_for_the_writer(self, sessions: sessionmaker[Session]) -> None:
        writer = self._in_a_thread(sessions)
        try:
            started = time.perf_counter()
            with read_session(sessions) as s:
                assert s.scalar(sa.text("SELECT n FROM tally")) == 0  # the last committed value
            assert time.perf_counter() - started < self.HOLD_SECONDS / 2
        finally:
            writer.join()

    def test_a_write_in_a_read_session_warns(self, sessions: sessionmaker[Session]) -> None:
        with pytest.warns(WriteInReadSession), read_session(sessions) as s:
            s.execute(sa.text("UPDATE tally SET n = 5"))
