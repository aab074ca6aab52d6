"""The OAuth2 authorization server (client-credentials grant), framework-agnostic.

Authlib does the protocol (client authentication, grant checks, error responses); this module
supplies the storage and policy hooks Authlib leaves to us: client lookup, scope narrowing,
RFC 9068 token contents and the audit record of each issued token. The HTTP layer hands in
method, URL, headers and form fields, and gets back status, body and headers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

import sqlalchemy as sa
from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.errors import InvalidRequestError, InvalidScopeError
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session

from core.ids import uuid7
from core.principal import OrganizationKind, Principal
from policies import audit, keys, secrets
from policies.models import OAuthClient, Organization
from policies.scopes import ALL_SCOPES
from policies.tokens import ORG_CLAIM, ORG_KIND_CLAIM

AUTH_METHODS = ("client_secret_basic", "client_secret_post")
MAX_CLIENT_ID_LENGTH = 64
CLIENT_AUTH_FAILED = "Client authentication failed: unknown client, wrong secret or revoked client."
_BASIC_CHALLENGE = (("WWW-Authenticate", 'Basic realm="loomline", error="invalid_client"'),)

# Authlib logs each issued token response (bearer token included) at DEBUG; live tokens must not
# reach log files, whatever level an operator picks.
logging.getLogger("authlib.oauth2.rfc6749.grants.client_credentials").setLevel(logging.INFO)


@dataclass(frozen=True, slots=True)
class TokenResponse:
    status: int
    body: dict[str, Any]
    headers: list[tuple[str, str]]


class _Client(ClientMixin):  # type: ignore[misc]
    """Authlib's view of one ``oauth_clients`` row."""

    def __init__(self, row: OAuthClient, kind: OrganizationKind) -> None:
        self.row = row
        self.kind = kind

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = self.row.allowed_scope_set
        if not scope:
            # No scope asked for: the client's whole allowance, which the response then states.
            return " ".join(sorted(allowed))
        granted = [s for s in scope.split() if s in allowed]
        if not granted:
            raise InvalidScopeError(description="None of the requested scopes is allowed for this client.")
        return " ".join(sorted(set(granted)))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.secret_matches(client_secret, self.row.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return bool(grant_type == ClientCredentialsGrant.GRANT_TYPE)


class _ClientCredentialsGrant(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = list(AUTH_METHODS)


class _TokenGenerator(JWTBearerTokenGenerator):  # type: ignore[misc]
    def __init__(self, session: Session, *, issuer: str, audience: str, ttl: timedelta) -> None:
        super().__init__(issuer=issuer, alg=keys.ALGORITHM, expires_generator=lambda *_: int(ttl.total_seconds()))
        self.session = session
        self.audience = audience
        self.last_jti: str | None = None

    def get_jwks(self) -> KeySet:
        return keys.signing_key_set(self.session)

    def get_audiences(self, client: _Client, user: object, scope: str) -> str:
        return self.audience

    def get_jti(self, client: _Client, grant_type: str, user: object, scope: str) -> str:
        self.last_jti = uuid7().hex
        return self.last_jti

    def get_extra_claims(self, client: _Client, grant_type: str, user: object, scope: str) -> dict[str, str]:
        return {ORG_CLAIM: str(client.row.organization_id), ORG_KIND_CLAIM: client.kind.value}


class _TokenRequest(OAuth2Request):  # type: ignore[misc]
    """A token request whose form Authlib's ``client_secret_post`` can read.

    Authlib's base ``OAuth2Request.form`` raises ``NotImplementedError`` (the form lives in the
    payload), so without this every ``client_secret_post`` attempt, and every failed
    ``client_secret_basic`` one (Authlib then tries the next method), was a 500.
    """

    @property
    def form(self) -> dict[str, str]:
        return dict(self.payload.data)


class TokenServer(AuthorizationServer):  # type: ignore[misc]
    """One per token request: it holds the request's session."""

    def __init__(self, session: Session, *, issuer: str, audience: str, ttl: timedelta) -> None:
        super().__init__(scopes_supported=sorted(ALL_SCOPES))
        self.session = session
        self.generator = _TokenGenerator(session, issuer=issuer, audience=audience, ttl=ttl)
        self.register_grant(_ClientCredentialsGrant)
        self.register_token_generator("default", self.generator)

    def query_client(self, client_id: str) -> _Client | None:
        if "\x00" in client_id or len(client_id) > MAX_CLIENT_ID_LENGTH:
            # Basic credentials are base64: a decoded id can hold what no client id does, and
            # PostgreSQL refuses NUL even as a query parameter.
            return None
        row = self.session.execute(
            sa.select(OAuthClient, Organization.kind)
            .join(Organization, Organization.id == OAuthClient.organization_id)
            .where(OAuthClient.client_id == client_id, OAuthClient.revoked_at.is_(None))
        ).one_or_none()
        return None if row is None else _Client(row[0], OrganizationKind(row[1]))

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        client: _Client = request.client
        actor = Principal(
            organization_id=client.row.organization_id,
            organization_kind=client.kind,
            client_id=client.row.client_id,
            scopes=frozenset(str(token.get("scope", "")).split()),
            token_id=self.generator.last_jti or "",
        )
        audit.record(
            self.session,
            actor,
            action="oauth.token_issued",
            subject_kind="oauth_client",
            subject_id=client.row.client_id,
            details={"jti": actor.token_id, "scope": token.get("scope", ""), "expires_in": token.get("expires_in")},
        )

    def send_signal(self, name: str, *args: object, **kwargs: object) -> None:
        return None

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request

    def handle_response(self, status: int, body: dict[str, Any], headers: list[tuple[str, str]]) -> TokenResponse:
        if body.get("error") == "invalid_client":
            # Unknown client and wrong secret must look alike, or the endpoint enumerates client ids.
            return TokenResponse(
                401, {"error": "invalid_client", "error_description": CLIENT_AUTH_FAILED}, list(_BASIC_CHALLENGE)
            )
        return TokenResponse(status, dict(body), list(headers))

    def issue(self, *, uri: str, headers: Mapping[str, str], form: Mapping[str, str]) -> TokenResponse:
        """Run the token endpoint on one POST: authenticate the client, narrow scopes, sign."""
        # ``headers`` must stay case-insensitive: Authlib looks up "Authorization".
        request = _TokenRequest("POST", uri, headers=headers)
        request.payload = BasicOAuth2Payload(dict(form))
        if not request.payload.grant_type:
            # RFC 6749 §5.2: a missing required parameter is invalid_request (Authlib would say
            # unsupported_grant_type, which is for a grant type it does not know).
            missing = InvalidRequestError(description="The 'grant_type' parameter is required.")
            return self.handle_error_response(request, missing)  # type: ignore[no-any-return]
        response: TokenResponse = self.create_token_response(request)
        return response
