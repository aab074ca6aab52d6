"""Who is calling: the authenticated organisation, client and granted scopes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class OrganizationKind(StrEnum):
    brand = "brand"
    supplier = "supplier"
    recruiter = "recruiter"
    auditor = "auditor"
    ctip = "ctip"
    platform = "platform"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller. Built only from a verified access token (see policies.tokens)."""

    organization_id: uuid.UUID
    organization_kind: OrganizationKind
    client_id: str
    scopes: frozenset[str]
    token_id: str

    def has_scopes(self, *required: str) -> bool:
        return set(required) <= self.scopes
