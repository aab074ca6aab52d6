"""Map every exception to an RFC 9457 problem response: one table, no stack traces or SQL."""

from __future__ import annotations

import logging
from typing import cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from api.problems import ProblemItem, problem_response
from core.errors import (
    Conflict,
    ContentTooLarge,
    InsufficientScope,
    InvalidInput,
    InvalidToken,
    LoomlineError,
    NotFound,
    PermissionDenied,
    UnsupportedMediaType,
)
from core.request_context import current_request_id

log = logging.getLogger("loomline.api")

#: Domain error base -> (HTTP status, problem type slug). Most specific first.
STATUS_BY_ERROR: tuple[tuple[type[LoomlineError], int, str], ...] = (
    (InvalidToken, 401, "invalid-token"),
    (InsufficientScope, 403, "insufficient-scope"),
    (PermissionDenied, 403, "forbidden"),
    (NotFound, 404, "not-found"),
    (Conflict, 409, "conflict"),
    (InvalidInput, 422, "invalid-input"),
    (ContentTooLarge, 413, "content-too-large"),
    (UnsupportedMediaType, 415, "unsupported-media-type"),
    (LoomlineError, 400, "bad-request"),
)

HTTP_TITLES = {404: "Not found", 405: "Method not allowed", 406: "Not acceptable", 413: "Content too large"}


def _bearer_challenge(error: LoomlineError) -> dict[str, str]:
    description = error.detail.replace('"', "'")
    if isinstance(error, InvalidToken):
        return {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'}
    if isinstance(error, InsufficientScope):
        scope = " ".join(error.required)
        return {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'}
    return {}


async def _domain_error(_request: Request, exc: Exception) -> Response:
    exc = cast(LoomlineError, exc)
    status, slug = next((s, t) for cls, s, t in STATUS_BY_ERROR if isinstance(exc, cls))
    items = [ProblemItem(location=list(e.location), message=e.message) for e in exc.errors]
    return problem_response(
        status,
        slug=slug,
        title=exc.title,
        detail=exc.detail,
        errors=items,
        headers=_bearer_challenge(exc),
    )


async def _validation_error(_request: Request, exc: Exception) -> Response:
    exc = cast(RequestValidationError, exc)
    items = [ProblemItem(location=list(e.get("loc", ())), message=str(e.get("msg", "invalid"))) for e in exc.errors()]
    return problem_response(
        422,
        slug="validation",
        title="Request validation failed",
        detail=f"{len(items)} invalid value(s) in the request.",
        errors=items,
    )


async def _http_error(_request: Request, exc: Exception) -> Response:
    exc = cast(StarletteHTTPException, exc)
    title = HTTP_TITLES.get(exc.status_code, "Request failed")
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail.lower() != title.lower() else None
    return problem_response(
        exc.status_code,
        slug=title.lower().replace(" ", "-"),
        title=title,
        detail=detail,
        headers=exc.headers,
    )


async def _unexpected_error(_request: Request, exc: Exception) -> Response:
    log.exception("unhandled error (request %s)", current_request_id(), exc_info=exc)
    return problem_response(
        500,
        slug="internal",
        title="Internal server error",
        detail="Something went wrong on our side; quote the instance id when reporting it.",
    )


def install(app: FastAPI) -> None:
    # Starlette dispatches on the registered class, so each handler gets the type it casts to.
    app.add_exception_handler(LoomlineError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
