"""Canonical facility and recruiter attributes from the contributions behind them (pure logic).

For each attribute: the claimed owner's latest statement wins; otherwise the value most
organisations currently state (each organisation's latest statement counts once); ties go to
the most recent statement. One member cannot silently overwrite what several others agree on.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Statement:
    attribute: str
    value: Any
    organization_id: uuid.UUID
    at: datetime


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


class Contribution(Protocol):
    """What every contribution table row has (facility_contributions, recruiter_contributions)."""

    @property
    def attribute(self) -> str: ...
    @property
    def value(self) -> Any: ...
    @property
    def organization_id(self) -> uuid.UUID: ...
    @property
    def source(self) -> str: ...
    @property
    def contributed_at(self) -> datetime: ...


def canonical_of(contributions: Iterable[Contribution], *, owner: uuid.UUID | None) -> dict[str, Any]:
    """Canonical values from contribution rows of any subject kind."""
    statements = (Statement(c.attribute, c.value, c.organization_id, c.contributed_at) for c in contributions)
    return canonical_values(statements, owner=owner)


def canonical_values(statements: Iterable[Statement], *, owner: uuid.UUID | None) -> dict[str, Any]:
    latest: dict[tuple[str, uuid.UUID], Statement] = {}
    for s in statements:
        current = latest.get((s.attribute, s.organization_id))
        if current is None or s.at >= current.at:
            latest[(s.attribute, s.organization_id)] = s
    by_attribute: dict[str, list[Statement]] = {}
    for s in latest.values():
        by_attribute.setdefault(s.attribute, []).append(s)
    return {attribute: _choose(group, owner) for attribute, group in by_attribute.items()}


def _choose(group: list[Statement], owner: uuid.UUID | None) -> Any:
    owned = [s for s in group if s.organization_id == owner]
    if owned:
        return owned[0].value
    votes = Counter(_key(s.value) for s in group)
    return max(group, key=lambda s: (votes[_key(s.value)], s.at)).value
