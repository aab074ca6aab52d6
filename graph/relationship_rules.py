"""Rules a relationship must keep, as pure functions (no session): endpoint kinds, the fields
each kind carries, self-links, cycles and tier contradictions.

Tiers (``sources_from``). A brand states the tier of each site it sources from: 1 = it buys
finished goods there, n >= 2 = the site is n steps up its chain. A tier-1 link is always
consistent: a site the brand buys from directly may also supply another of its tier-1 sites.
A tier-n link (n >= 2) to a site F must agree with the brand's own ``supplies`` links: when the
brand states that F supplies sites G1..Gk that it sources at tiers m1..mk, then
n == 1 + min(m1..mk) (F is one step above the nearest of the sites it feeds). When the brand
states no such link, any tier is accepted (the intermediate sites are not known yet). Only the
brand's own statements count: another member's links must not constrain (or reveal) anything.
The rule is checked when a brand states or changes a tier and when it states a supplies link;
ending a link is never refused (the next change of an affected tier is checked again).

Cycles of ``supplies`` and ``subcontracts`` are refused among the links the caller may see (its
own and those touching a site it owns): a cycle through another member's links is not the
caller's to know about.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from typing import Any, TypeVar

from core.errors import ErrorItem
from graph.models import EndpointKind, RelationshipKind

N = TypeVar("N", bound=Hashable)

#: (from kind, to kind) of each relationship kind.
ENDPOINTS: Mapping[RelationshipKind, tuple[EndpointKind, EndpointKind]] = {
    RelationshipKind.sources_from: (EndpointKind.organization, EndpointKind.facility),
    RelationshipKind.supplies: (EndpointKind.facility, EndpointKind.facility),
    RelationshipKind.recruits_for: (EndpointKind.recruiter, EndpointKind.facility),
    RelationshipKind.subcontracts: (EndpointKind.recruiter, EndpointKind.recruiter),
}

#: The attributes each kind carries (validity dates go with every kind).
KIND_FIELDS: Mapping[RelationshipKind, frozenset[str]] = {
    RelationshipKind.sources_from: frozenset({"tier"}),
    RelationshipKind.supplies: frozenset({"material"}),
    RelationshipKind.recruits_for: frozenset(
        {"corridor_id", "workers_placed", "fee_per_worker", "fee_currency", "fee_payer"}
    ),
    RelationshipKind.subcontracts: frozenset(),
}
ALL_KIND_FIELDS = frozenset().union(*KIND_FIELDS.values())
#: Kinds whose cycles make no sense (goods do not flow back to their source; an agent's sub-agent
#: does not subcontract to the agent). sources_from cannot cycle: its ends are of different kinds.
ACYCLIC_KINDS = frozenset({RelationshipKind.supplies, RelationshipKind.subcontracts})
MAX_TIER = 10


def endpoint_problems(kind: RelationshipKind, from_kind: EndpointKind, to_kind: EndpointKind) -> list[ErrorItem]:
    """The endpoints of the wrong kind for this relationship kind."""
    want_from, want_to = ENDPOINTS[kind]
    problems = []
    if from_kind is not want_from:
        problems.append(ErrorItem(("body", "from", "kind"), f"{kind.value} starts at a {want_from.value}"))
    if to_kind is not want_to:
        problems.append(ErrorItem(("body", "to", "kind"), f"{kind.value} ends at a {want_to.value}"))
    return problems


def field_problems(kind: RelationshipKind, state: Mapping[str, Any]) -> list[ErrorItem]:
    """Attributes stated for the wrong kind, a missing tier, a fee without currency, a period that
    ends before it starts (``state``: the attributes after the change, None = not stated)."""
    problems = [
        ErrorItem(("body", name), f"not an attribute of {kind.value}")
        for name in sorted(ALL_KIND_FIELDS - KIND_FIELDS[kind])
        if state.get(name) is not None
    ]
    if kind is RelationshipKind.sources_from and state.get("tier") is None:
        problems.append(ErrorItem(("body", "tier"), "sources_from needs a tier (1 = finished goods)"))
    if state.get("fee_per_worker") is not None and state.get("fee_currency") is None:
        problems.append(ErrorItem(("body", "fee_currency"), "a fee needs its ISO 4217 currency"))
    starts, ends = state.get("valid_from"), state.get("valid_to")
    if starts is not None and ends is not None and ends < starts:
        problems.append(ErrorItem(("body", "valid_to"), "before valid_from"))
    return problems


def path_between(start: N, goal: N, next_hops: Callable[[set[N]], Iterable[tuple[N, N]]]) -> list[N] | None:
    """The shortest path start -> ... -> goal, asking ``next_hops`` for the edges leaving a whole
    frontier at once (one query per step), or None."""
    parent: dict[N, N | None] = {start: None}
    frontier = {start}
    while frontier and goal not in parent:
        found: set[N] = set()
        for head, tail in next_hops(frontier):
            if tail not in parent:
                parent[tail] = head
                found.add(tail)
        frontier = found
    if goal not in parent:
        return None
    path: list[N] = [goal]
    while (previous := parent[path[-1]]) is not None:
        path.append(previous)
    return path[::-1]


def cycle_closed_by(from_node: N, to_node: N, next_hops: Callable[[set[N]], Iterable[tuple[N, N]]]) -> list[N] | None:
    """The cycle a new edge from -> to would close: [from, to, ..., from], or None."""
    back = path_between(to_node, from_node, next_hops)
    return None if back is None else [from_node, *back]


def expected_tier(downstream_tiers: Collection[int]) -> int | None:
    """The tier a site must have given the brand's tiers of the sites it supplies (None: any)."""
    return 1 + min(downstream_tiers) if downstream_tiers else None


def tier_contradictions(
    tiers: Mapping[N, int], supplies: Iterable[tuple[N, N]], focus: Iterable[N]
) -> list[tuple[N, int, int]]:
    """(site, stated tier, expected tier) for each site of ``focus`` whose tier contradicts one
    brand's ``supplies`` links (see the module docstring). ``tiers``: the brand's tier per site."""
    feeds: dict[N, list[int]] = {}
    for supplier, customer in supplies:
        if customer in tiers:
            feeds.setdefault(supplier, []).append(tiers[customer])
    wrong = []
    for site in dict.fromkeys(focus):
        stated = tiers.get(site)
        if stated is None or stated == 1:
            continue
        expected = expected_tier(feeds.get(site, ()))
        if expected is not None and expected != stated:
            wrong.append((site, stated, expected))
    return wrong
