"""Client secrets: generated here, shown once, stored only as a hash.

Secrets are 256 random bits, so a slow password KDF would add latency without adding
security (nobody can guess them); a keyed-free SHA-256 with a constant-time compare is the
same choice GitHub and Stripe make for their API tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_PREFIX = "sha256$"


def generate_client_id() -> str:
    return "ll_" + secrets.token_urlsafe(12)


def generate_client_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return _PREFIX + hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
