"""Conditional GETs (RFC 9110, section 13): the If-None-Match header and the 304 that answers it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Response, status

from core.text import NO_NUL_PATTERN

IfNoneMatch = Annotated[str | None, Header(max_length=2000, pattern=NO_NUL_PATTERN)]

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    status.HTTP_304_NOT_MODIFIED: {"description": "Not modified (If-None-Match matched the ETag)"}
}


def _opaque(tag: str) -> str:
    return tag.strip().removeprefix("W/")


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Does If-None-Match name ``etag`` (or ``*``)? Then the caller's copy is current: answer 304.
    Weak comparison, as RFC 9110 asks for If-None-Match: ``W/"x"`` matches ``"x"``."""
    if if_none_match is None:
        return False
    tags = {_opaque(tag) for tag in if_none_match.split(",")}
    return "*" in tags or _opaque(etag) in tags


def not_modified(etag: str) -> Response:
    """The 304 for a matching If-None-Match: no body, the ETag repeated."""
    return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
