"""The hash-chained audit trail: appends link up, tampering of any kind is found."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.principal import OrganizationKind
from policies import audit
from policies import service as policies_service
from policies.models import AuditChainHead, AuditEvent


def _append(session: Session, n: int) -> list[AuditEvent]:
    return [audit.record(session, None, action="test.event", details={"n": i, "text": "naïve ✓"}) for i in range(n)]


class TestRecord:
    def test_each_event_links_to_the_previous_one(self, session: Session) -> None:
        events = _append(session, 3)
        assert [e.seq for e in events] == list(range(events[0].seq, events[0].seq + 3))
        assert events[1].prev_hash == events[0].hash
        assert events[2].prev_hash == events[1].hash
        head = session.get(AuditChainHead, audit.HEAD_ID)
        assert head is not None
        assert (head.last_seq, head.last_hash) == (events[2].seq, events[2].hash)

    def test_hash_survives_the_database_round_trip(self, session: Session) -> None:
        (event,) = _append(session, 1)
        session.expire_all()
        stored = session.get(AuditEvent, event.seq)
        assert stored is not None
        assert audit.event_hash(stored) == stored.hash

    def test_service_writes_are_recorded_in_the_same_transaction(self, session: Session) -> None:
        org = policies_service.create_organization(
            session, None, kind=OrganizationKind.auditor, display_name="Audited Org"
        )
        recorded = session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.subject_id == str(org.id), AuditEvent.action == "organization.created"
            )
        ).all()
        assert len(recorded) == 1
        assert recorded[0].details["display_name"] == "Audited Org"


class TestVerifyChain:
    def test_an_untouched_chain_verifies(self, session: Session) -> None:
        _append(session, 4)
        report = audit.verify_chain(session)
        assert report.ok, report
        assert report.events_checked >= 4

    def test_an_edited_event_is_the_first_broken_link(self, session: Session) -> None:
        events = _append(session, 4)
        target = events[1].seq
        session.execute(sa.update(AuditEvent).where(AuditEvent.seq == target).values(details={"n": 99}))
        session.expire_all()
        report = audit.verify_chain(session)
        assert not report.ok
        assert report.broken_at == target
        assert "edited" in (report.reason or "")

    def test_a_deleted_event_leaves_a_gap(self, session: Session) -> None:
        events = _append(session, 4)
        session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == events[2].seq))
        session.expire_all()
        report = audit.verify_chain(session)
        assert report.broken_at == events[2].seq

    def test_removing_the_last_event_is_caught_by_the_head(self, session: Session) -> None:
        events = _append(session, 3)
        session.execute(sa.delete(AuditEvent).where(AuditEvent.seq == events[-1].seq))
        session.expire_all()
        report = audit.verify_chain(session)
        assert report.broken_at == events[-1].seq
        assert "head" in (report.reason or "")

    def test_a_rehashed_forgery_still_breaks_the_next_link(self, session: Session) -> None:
        events = _append(session, 3)
        forged = session.get(AuditEvent, events[0].seq)
        assert forged is not None
        forged.details = {"n": "forged"}
        forged.hash = audit.event_hash(forged)
        session.flush()
        session.expire_all()
        report = audit.verify_chain(session)
        assert report.broken_at == events[1].seq
