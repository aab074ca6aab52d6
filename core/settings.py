"""Runtime settings, read from ``LOOMLINE_*`` environment variables."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The embedded default: a SQLite file with SpatiaLite, relative to the working directory.
DEFAULT_DATABASE_URL = "sqlite:///var/loomline.sqlite"


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    """Every knob of a Loomline process. Unset variables take the documented defaults."""

    model_config = SettingsConfigDict(env_prefix="LOOMLINE_", extra="ignore", frozen=True)

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="sqlite:///PATH (SpatiaLite) or postgresql+psycopg://... (PostGIS).",
    )
    spatialite_path: str = Field(
        "mod_spatialite",
        description="Name or path of the SpatiaLite loadable module.",
    )
    issuer: str = Field(
        "http://127.0.0.1:8000",
        description="Public base URL of this server: the `iss` of every token it signs.",
    )
    audience: str | None = Field(
        None,
        description="Resource identifier put in `aud`; defaults to `<issuer>/v1`.",
    )
    access_token_ttl_seconds: int = Field(600, ge=1, le=86_400)
    clock_skew_seconds: int = Field(30, ge=0, le=300, description="Leeway for exp/nbf/iat between servers.")
    assessment_max_bytes: int = Field(20 * 1024 * 1024, ge=1, description="Largest assessment upload (bytes).")
    assessment_max_rows: int = Field(50_000, ge=1, description="Most data rows in one assessment upload.")
    map_min_sites: int = Field(
        5,
        ge=1,
        le=1000,
        description="k-anonymity: fewest sites behind a map figure the caller cannot see site by site.",
    )

    jobs_in_process: bool = Field(
        True,
        description="Run queued jobs in a thread of the API process (the embedded default); "
        "turn off when `loomline jobs run` workers do it.",
    )
    jobs_poll_seconds: float = Field(1.0, gt=0, le=60, description="How often an idle job runner looks for work.")
    jobs_stale_seconds: int = Field(
        300, ge=10, description="A running job whose heartbeat is older than this is run again."
    )
    upload_max_bytes: int = Field(50 * 1024 * 1024, ge=1, description="Largest facility-list upload, in bytes.")
    upload_max_rows: int = Field(100_000, ge=1, description="Most data rows in one facility-list upload.")

    @field_validator("issuer")
    @classmethod
    def _issuer_is_https_or_loopback(cls, value: str) -> str:
        # OAuth2 requires TLS; plain http is only acceptable on this machine (development).
        url = urlsplit(value)
        if url.scheme == "https" and url.hostname:
            return value.rstrip("/")
        if url.scheme == "http" and _is_loopback(url.hostname):
            return value.rstrip("/")
        raise ValueError("must be an https:// URL (http:// is accepted only for localhost/127.0.0.1/::1)")

    @property
    def resource_audience(self) -> str:
        return self.audience or f"{self.issuer}/v1"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The database file of a ``sqlite:///`` URL (None for memory or other dialects)."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        raw = self.database_url[len(prefix) :].split("?", 1)[0]
        return None if raw in ("", ":memory:") else Path(raw)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
