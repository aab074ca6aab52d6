"""Pydantic shapes of the policies domain."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.principal import OrganizationKind


class OrganizationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: OrganizationKind
    display_name: str
    country: str | None
    created_at: datetime
    disclose_sourcing: bool = False


class MeRead(BaseModel):
    """The caller: its organisation, its client and the scopes its token grants."""

    organization: OrganizationRead
    client_id: str
    scopes: list[str]


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    occurred_at: datetime
    actor_organization_id: uuid.UUID | None
    actor_client_id: str | None
    action: str
    subject_kind: str | None
    subject_id: str | None
    request_id: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


class AuditEventPage(BaseModel):
    items: list[AuditEventRead]
    next_after_seq: int | None


class OrganizationUpdate(BaseModel):
    """What an organisation may change about itself."""

    model_config = ConfigDict(extra="forbid")

    disclose_sourcing: bool | None = Field(
        default=None,
        description="May other members sourcing from a site you source from see your name (shared suppliers)?",
    )
