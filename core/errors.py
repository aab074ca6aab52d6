"""Domain error bases. The API maps each base to one HTTP status in ``api/errors.py``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ErrorItem:
    """One bad thing in an input: where (row, column, field path) and what is wrong."""

    location: tuple[str | int, ...]
    message: str


class LoomlineError(Exception):
    """Base of every error a caller may see. ``detail`` is safe to show; never put secrets in it."""

    title = "Request failed"

    def __init__(self, detail: str, *, errors: Sequence[ErrorItem] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)


class NotFound(LoomlineError):
    """The resource does not exist, or the caller may not know that it does."""

    title = "Not found"


class PermissionDenied(LoomlineError):
    """The caller may see the resource but not act on it."""

    title = "Forbidden"


class Conflict(LoomlineError):
    title = "Conflict"


class InvalidInput(LoomlineError):
    """Well-formed request whose content is wrong; ``errors`` names each bad row/field."""

    title = "Invalid input"


class InvalidToken(LoomlineError):
    """The bearer token is missing, malformed, expired or not ours."""

    title = "Invalid token"


class InsufficientScope(PermissionDenied):
    """The token is valid but lacks a scope the operation needs."""

    title = "Insufficient scope"

    def __init__(self, detail: str, *, required: Sequence[str]) -> None:
        super().__init__(detail)
        self.required = tuple(required)


class ContentTooLarge(LoomlineError):
    """An input over a documented size or count limit."""

    title = "Content too large"


class UnsupportedMediaType(LoomlineError):
    """An input in a format the operation does not read."""

    title = "Unsupported media type"
