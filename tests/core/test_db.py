"""Storage behaviours that must hold on both dialects."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from geoalchemy2 import functions as gfn
from sqlalchemy.orm import Session

from core.geo import point_element, to_point
from core.ids import uuid7
from core.principal import OrganizationKind
from policies.models import Organization


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
