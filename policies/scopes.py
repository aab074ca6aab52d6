"""OAuth2 scopes: coarse rights a client may be granted (``noun:verb``)."""

from __future__ import annotations

from enum import StrEnum


class ApiScope(StrEnum):
    graph_read = "graph:read"
    graph_write = "graph:write"
    assessments_read = "assessments:read"
    assessments_write = "assessments:write"
    risk_read = "risk:read"
    maps_read = "maps:read"
    admin = "admin"


SCOPE_DESCRIPTIONS: dict[str, str] = {
    ApiScope.graph_read: "Read facilities, recruiters and relationships you may see.",
    ApiScope.graph_write: "Register facilities, recruiters and relationships.",
    ApiScope.assessments_read: "Read assessments shared with your organisation.",
    ApiScope.assessments_write: "Upload assessments and manage their sharing grants.",
    ApiScope.risk_read: "Read risk scores and their explanations.",
    ApiScope.maps_read: "Read aggregated risk maps.",
    ApiScope.admin: "Administer the platform (platform operators only).",
}

ALL_SCOPES: frozenset[str] = frozenset(s.value for s in ApiScope)


def parse_scopes(text: str) -> frozenset[str]:
    """Split an RFC 6749 scope string; raise ValueError naming any scope we do not know."""
    scopes = frozenset(text.split())
    unknown = sorted(scopes - ALL_SCOPES)
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)}; known: {' '.join(sorted(ALL_SCOPES))}")
    return scopes
