"""Pydantic shapes of the policies domain."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from core.principal import OrganizationKind


class OrganizationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: OrganizationKind
    display_name: str
    country: str | None
    created_at: datetime


class MeRead(BaseModel):
    """The caller: its organisation, its client and the scopes its token grants."""

    organization: OrganizationRead
    client_id: str
    scopes: list[str]
