"""GET /v1/risk/exposure: the sites a brand's own links reach, with tiers, paths and totals; other
members' links are never followed (both dialects)."""

from __future__ import annotations

import uuid

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from core.db import transaction
from graph.models import Facility
from risk.models import RiskScore, ScoredKind
from tests.conftest import bearer, fetch_token, make_organization_with_client

pytestmark = pytest.mark.anyio


def word() -> str:
    return "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:10]).capitalize()


async def site(api: httpx.AsyncClient, token: str, country: str) -> str:
    body = {"name": f"{word()} {word()} Works", "country": country}
    response = await api.post("/v1/facilities", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def link(
    api: httpx.AsyncClient, token: str, kind: str, start: tuple[str, str], end: str, **extra: object
) -> None:
    body = {"kind": kind, "from": {"kind": start[0], "id": start[1]}, "to": {"kind": "facility", "id": end}} | extra
    response = await api.post("/v1/relationships", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text


async def test_exposure_follows_only_the_callers_links(
    api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
) -> None:
    mine = make_organization_with_client(committing_sessions)
    theirs = make_organization_with_client(committing_sessions)
    me, them = await fetch_token(api, mine), await fetch_token(api, theirs)
    garment, mill, gin = await site(api, me, "BD"), await site(api, me, "IN"), await site(api, me, "IN")
    await link(api, me, "sources_from", ("organization", str(mine.organization_id)), garment, tier=1)
    await link(api, me, "supplies", ("facility", mill), garment, material="yarn")
    await link(api, them, "supplies", ("facility", gin), mill, material="cotton")  # not mine: never followed
    with transaction(committing_sessions) as s:
        for public_id, value, band in ((garment, 80.0, "severe"), (mill, 40.0, "medium")):
            facility_id = s.scalars(sa.select(Facility.id).where(Facility.public_id == public_id)).one()
            s.add(
                RiskScore(
                    subject_kind=ScoredKind.facility, subject_id=facility_id, score=value, band=band,
                    confidence=0.5, components=[], method_version="test", inputs_fingerprint="0" * 64,
                )
            )  # fmt: skip

    response = await api.get("/v1/risk/exposure", headers=bearer(me))

    assert response.status_code == 200, response.text
    body = response.json()
    assert [(s["id"], s["tier"], s["score"], s["path"]) for s in body["sites"]] == [
        (garment, 1, 80.0, [garment]),
        (mill, 2, 40.0, [garment, mill]),
    ]
    assert [(t["key"], t["sites"], t["high_or_severe"]) for t in body["by_tier"]] == [("1", 1, 1), ("2", 1, 0)]
    assert {t["key"]: t["mean_score"] for t in body["by_country"]} == {"BD": 80.0, "IN": 40.0}
    assert body["unmapped_upstream_tiers"] == 2  # the mill (tier 2) has no supplier I can see: tiers 3 and 4

    other = (await api.get("/v1/risk/exposure", headers=bearer(them))).json()
    assert other["sites"] == []  # they state a supply link but source from nothing


async def test_training_priorities_list_only_shared_sites_and_need_the_risk_scope(
    api: httpx.AsyncClient, committing_sessions: sessionmaker[Session]
) -> None:
    mine = make_organization_with_client(committing_sessions)
    theirs = make_organization_with_client(committing_sessions)
    me, them = await fetch_token(api, mine), await fetch_token(api, theirs)
    shared, own = await site(api, me, "KH"), await site(api, me, "KH")
    await link(api, me, "sources_from", ("organization", str(mine.organization_id)), shared, tier=1)
    await link(api, me, "sources_from", ("organization", str(mine.organization_id)), own, tier=1)
    await link(api, them, "sources_from", ("organization", str(theirs.organization_id)), shared, tier=1)

    response = await api.get("/v1/risk/training-priorities", headers=bearer(me))

    assert response.status_code == 200, response.text
    assert [(p["id"], p["sharing_brands"], p["named_brands"]) for p in response.json()] == [(shared, 2, [])]
    graph_only = make_organization_with_client(committing_sessions, scopes="graph:read")
    denied = await api.get("/v1/risk/training-priorities", headers=bearer(await fetch_token(api, graph_only)))
    assert denied.status_code == 403
