"""Token-signing keys: one active key, earlier ones published until their last token expires."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from joserfc.jwk import KeyParameters, KeySet, RSAKey
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.ids import uuid7
from policies import audit
from policies.models import SigningKey

#: RFC 9068 §4: resource servers must support RS256, so that is what we sign with.
ALGORITHM = "RS256"
RSA_BITS = 2048


def create_key(session: Session) -> SigningKey:
    kid = uuid7().hex
    params: KeyParameters = {"kid": kid, "use": "sig", "alg": ALGORITHM}
    key = RSAKey.generate_key(RSA_BITS, parameters=params, private=True)
    row = SigningKey(
        kid=kid,
        algorithm=ALGORITHM,
        private_jwk=dict(key.as_dict(private=True)),
        public_jwk=dict(key.as_dict(private=False)),
    )
    session.add(row)
    session.flush()
    return row


def active_key(session: Session) -> SigningKey | None:
    stmt = (
        sa.select(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc(), SigningKey.kid.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def ensure_active_key(session: Session) -> SigningKey:
    """The active key, creating the first one on a new installation."""
    return active_key(session) or create_key(session)


#: Imported private keys by kid. Importing an RSA JWK costs ~35 ms (key validation), most of a
#: token request; a kid never changes its key, so the cache cannot go stale.
_IMPORTED: dict[str, RSAKey] = {}


def signing_key_set(session: Session) -> KeySet:
    """The active private key as a KeySet (so the JWS header names its ``kid``)."""
    row = ensure_active_key(session)
    key = _IMPORTED.get(row.kid)
    if key is None:
        key = _IMPORTED[row.kid] = RSAKey.import_key(row.private_jwk)
    return KeySet([key])


def rotate(session: Session, *, now: datetime | None = None) -> SigningKey:
    """Retire the active key(s) and create a new one; tokens already issued stay verifiable."""
    now = now or utcnow()
    retired = session.scalars(sa.select(SigningKey).where(SigningKey.retired_at.is_(None))).all()
    for row in retired:
        row.retired_at = now
    new = create_key(session)
    audit.record(
        session,
        None,
        action="keys.rotated",
        subject_kind="signing_key",
        subject_id=new.kid,
        details={"retired": [row.kid for row in retired]},
    )
    return new


def published_keys(session: Session, *, now: datetime, keep_retired_for: timedelta) -> list[dict[str, Any]]:
    """Public JWKs that may still verify a live token: the active key and keys retired less than
    ``keep_retired_for`` ago (token lifetime plus the clock-skew leeway verifiers allow)."""
    still_useful = sa.or_(SigningKey.retired_at.is_(None), SigningKey.retired_at > now - keep_retired_for)
    rows = session.scalars(sa.select(SigningKey).where(still_useful).order_by(SigningKey.created_at.desc()))
    return [dict(row.public_jwk) for row in rows]
