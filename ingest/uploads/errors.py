"""Errors of facility-list uploads."""

from __future__ import annotations

from collections.abc import Sequence

from core.errors import ContentTooLarge, ErrorItem, InvalidInput, UnsupportedMediaType


class UploadTooLarge(ContentTooLarge):
    title = "Upload too large"


class UploadFormatUnsupported(UnsupportedMediaType):
    title = "Unsupported upload format"


class UploadFileInvalid(InvalidInput):
    """The file cannot be read as a facility list (encoding, layout, header); nothing was stored."""

    title = "Invalid facility list"

    def __init__(self, detail: str, *, errors: Sequence[ErrorItem] = ()) -> None:
        super().__init__(detail, errors=errors or [ErrorItem(("file",), detail)])
