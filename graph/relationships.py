"""Use cases of relationships: state, read, list, change and end links, and read their history.

Every change appends a version (``relationship_versions``); ending a link sets its ``valid_to``
and ``ended_at`` and keeps it. The rules are in graph/relationship_rules.py; the ends a caller
names are resolved (merges followed) in graph/relationship_endpoints.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from core.clock import utcnow
from core.errors import Conflict, ErrorItem, InvalidInput, NotFound, PermissionDenied
from core.principal import Principal
from graph import corridors as corridor_service
from graph import events, public_ids
from graph import relationship_endpoints as endpoints
from graph import relationship_repository as repository
from graph import relationship_rules as rules
from graph.cursors import decode_cursor, encode_cursor
from graph.models import EndpointKind, Relationship, RelationshipKind, RelationshipVersion
from graph.relationship_schemas import RelationshipAttributes, RelationshipCreate, RelationshipUpdate
from policies import audit
from policies.visibility import may_change_relationship, relationship_read_scope

PREFIX = "LK"  # public ids of links: LK-XXXX-XXXX-C
MAX_PAGE = 500
ATTRIBUTES = tuple(RelationshipAttributes.model_fields)


@dataclass(frozen=True, slots=True)
class CreateOutcome:
    relationship: Relationship
    created: bool  # False: the same active link was already stated (returned as it is)


def attributes_of(rel: Relationship) -> dict[str, Any]:
    return {name: getattr(rel, name) for name in ATTRIBUTES}


def state_of(rel: Relationship) -> dict[str, Any]:
    """The attributes as JSON values (a version's ``state``)."""
    state = attributes_of(rel)
    for name, value in state.items():
        if isinstance(value, date) or (name == "corridor_id" and value is not None):
            state[name] = str(value)
    state["fee_payer"] = rel.fee_payer.value if rel.fee_payer else None
    state["ended_at"] = rel.ended_at.isoformat() if rel.ended_at else None
    return state


def _append_version(session: Session, principal: Principal, rel: Relationship, change: str) -> None:
    session.flush()
    session.add(
        RelationshipVersion(
            relationship_id=rel.id,
            version=repository.last_version(session, rel.id) + 1,
            change=change,
            state=state_of(rel),
            changed_by_organization_id=principal.organization_id,
            changed_at=utcnow(),
        )
    )
    session.flush()
    audit.record(
        session,
        principal,
        action=f"relationship.{change}",
        subject_kind="relationship",
        subject_id=rel.public_id,
        details={"kind": rel.kind.value},
    )
    events.relationship_changed(session, rel)


def _new_public_id(session: Session) -> str:
    for _ in range(5):
        candidate = public_ids.new_public_id(PREFIX)
        if not repository.public_id_taken(session, candidate):
            return candidate
    raise RuntimeError("could not draw an unused public id")  # 40 random bits: practically unreachable


def _raise_if(problems: list[ErrorItem], detail: str) -> None:
    if problems:
        raise InvalidInput(detail, errors=problems)


def _check_corridor(session: Session, principal: Principal, state: dict[str, Any]) -> None:
    if state.get("corridor_id") is None:
        return
    try:
        corridor_service.get_corridor_or_raise(session, principal, corridor_id=state["corridor_id"])
    except NotFound:
        raise NotFound(
            f"No corridor {state['corridor_id']}.", errors=[ErrorItem(("body", "corridor_id"), "no such corridor")]
        ) from None


def _check_cycle(
    session: Session, principal: Principal, kind: RelationshipKind, start: endpoints.Endpoint, end: endpoints.Endpoint
) -> None:
    """Refuse a supplies or subcontracts link that closes a cycle among the caller's visible links."""
    if kind not in rules.ACYCLIC_KINDS:
        return
    scope, today = relationship_read_scope(principal), utcnow().date()
    cycle = rules.cycle_closed_by(
        start.id,
        end.id,
        lambda frontier: repository.next_hops(session, scope, kind=kind, from_ids=frontier, today=today),
    )
    if cycle is None:
        return
    labels = repository.endpoint_labels(session, [(start.kind, node) for node in cycle])
    path = " -> ".join(labels.get((start.kind, node), (str(node), ""))[0] for node in cycle)
    raise InvalidInput(
        f"This {kind.value} link would close a cycle: {path}.",
        errors=[ErrorItem(("body", "to", "id"), f"closes the cycle {path}")],
    )


def _check_tiers(
    session: Session,
    *,
    brand_id: Any,
    tier_change: tuple[Any, int] | None = None,
    new_supply: tuple[Any, Any] | None = None,
) -> None:
    """Refuse a tier that contradicts the brand's own supplies links (see relationship_rules)."""
    today = utcnow().date()
    tiers = repository.brand_tiers(session, brand_id, today=today)
    supplies = repository.supplies_stated_by(session, brand_id, today=today)
    focus = []
    if tier_change is not None:
        site, tier = tier_change
        tiers[site] = tier
        focus = [site, *(supplier for supplier, customer in supplies if customer == site)]
    if new_supply is not None:
        supplies.append(new_supply)
        focus.append(new_supply[0])
    wrong = rules.tier_contradictions(tiers, supplies, focus)
    if not wrong:
        return
    labels = repository.endpoint_labels(session, [(EndpointKind.facility, site) for site, _, _ in wrong])
    items = [
        ErrorItem(
            ("body", "tier"),
            f"{labels[(EndpointKind.facility, site)][0]} is stated at tier {stated}, but it supplies a site "
            f"you source at tier {expected - 1}: it must be tier {expected}",
        )
        for site, stated, expected in wrong
    ]
    raise InvalidInput("Tier contradiction with your own supplies links.", errors=items)


def create_relationship(session: Session, principal: Principal, *, body: RelationshipCreate) -> CreateOutcome:
    """State a link as the caller's organisation. The same active link stated again with the same
    attributes is returned as it is; with other attributes it is a Conflict (change it instead)."""
    _raise_if(rules.endpoint_problems(body.kind, body.from_.kind, body.to.kind), "Wrong kind of endpoint.")
    stated = body.model_dump(include=set(ATTRIBUTES))
    _raise_if(rules.field_problems(body.kind, stated), f"Invalid attributes for {body.kind.value}.")
    start = endpoints.resolve(session, principal, body.from_, ("body", "from", "id"))
    end = endpoints.resolve(session, principal, body.to, ("body", "to", "id"))
    if body.kind is RelationshipKind.sources_from:
        endpoints.require_brand(start)
    if start.id == end.id:
        raise InvalidInput(
            "A link cannot join a node to itself.", errors=[ErrorItem(("body", "to", "id"), "self-link")]
        )
    _check_corridor(session, principal, stated)
    duplicate = repository.active_duplicate(
        session,
        kind=body.kind,
        from_id=start.id,
        to_id=end.id,
        contributor_id=principal.organization_id,
        today=utcnow().date(),
    )
    if duplicate is not None:
        if attributes_of(duplicate) == stated:
            return CreateOutcome(duplicate, created=False)
        raise Conflict(f"You already state this link as {duplicate.public_id}: change it with PATCH.")
    _check_cycle(session, principal, body.kind, start, end)
    if body.kind is RelationshipKind.sources_from:
        _check_tiers(session, brand_id=start.id, tier_change=(end.id, stated["tier"]))
    elif body.kind is RelationshipKind.supplies:
        _check_tiers(session, brand_id=principal.organization_id, new_supply=(start.id, end.id))
    rel = Relationship(
        public_id=_new_public_id(session),
        kind=body.kind,
        from_kind=start.kind,
        from_id=start.id,
        to_kind=end.kind,
        to_id=end.id,
        contributor_organization_id=principal.organization_id,
        **stated,
    )
    session.add(rel)
    _append_version(session, principal, rel, "created")
    return CreateOutcome(rel, created=True)


def get_relationship_or_raise(session: Session, principal: Principal, *, public_id: str) -> Relationship:
    """A link the caller may see; NotFound when unknown or not visible."""
    canonical = public_ids.parse_public_id(public_id, PREFIX)
    rel = repository.by_public_id(session, relationship_read_scope(principal), canonical) if canonical else None
    if rel is None:
        raise NotFound(f"No relationship {public_id}.")
    return rel


def _changeable_or_raise(session: Session, principal: Principal, public_id: str) -> Relationship:
    rel = get_relationship_or_raise(session, principal, public_id=public_id)
    if not may_change_relationship(principal, contributor_id=rel.contributor_organization_id):
        raise PermissionDenied("Only the organisation that stated this link may change or end it.")
    if rel.ended_at is not None:
        raise Conflict(f"{rel.public_id} was ended: it is history now; state a new link instead.")
    return rel


def update_relationship(
    session: Session, principal: Principal, *, public_id: str, body: RelationshipUpdate
) -> Relationship:
    """Change some attributes of an active link the caller stated; a version is appended."""
    rel = _changeable_or_raise(session, principal, public_id)
    changes = body.model_dump(exclude_unset=True)
    state = attributes_of(rel) | changes
    _raise_if(rules.field_problems(rel.kind, state), f"Invalid attributes for {rel.kind.value}.")
    if "corridor_id" in changes:
        _check_corridor(session, principal, state)
    if rel.kind is RelationshipKind.sources_from and "tier" in changes:
        _check_tiers(session, brand_id=rel.from_id, tier_change=(rel.to_id, state["tier"]))
    if not changes or state == attributes_of(rel):
        return rel
    for name, value in changes.items():
        setattr(rel, name, value)
    _append_version(session, principal, rel, "updated")
    return rel


def end_relationship(session: Session, principal: Principal, *, public_id: str, valid_to: date | None) -> Relationship:
    """End a link (its last day ``valid_to``, default today); it stays readable, as history."""
    rel = _changeable_or_raise(session, principal, public_id)
    last_day = valid_to or utcnow().date()
    if rel.valid_from is not None and last_day < rel.valid_from:
        raise InvalidInput(
            "A link cannot end before it starts.", errors=[ErrorItem(("body", "valid_to"), "before valid_from")]
        )
    rel.valid_to, rel.ended_at = last_day, utcnow()
    _append_version(session, principal, rel, "ended")
    return rel


def history(
    session: Session, principal: Principal, *, public_id: str
) -> tuple[Relationship, Sequence[RelationshipVersion]]:
    rel = get_relationship_or_raise(session, principal, public_id=public_id)
    return rel, repository.versions_of(session, rel.id)


def list_relationships(
    session: Session,
    principal: Principal,
    *,
    filters: repository.RelationshipFilters,
    facility: str | None = None,
    recruiter: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[Relationship], str | None]:
    """A page of visible links (oldest first) and the next page's cursor, if any."""
    if facility is not None:
        fid = endpoints.facility_id(session, principal, facility, ("query", "facility"))
        filters = dataclasses.replace(filters, facility_id=fid)
    if recruiter is not None:
        rid = endpoints.recruiter_id(session, principal, recruiter, ("query", "recruiter"))
        filters = dataclasses.replace(filters, recruiter_id=rid)
    filters = dataclasses.replace(filters, today=utcnow().date())
    limit = min(limit, MAX_PAGE)
    stmt = repository.apply_filters(repository.readable_relationships(relationship_read_scope(principal)), filters)
    rows = repository.page(session, stmt, after=decode_cursor(cursor) if cursor else None, limit=limit + 1)
    items = rows[:limit]
    return items, (encode_cursor(items[-1].id) if len(rows) > limit and items else None)


def is_active(rel: Relationship, today: date) -> bool:
    return (
        rel.ended_at is None
        and (rel.valid_from is None or rel.valid_from <= today)
        and (rel.valid_to is None or rel.valid_to >= today)
    )
