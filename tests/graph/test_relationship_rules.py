"""The pure rules of relationships: ends, attributes, cycles and tiers (with property tests
against networkx as the oracle)."""

from __future__ import annotations

import itertools
from datetime import date

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

from graph import relationship_rules as rules
from graph.models import EndpointKind, RelationshipKind


def hops(edges: set[tuple[int, int]]):  # type: ignore[no-untyped-def]
    def next_hops(frontier: set[int]) -> list[tuple[int, int]]:
        return [(a, b) for a, b in edges if a in frontier]

    return next_hops


class TestEndpointProblems:
    def test_each_kind_has_its_ends(self) -> None:
        for kind, (start, end) in rules.ENDPOINTS.items():
            assert rules.endpoint_problems(kind, start, end) == []

    def test_a_wrong_end_is_named(self) -> None:
        problems = rules.endpoint_problems(RelationshipKind.supplies, EndpointKind.recruiter, EndpointKind.facility)
        assert [p.location for p in problems] == [("body", "from", "kind")]


class TestFieldProblems:
    def test_attributes_of_another_kind_are_named(self) -> None:
        problems = rules.field_problems(RelationshipKind.supplies, {"tier": 2, "material": "yarn"})
        assert [p.location for p in problems] == [("body", "tier")]

    def test_sources_from_needs_a_tier(self) -> None:
        assert [p.location for p in rules.field_problems(RelationshipKind.sources_from, {})] == [("body", "tier")]

    def test_a_fee_needs_a_currency_and_a_period_its_order(self) -> None:
        state = {"fee_per_worker": 10.0, "valid_from": date(2026, 2, 1), "valid_to": date(2026, 1, 1)}
        locations = [p.location for p in rules.field_problems(RelationshipKind.recruits_for, state)]
        assert locations == [("body", "fee_currency"), ("body", "valid_to")]


class TestCycles:
    def test_the_cycle_a_link_would_close_is_named(self) -> None:
        edges = {(1, 2), (2, 3)}
        assert rules.cycle_closed_by(3, 1, hops(edges)) == [3, 1, 2, 3]
        assert rules.cycle_closed_by(1, 3, hops(edges)) is None

    @given(
        st.sets(st.tuples(st.integers(0, 7), st.integers(0, 7)).filter(lambda e: e[0] != e[1]), max_size=20),
        st.tuples(st.integers(0, 7), st.integers(0, 7)).filter(lambda e: e[0] != e[1]),
    )
    def test_agrees_with_networkx(self, edges: set[tuple[int, int]], new: tuple[int, int]) -> None:
        graph = nx.DiGraph(list(edges))
        graph.add_nodes_from(new)
        cycle = rules.cycle_closed_by(new[0], new[1], hops(edges))
        assert (cycle is not None) == nx.has_path(graph, new[1], new[0])
        if cycle is not None:
            assert cycle[0] == cycle[-1] == new[0]
            assert cycle[1] == new[1]
            assert all(graph.has_edge(a, b) for a, b in itertools.pairwise(cycle[1:]))
            assert len(cycle) - 1 == nx.shortest_path_length(graph, new[1], new[0]) + 1


class TestTiers:
    def test_tier_1_is_always_consistent(self) -> None:
        assert rules.tier_contradictions({"a": 1, "b": 1}, [("a", "b")], ["a"]) == []

    def test_a_supplier_is_one_tier_above_the_nearest_site_it_feeds(self) -> None:
        tiers = {"factory": 1, "mill": 3, "dye": 2}
        supplies = [("mill", "factory"), ("mill", "dye")]
        assert rules.tier_contradictions(tiers, supplies, ["mill"]) == [("mill", 3, 2)]
        assert rules.tier_contradictions(tiers | {"mill": 2}, supplies, ["mill"]) == []

    def test_without_known_customers_any_tier_goes(self) -> None:
        assert rules.tier_contradictions({"farm": 4}, [], ["farm"]) == []

    @given(
        st.dictionaries(st.integers(0, 6), st.integers(1, 5), max_size=7),
        st.sets(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=15),
    )
    def test_agrees_with_the_definition(self, tiers: dict[int, int], supplies: set[tuple[int, int]]) -> None:
        wrong = {site for site, _, _ in rules.tier_contradictions(tiers, supplies, list(tiers))}
        for site, tier in tiers.items():
            fed = [tiers[c] for s, c in supplies if s == site and c in tiers]
            consistent = tier == 1 or not fed or tier == 1 + min(fed)
            assert (site not in wrong) == consistent
