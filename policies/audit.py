"""The append-only, hash-chained audit trail.

Each event stores ``prev_hash`` and ``hash = sha256(prev_hash || canonical JSON of the event)``.
Appending first updates the single ``audit_chain_head`` row: on PostgreSQL that row lock, on
SQLite the database write lock, makes concurrent appends queue instead of forking the chain.
Events are written with ``flush()`` in the caller's transaction, so they commit or roll back
together with the change they record.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.principal import Principal
from core.request_context import current_request_id
from policies.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
HEAD_ID = 1


def _canonical(event: AuditEvent) -> bytes:
    content = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_organization_id": str(event.actor_organization_id) if event.actor_organization_id else None,
        "actor_client_id": event.actor_client_id,
        "action": event.action,
        "subject_kind": event.subject_kind,
        "subject_id": event.subject_id,
        "request_id": event.request_id,
        "details": event.details,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(event.prev_hash.encode() + _canonical(event)).hexdigest()


def record(
    session: Session,
    actor: Principal | None,
    *,
    action: str,
    subject_kind: str | None = None,
    subject_id: uuid.UUID | str | None = None,
    details: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction. ``actor=None`` means the operator's CLI."""
    head = session.execute(
        sa.update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_seq=AuditChainHead.last_seq + 1)
        .returning(AuditChainHead.last_seq, AuditChainHead.last_hash)
    ).one()
    event = AuditEvent(
        seq=head.last_seq,
        occurred_at=occurred_at or utcnow(),
        actor_organization_id=actor.organization_id if actor else None,
        actor_client_id=actor.client_id if actor else None,
        action=action,
        subject_kind=subject_kind,
        subject_id=str(subject_id) if subject_id is not None else None,
        request_id=current_request_id(),
        details=details or {},
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.execute(sa.update(AuditChainHead).where(AuditChainHead.id == HEAD_ID).values(last_hash=event.hash))
    session.flush()
    return event


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Outcome of a verification: ``broken_at`` is the first bad sequence number, if any."""

    events_checked: int
    broken_at: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _link_problem(event: AuditEvent, expected_seq: int, expected_prev: str) -> str | None:
    if event.seq != expected_seq:
        return f"sequence gap: expected {expected_seq}, found {event.seq} (events missing)"
    if event.prev_hash != expected_prev:
        return "prev_hash does not match the previous event's hash"
    if event.hash != event_hash(event):
        return "content does not match its hash (event edited)"
    return None


def verify_chain(session: Session, *, batch_size: int = 5_000) -> ChainReport:
    """Walk the chain in order and report the first event whose link or content is wrong."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    stmt = sa.select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch_size)
    result = session.scalars(stmt)
    try:
        for event in result:
            problem = _link_problem(event, expected_seq, expected_prev)
            if problem:
                return ChainReport(checked, broken_at=expected_seq, reason=problem)
            expected_prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
            session.expunge(event)
    finally:
        # Stopping early must release PostgreSQL's server-side cursor.
        result.close()
    head = session.get(AuditChainHead, HEAD_ID)
    if head is None or head.last_seq != checked or head.last_hash != expected_prev:
        return ChainReport(
            checked,
            broken_at=checked + 1,
            reason="chain head does not match the last event (events removed from the end)",
        )
    return ChainReport(checked)


@dataclass(frozen=True, slots=True)
class Entry:
    """One event of ``record_many``."""

    action: str
    subject_kind: str | None = None
    subject_id: uuid.UUID | str | None = None
    details: dict[str, Any] | None = None


def record_many(session: Session, actor: Principal | None, entries: list[Entry]) -> None:
    """Append several events in one go (a bulk upload's rows): the same chain as ``record`` called
    once per entry, in order, with one head update and one insert of all events."""
    if not entries:
        return
    head = session.execute(
        sa.update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_seq=AuditChainHead.last_seq + len(entries))
        .returning(AuditChainHead.last_seq, AuditChainHead.last_hash)
    ).one()
    seq, prev_hash = head.last_seq - len(entries), head.last_hash
    request_id = current_request_id()
    events = []
    for entry in entries:
        seq += 1
        event = AuditEvent(
            seq=seq,
            occurred_at=utcnow(),
            actor_organization_id=actor.organization_id if actor else None,
            actor_client_id=actor.client_id if actor else None,
            action=entry.action,
            subject_kind=entry.subject_kind,
            subject_id=str(entry.subject_id) if entry.subject_id is not None else None,
            request_id=request_id,
            details=entry.details or {},
            prev_hash=prev_hash,
        )
        event.hash = prev_hash = event_hash(event)
        events.append(event)
    session.add_all(events)
    session.execute(sa.update(AuditChainHead).where(AuditChainHead.id == HEAD_ID).values(last_hash=prev_hash))
    session.flush()
