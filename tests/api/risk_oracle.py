"""The oracle of the risk visibility proof: the sharing rules in plain Python, and what each risk
and map endpoint may show a caller of a built world."""

from __future__ import annotations

import csv
import io
import itertools
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from statistics import fmean
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from graph.models import EndpointKind, Facility, Relationship
from risk.models import RiskScore
from tests.api.risk_world import Audit, Built, Grant, Kind, Link

HIGH = ("high", "severe")
DEEPEST_TIER = 4


def _is_active(ended_at: datetime | None, valid_from: date | None, valid_to: date | None, today: date) -> bool:
    return ended_at is None and (valid_from is None or valid_from <= today) and (valid_to is None or valid_to >= today)


# --- the oracle: the sharing rules in plain Python -------------------------------------------------


def link_visible(org: uuid.UUID, link: Link, site_owner: dict[uuid.UUID, uuid.UUID]) -> bool:
    """A link is visible to its contributor and to the owner of a site at either end."""
    ends = ((link.from_kind, link.from_id), (link.to_kind, link.to_id))
    return link.by == org or any(k is EndpointKind.facility and site_owner.get(i) == org for k, i in ends)


def assessment_visible(org: uuid.UUID, audit: Audit, grants: list[Grant]) -> bool:
    """Its uploader, its subject's owner, or a grant in force on it or on its whole subject."""
    if org in (audit.uploader, audit.subject_owner):
        return True
    return any(g.grantee == org and g.in_force and g.subject_id in (audit.id, audit.subject_id) for g in grants)


@dataclass
class Shown:
    """What one explanation may show a caller, and the ids it must never show."""

    items: list[tuple[Any, ...]] = field(default_factory=list)
    points: list[float] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)


def _pooled(shown: Shown, sources: set[str], points: float) -> None:
    if sources:
        shown.items.append(("pooled_signal", None, None, None, len(sources)))
        shown.points.append(points)


def _evidence(org: uuid.UUID, component: dict[str, Any], built: Built) -> Shown:
    shown, hidden, points = Shown(), set(), 0.0
    for item in component["items"]:
        kind, ref = item["kind"], item["ref"]
        if kind == "finding":
            audit = built.audit_of(ref)
            if assessment_visible(org, audit, built.grants):
                shown.items.append((kind, ref, audit.public_id, None, None))
                shown.points.append(item["points"])
                continue
            hidden.add(audit.public_id)
            shown.secrets |= {ref, audit.public_id}
            points += item["points"]
        elif kind == "recruiter_path":
            chain = ref.split("+")
            if all(link_visible(org, built.link(p), built.site_owner) for p in chain):
                shown.items.append((kind, ref, None, chain, None))
                shown.points.append(item["points"])
                continue
            hidden.add(ref)
            shown.secrets |= {p for p in chain if not link_visible(org, built.link(p), built.site_owner)}
            points += item["points"]
        elif kind == "supplier":  # "<supplier>|<links stating it>": named when one link is visible
            supplier, links = ref.split("|")
            seen = [p for p in links.split("+") if link_visible(org, built.link(p), built.site_owner)]
            shown.secrets |= set(links.split("+")) - set(seen)
            if seen:
                shown.items.append((kind, supplier, None, seen, None))
                shown.points.append(item["points"])
                continue
            hidden.add(ref)
            points += item["points"]
        else:
            shown.items.append((kind, ref, None, None, None))
            shown.points.append(item["points"])
    _pooled(shown, hidden, points)
    return shown


def _items_of(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (c["name"], i["kind"], i["ref"], i.get("assessment"), i.get("links"), i.get("count"))
        for c in body["components"]
        for i in c["items"]
    ]


def check_explanation(org: uuid.UUID, subject_id: uuid.UUID, body: dict[str, Any], built: Built) -> None:
    stored = built.stored[subject_id]
    assert (body["score"], body["band"], body["confidence"]) == (stored.score, stored.band, stored.confidence)
    expected, points, secrets = [], [], set()
    for component in stored.components:
        shown = _evidence(org, component, built)
        expected += [(component["name"], *item) for item in shown.items]
        points += shown.points
        secrets |= shown.secrets
    assert _items_of(body) == expected
    got = [i["points"] for c in body["components"] for i in c["items"]]
    assert got == pytest.approx(points, abs=1e-3)
    text = str(body)
    assert not {secret for secret in secrets if secret in text}, "names evidence the caller may not see"


def stored_refs_are_pooled_evidence(built: Built) -> None:
    """The scores rest on pooled, current evidence and active links only (so the names checked
    above are the names of real evidence, not of something else the job made up)."""
    active = {link.public_id for link in built.links if link.active}
    for subject_id, stored in built.stored.items():
        pooled = {f for a in built.audits if a.pooled and a.subject_id == subject_id for f in a.finding_ids}
        for component in stored.components:
            for item in component["items"]:
                if item["kind"] == "finding":
                    assert item["ref"] in pooled
                elif item["kind"] == "recruiter_path":
                    assert set(item["ref"].split("+")) <= active
                elif item["kind"] == "supplier":
                    assert set(item["ref"].split("|")[1].split("+")) <= active


Node = tuple[str, uuid.UUID]


def _upstream(org: uuid.UUID, built: Built) -> dict[Node, list[Node]]:
    """The caller's visible active links as steps upstream (against the flow of goods and workers):
    brand -> site it sources from, site -> its supplier and its recruiter, agent -> sub-agent."""
    steps: dict[Node, list[Node]] = defaultdict(list)
    for link in built.links:
        if not (link.active and link_visible(org, link, built.site_owner)):
            continue
        start, end = (link.from_kind.value, link.from_id), (link.to_kind.value, link.to_id)
        if link.kind in (Kind.sources_from, Kind.subcontracts):
            steps[start].append(end)
        else:
            steps[end].append(start)
    return steps


def _distances(org: uuid.UUID, built: Built) -> dict[Node, int]:
    steps, start = _upstream(org, built), (EndpointKind.organization.value, org)
    distance, queue = {start: 0}, deque([start])
    while queue:
        node = queue.popleft()
        for upstream in steps[node]:
            if upstream not in distance:
                distance[upstream] = distance[node] + 1
                queue.append(upstream)
    return distance


def _links_between(org: uuid.UUID, built: Built, kind: Kind, start: uuid.UUID, end: uuid.UUID) -> list[Link]:
    return [
        link
        for link in built.links
        if (link.kind, link.from_id, link.to_id) == (kind, start, end)
        and link.active
        and link_visible(org, link, built.site_owner)
    ]


def _site_tier(org: uuid.UUID, built: Built, path: list[uuid.UUID], distance: dict[Node, int]) -> int:
    """Check the path is a shortest chain of the caller's visible links; the tier it gives."""
    assert len(path) == distance[(EndpointKind.facility.value, path[-1])]
    sourcing = _links_between(org, built, Kind.sources_from, org, path[0])
    assert sourcing, "a path starts with one of the caller's own sourcing links"
    for downstream, upstream in itertools.pairwise(path):
        assert _links_between(org, built, Kind.supplies, upstream, downstream)
    return min(link.tier or 1 for link in sourcing) + len(path) - 1


def _totals(sites: list[tuple[str, int, float, str]], key: int) -> list[tuple[Any, ...]]:
    groups: dict[str, list[tuple[str, int, float, str]]] = defaultdict(list)
    for site in sites:
        groups[str(site[key])].append(site)
    return [
        (name, len(g), len(g), round(fmean(s[2] for s in g), 2), max(s[2] for s in g), sum(s[3] in HIGH for s in g))
        for name, g in sorted(groups.items())
    ]


def check_exposure(org: uuid.UUID, body: dict[str, Any], built: Built) -> None:
    distance = _distances(org, built)
    by_public = {public: site_id for site_id, public in built.sites}
    reached = {i for kind, i in distance if kind == EndpointKind.facility.value}
    assert {by_public[s["id"]] for s in body["sites"]} == reached
    expected, unmapped = [], 0
    for site in body["sites"]:
        site_id = by_public[site["id"]]
        tier = _site_tier(org, built, [by_public[p] for p in site["path"]], distance)
        stored = built.stored[site_id]
        assert (site["tier"], site["score"], site["band"]) == (tier, stored.score, stored.band)
        supplied = any(
            link.kind is Kind.supplies
            and link.to_id == site_id
            and link.active
            and link_visible(org, link, built.site_owner)
            for link in built.links
        )
        unmapped += 0 if supplied else max(DEEPEST_TIER - tier, 0)
        expected.append((site["country"], tier, stored.score, stored.band))
    order = [(-s["score"], s["tier"], s["id"]) for s in body["sites"]]
    assert order == sorted(order)
    assert body["unmapped_upstream_tiers"] == unmapped
    assert body["recruiters"] == sum(kind == EndpointKind.recruiter.value for kind, _ in distance)
    for key, column in (("by_tier", 1), ("by_country", 0)):
        got = [
            (t["key"], t["sites"], t["scored"], t["mean_score"], t["max_score"], t["high_or_severe"]) for t in body[key]
        ]
        assert got == _totals(expected, column)


def check_training(org: uuid.UUID, body: list[dict[str, Any]], built: Built) -> None:
    """Sites the caller sources from that another brand sources from too: counted, named only
    with consent; nothing else."""
    sourcing = [link for link in built.links if link.kind is Kind.sources_from and link.active]
    names = dict(zip(built.orgs, built.names, strict=True))
    consent = {o for o, disclose in zip(built.orgs, built.disclose, strict=True) if disclose}
    expected = {}
    for site_id, public_id in built.sites:
        brands = {link.from_id for link in sourcing if link.to_id == site_id}
        if org in brands and len(brands) > 1:
            named = sorted(names[b] for b in brands - {org} if b in consent)
            stored = built.stored[site_id]
            expected[public_id] = (len(brands), named, stored.score, stored.band)
    got = {p["id"]: (p["sharing_brands"], p["named_brands"], p["score"], p["band"]) for p in body}
    assert got == expected


# --- maps: the oracle reads every scored site and link (other examples' too), as plain rows --------


@dataclass(frozen=True)
class Network:
    sites: list[tuple[uuid.UUID, str, float, str]]  # every live scored facility: (id, country, score, band)
    site_owner: dict[uuid.UUID, uuid.UUID]
    links: list[Link]


def load_network(factory: sessionmaker[Session]) -> Network:
    today = datetime.now(UTC).date()
    with factory() as s:
        facilities = s.execute(
            sa.select(Facility.id, Facility.country, Facility.owner_organization_id, Facility.merged_into_id)
        ).all()
        scored = sa.select(RiskScore.subject_id, RiskScore.score, RiskScore.band).where(
            RiskScore.subject_kind == "facility"
        )
        scores = {r.subject_id: (r.score, r.band) for r in s.execute(scored)}
        links = [
            Link(
                r.public_id, r.kind, r.from_kind, r.from_id, r.to_kind, r.to_id, r.contributor_organization_id,
                r.tier, r.corridor_id, _is_active(r.ended_at, r.valid_from, r.valid_to, today),
            )
            for r in s.scalars(sa.select(Relationship))
        ]  # fmt: skip
    return Network(
        [(f.id, f.country, *scores[f.id]) for f in facilities if f.merged_into_id is None and f.id in scores],
        {f.id: f.owner_organization_id for f in facilities if f.owner_organization_id is not None},
        links,
    )


Cell = tuple[float | None, float | None, float | None, float | None, bool]


def expected_cells(
    network: Network, org: uuid.UUID, ctip: bool, k: int, *, tier: int | None = None, corridor: uuid.UUID | None = None
) -> dict[str, Cell]:
    """Country cells of the sites the caller's links reach (a CTIP organisation: every member's
    links, but no site seen individually, so a cell of fewer than ``k`` sites is suppressed)."""

    def followed(link: Link) -> bool:
        return link.active and (ctip or link_visible(org, link, network.site_owner))

    wanted = None
    if tier is not None:
        wanted = {x.to_id for x in network.links if x.kind is Kind.sources_from and x.tier == tier and followed(x)}
    if corridor is not None:
        on_corridor = {
            x.to_id for x in network.links if x.kind is Kind.recruits_for and x.corridor_id == corridor and followed(x)
        }
        wanted = on_corridor if wanted is None else wanted & on_corridor
    groups: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for site_id, country, score, band in network.sites:
        if wanted is None or site_id in wanted:
            groups[country].append((score, band))
    cells: dict[str, Cell] = {}
    for country, sites in groups.items():
        if ctip and len(sites) < k:
            cells[country] = (None, None, None, None, True)
            continue
        n = len(sites)
        mean, high = round(sum(s for s, _ in sites) / n, 2), round(sum(b in HIGH for _, b in sites) / n, 4)
        cells[country] = (float(n), mean, max(s for s, _ in sites), high, False)
    return cells


def _number(value: Any) -> float | None:
    return None if value in (None, "") else float(value)


def parse_map(response: httpx.Response, output: str) -> dict[str, Cell]:
    assert response.status_code == 200, response.text
    if output == "geojson":
        rows = [f["properties"] for f in response.json()["features"]]
    else:
        rows = list(csv.DictReader(io.StringIO(response.text)))
    return {
        str(r["cell"]): (
            _number(r["sites"]),
            _number(r["mean_score"]),
            _number(r["max_score"]),
            _number(r["share_high"]),
            r["suppressed"] in (True, "True"),
        )
        for r in rows
    }


def assert_cells(got: dict[str, Cell], expected: dict[str, Cell]) -> None:
    assert got.keys() == expected.keys()
    for cell, figures in expected.items():
        assert got[cell][4] == figures[4], cell
        assert got[cell][:4] == pytest.approx(figures[:4], abs=0.011), cell
