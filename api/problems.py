"""RFC 9457 problem details: the one shape of every error response."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from core.request_context import current_request_id

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE_URI = "https://loomline.org/problems/"


class ProblemItem(BaseModel):
    """One bad thing in a request: where it is and what is wrong with it."""

    location: list[str | int] = Field(description="Path to the bad value: body/field, query/name, row/column...")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(description="URI naming the kind of problem")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = Field(None, description="The request id, to quote when reporting")
    errors: list[ProblemItem] | None = None


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_response(
    status: int,
    *,
    slug: str,
    title: str,
    detail: str | None = None,
    request_id: str | None = None,
    errors: Sequence[ProblemItem] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> ProblemResponse:
    request_id = request_id or current_request_id()
    problem = Problem(
        type=PROBLEM_BASE_URI + slug,
        title=title,
        status=status,
        detail=detail,
        instance=f"urn:loomline:request:{request_id}" if request_id else None,
        errors=list(errors) if errors else None,
    )
    body = problem.model_dump(exclude_none=True) | dict(extra or {})
    all_headers = dict(headers or {})
    if request_id:
        # Also set here: a 500 is rendered outside the request-id middleware.
        all_headers.setdefault("X-Request-ID", request_id)
    return ProblemResponse(body, status_code=status, headers=all_headers)


#: Documented on every route so the OpenAPI says what errors look like.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": text}
    for status, text in {
        401: "Missing or invalid access token",
        403: "Token lacks a required scope",
        404: "Not found (or not visible to you)",
        409: "Conflicts with the current state (e.g. an identifier already used, a claim already decided)",
        422: "Request validation failed; `errors` lists each bad field",
        500: "Unexpected server error",
    }.items()
}
