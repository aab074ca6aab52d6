"""Request-scoped dependencies: settings, the database session, the authenticated principal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2, SecurityScopes
from sqlalchemy.orm import Session, sessionmaker

from core.clock import utcnow
from core.db import read_session, transaction
from core.errors import InsufficientScope, InvalidToken
from core.principal import Principal
from core.settings import Settings
from policies.scopes import SCOPE_DESCRIPTIONS
from policies.tokens import TokenPolicy, verify_access_token


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


#: Methods whose requests only read (RFC 9110 safe methods), unless marked ``writes_on_read``.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITING_READS: set[Callable[..., Any]] = set()
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def writes_on_read(endpoint: Endpoint) -> Endpoint:
    """Mark a GET route whose handler may write (an audited read, a score computed on its first
    read): its session is a write transaction, as for a POST. Put it under ``@router.get``."""
    _WRITING_READS.add(endpoint)
    return endpoint


def _only_reads(request: Request) -> bool:
    return request.method in SAFE_METHODS and request.scope.get("endpoint") not in _WRITING_READS


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: commit when the handler returns, roll back if it raises.

    On SQLite a request that may write holds the write lock from its start (BEGIN IMMEDIATE), so
    it waits for another writer (up to busy_timeout) instead of failing "database is locked" when
    it reads before it writes. A GET only reads: it takes no lock, so GETs (a map, a network
    export) never hold up writers or each other; a GET that may write is ``writes_on_read``."""
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    unit = read_session if _only_reads(request) else transaction
    with unit(factory) as session:
        yield session


# scope="function": commit before the response leaves. With FastAPI's default ("request") the
# client could hold a token whose audit event was never committed, and its next request would
# race the commit (SQLite: "database is locked").
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]

oauth2_scheme = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(tokenUrl="/oauth/token", scopes=dict(SCOPE_DESCRIPTIONS))
    ),
    scheme_name="oauth2",
    description="Client-credentials access tokens (RFC 9068 JWTs) from `POST /oauth/token`.",
    auto_error=False,
)


def token_policy(settings: Settings) -> TokenPolicy:
    return TokenPolicy(
        issuer=settings.issuer,
        audience=settings.resource_audience,
        token_ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        leeway_seconds=settings.clock_skew_seconds,
    )


def _bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise InvalidToken("An access token is required (Authorization: Bearer <token>).")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("The Authorization header must be 'Bearer <token>'.")
    return token.strip()


def get_principal(
    security_scopes: SecurityScopes,
    session: SessionDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Depends(oauth2_scheme)],
) -> Principal:
    """The caller, from a verified access token that carries every scope the route declares."""
    principal = verify_access_token(session, _bearer_token(authorization), policy=token_policy(settings), now=utcnow())
    missing = [s for s in security_scopes.scopes if s not in principal.scopes]
    if missing:
        raise InsufficientScope(f"This operation needs the scope(s): {' '.join(missing)}.", required=missing)
    return principal


def principal_with(*scopes: str) -> object:
    """``Security`` marker for a route that needs these scopes (none = any valid token)."""
    return Security(get_principal, scopes=list(scopes))


PrincipalDep = Annotated[Principal, Security(get_principal)]
