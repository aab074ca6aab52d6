"""Pydantic shapes of the graph queries."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field

from graph.models import EndpointKind, FeePayer, RelationshipKind


class GraphNodeRead(BaseModel):
    key: str = Field(description="<kind>:<public id> (organisations: their UUID)")
    kind: EndpointKind
    id: str
    name: str
    distance: int | None = Field(default=None, description="Flow steps from the node asked about")


class GraphEdgeRead(BaseModel):
    id: str = Field(description="The relationship's public id (LK-...)")
    kind: RelationshipKind
    source: str
    target: str
    attributes: dict[str, Any]


class NetworkRead(BaseModel):
    nodes: list[GraphNodeRead]
    edges: list[GraphEdgeRead]


class SharedSupplierRead(BaseModel):
    facility_id: str
    name: str
    your_tier: int | None
    sharing_members: int = Field(description="How many other member brands source here (never which)")
    named_members: list[str] = Field(description="Those of them that consented to be named")


class SharedSuppliersRead(BaseModel):
    items: list[SharedSupplierRead]


class RecruitmentChainRead(BaseModel):
    recruiters: list[GraphNodeRead] = Field(description="From the outermost sub-agent to the recruiter of the site")
    depth: int
    recruits_for: str = Field(description="The recruits_for link that ends the chain")
    corridor_id: uuid.UUID | None = None
    workers_placed: int | None = None
    fee_per_worker: float | None = None
    fee_currency: str | None = None
    fee_payer: FeePayer | None = None


class RecruitmentChainsRead(BaseModel):
    facility_id: str
    chains: list[RecruitmentChainRead]


class PathRead(BaseModel):
    nodes: list[GraphNodeRead]
    edges: list[GraphEdgeRead]
    length: int
