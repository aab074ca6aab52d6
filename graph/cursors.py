"""Opaque page cursors: the last row's time-ordered id, URL-safe base 64 (every list of the graph)."""

from __future__ import annotations

import base64
import binascii
import uuid

from core.errors import ErrorItem, InvalidInput


def encode_cursor(row_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(row_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str) -> uuid.UUID:
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput("Malformed cursor.", errors=[ErrorItem(("query", "cursor"), "not a cursor")]) from exc
