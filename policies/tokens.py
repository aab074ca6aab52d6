"""Verification of RFC 9068 JWT access tokens into a Principal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy.orm import Session

from core.errors import InvalidToken
from core.principal import OrganizationKind, Principal
from policies import keys
from policies.models import OAuthClient, Organization

TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
ORG_CLAIM = "org_id"
ORG_KIND_CLAIM = "org_kind"
MAX_TOKEN_BYTES = 8_192


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    """What a token must say to be ours and valid now."""

    issuer: str
    audience: str
    token_ttl: timedelta
    leeway_seconds: int

    @property
    def keep_retired_keys_for(self) -> timedelta:
        """How long a retired key can still have live tokens: their lifetime plus the leeway."""
        return self.token_ttl + timedelta(seconds=self.leeway_seconds)


def _header(token: str) -> dict[str, object]:
    try:
        return dict(jws.extract_compact(token.encode()).protected)
    except (JoseError, ValueError, UnicodeError) as exc:
        raise InvalidToken("The access token is not a well-formed JWS.") from exc


def _claims(token: str, key_set: KeySet, policy: TokenPolicy, now: datetime) -> dict[str, object]:
    try:
        decoded = jwt.decode(token, key_set, algorithms=[keys.ALGORITHM])
        registry = jwt.JWTClaimsRegistry(
            now=int(now.timestamp()),
            leeway=policy.leeway_seconds,
            iss={"essential": True, "value": policy.issuer},
            aud={"essential": True, "value": policy.audience},
            exp={"essential": True},
            iat={"essential": True},
            sub={"essential": True},
            jti={"essential": True},
            client_id={"essential": True},
        )
        registry.validate(decoded.claims)
    except JoseError as exc:
        raise InvalidToken(f"The access token was rejected: {exc.description or exc.error}.") from exc
    except ValueError as exc:
        raise InvalidToken("The access token could not be decoded.") from exc
    claims = dict(decoded.claims)
    iat = claims.get("iat")
    if isinstance(iat, int) and iat > now.timestamp() + policy.leeway_seconds:
        raise InvalidToken("The access token was issued in the future.")
    return claims


def verify_access_token(session: Session, token: str, *, policy: TokenPolicy, now: datetime) -> Principal:
    """Check signature, header and claims, then that the client still exists and is not revoked."""
    if len(token) > MAX_TOKEN_BYTES:
        raise InvalidToken("The access token is too long.")
    header = _header(token)
    typ = header.get("typ")
    # An isinstance check first: a JSON list or object as typ is unhashable (a 500, not a 401).
    if not isinstance(typ, str) or typ not in TOKEN_TYPES:
        raise InvalidToken("The token is not an access token (typ must be at+jwt).")
    if header.get("alg") != keys.ALGORITHM:
        raise InvalidToken(f"The token algorithm must be {keys.ALGORITHM}.")
    published = {
        jwk["kid"]: jwk for jwk in keys.published_keys(session, now=now, keep_retired_for=policy.keep_retired_keys_for)
    }
    kid = header.get("kid")
    if not isinstance(kid, str) or kid not in published:
        raise InvalidToken("The token was signed with an unknown key.")
    claims = _claims(token, KeySet.import_key_set({"keys": [published[kid]]}), policy, now)
    return _principal(session, claims)


def _principal(session: Session, claims: dict[str, object]) -> Principal:
    try:
        org_id = uuid.UUID(str(claims[ORG_CLAIM]))
    except (KeyError, ValueError) as exc:
        raise InvalidToken("The token names no organisation.") from exc
    row = session.execute(
        sa.select(OAuthClient.allowed_scopes, Organization.kind)
        .join(Organization, Organization.id == OAuthClient.organization_id)
        .where(
            OAuthClient.client_id == str(claims["client_id"]),
            OAuthClient.organization_id == org_id,
            OAuthClient.revoked_at.is_(None),
        )
    ).one_or_none()
    if row is None:
        raise InvalidToken("The token's client no longer exists or was revoked.")
    granted = frozenset(str(claims.get("scope") or "").split())
    return Principal(
        organization_id=org_id,
        organization_kind=OrganizationKind(row.kind),
        client_id=str(claims["client_id"]),
        # A scope taken away from the client stops working at once, not at token expiry.
        scopes=granted & frozenset(row.allowed_scopes.split()),
        token_id=str(claims["jti"]),
    )
