"""OAuth2 endpoints: the token endpoint (RFC 6749 §4.4), JWKS and RFC 8414 metadata."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from api.deps import SessionDep, SettingsDep, token_policy
from api.problems import problem_response
from core.clock import utcnow
from core.text import NO_NUL_PATTERN
from policies import keys
from policies.oauth_server import AUTH_METHODS, TokenServer
from policies.scopes import ALL_SCOPES

router = APIRouter(tags=["oauth"])

TOKEN_PATH = "/oauth/token"  # noqa: S105 (a path, not a password)
JWKS_PATH = "/.well-known/jwks.json"

#: RFC 6749 error code -> title of the problem document that carries it.
_ERROR_TITLES = {
    "invalid_client": "Client authentication failed",
    "invalid_scope": "Requested scope not allowed",
    "invalid_request": "Malformed token request",
    "unsupported_grant_type": "Unsupported grant type",
    "unauthorized_client": "Client may not use this grant",
}


@router.post(
    TOKEN_PATH,
    summary="Get an access token (client credentials)",
    responses={
        400: {"description": "RFC 6749 error, as an RFC 9457 problem with `error`"},
        401: {"description": "Client authentication failed"},
    },
)
def token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    grant_type: Annotated[str | None, Form(max_length=64, pattern=NO_NUL_PATTERN)] = None,
    scope: Annotated[str | None, Form(max_length=1000, pattern=NO_NUL_PATTERN)] = None,
    client_id: Annotated[str | None, Form(max_length=200, pattern=NO_NUL_PATTERN)] = None,
    client_secret: Annotated[str | None, Form(max_length=200, pattern=NO_NUL_PATTERN)] = None,
) -> JSONResponse:
    """Exchange client credentials for a signed JWT access token.

    Authenticate with HTTP Basic (`client_secret_basic`) or with `client_id` and `client_secret`
    form fields (`client_secret_post`). `scope` is optional: without it the token carries all the
    client's allowed scopes; with it, the token carries the requested scopes the client is
    allowed (the response's `scope` says which). Errors use RFC 6749 codes in the `error` member
    of an RFC 9457 problem document.
    """
    form = {
        name: value
        for name, value in {
            "grant_type": grant_type,
            "scope": scope,
            "client_id": client_id,
            "client_secret": client_secret,
        }.items()
        if value is not None
    }
    server = TokenServer(
        session,
        issuer=settings.issuer,
        audience=settings.resource_audience,
        ttl=timedelta(seconds=settings.access_token_ttl_seconds),
    )
    result = server.issue(uri=settings.issuer + TOKEN_PATH, headers=request.headers, form=form)
    if result.status == 200:
        return JSONResponse(result.body, headers=dict(result.headers))
    code = str(result.body.get("error", "invalid_request"))
    headers = {k: v for k, v in result.headers if k.lower() == "www-authenticate"}
    return problem_response(
        result.status,
        slug=f"oauth/{code.replace('_', '-')}",
        title=_ERROR_TITLES.get(code, "Token request failed"),
        detail=result.body.get("error_description"),
        headers=headers | {"Cache-Control": "no-store"},
        extra={"error": code}
        | ({"error_description": result.body["error_description"]} if "error_description" in result.body else {}),
    )


@router.get(JWKS_PATH, summary="Token verification keys (JWKS)")
def jwks(session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """Public keys that verify access tokens: the active key and retired keys whose tokens may
    still be live. Resource servers should cache this and re-fetch on an unknown `kid`."""
    keep_for = token_policy(settings).keep_retired_keys_for
    published = keys.published_keys(session, now=utcnow(), keep_retired_for=keep_for)
    return JSONResponse({"keys": published}, headers={"Cache-Control": "public, max-age=60"})


@router.get("/.well-known/oauth-authorization-server", summary="Authorization server metadata (RFC 8414)")
def metadata(settings: SettingsDep) -> dict[str, object]:
    """Where the token endpoint and keys are, and what this server supports."""
    return {
        "issuer": settings.issuer,
        "token_endpoint": settings.issuer + TOKEN_PATH,
        "jwks_uri": settings.issuer + JWKS_PATH,
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
        "scopes_supported": sorted(ALL_SCOPES),
        "response_types_supported": [],
        "token_endpoint_auth_signing_alg_values_supported": [keys.ALGORITHM],
        "service_documentation": settings.issuer + "/docs",
    }
