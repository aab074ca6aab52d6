"""Per-request values that the audit trail records without threading them through every call."""

from __future__ import annotations

from contextvars import ContextVar

#: Set by the API middleware from ``X-Request-ID`` (or generated), and by the CLI per command.
request_id_var: ContextVar[str | None] = ContextVar("loomline_request_id", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()
