from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.settings import DEFAULT_DATABASE_URL, Settings


class TestSettings:
    def test_defaults_are_the_embedded_database_and_ten_minute_tokens(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("LOOMLINE_DATABASE_URL", raising=False)
        settings = Settings()
        assert settings.database_url == DEFAULT_DATABASE_URL
        assert settings.is_sqlite
        assert settings.access_token_ttl_seconds == 600
        assert settings.resource_audience == "http://127.0.0.1:8000/v1"

    def test_environment_overrides(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("LOOMLINE_DATABASE_URL", "postgresql+psycopg://u@h:5432/db")
        monkeypatch.setenv("LOOMLINE_ISSUER", "https://exchange.example.org/")
        settings = Settings()
        assert not settings.is_sqlite
        assert settings.issuer == "https://exchange.example.org"
        assert settings.sqlite_path() is None

    @pytest.mark.parametrize("issuer", ["http://exchange.example.org", "ftp://x", "exchange.example.org"])
    def test_issuer_must_be_https_off_loopback(self, issuer: str) -> None:
        with pytest.raises(ValidationError, match="https"):
            Settings(issuer=issuer)

    @pytest.mark.parametrize("issuer", ["http://127.0.0.1:8000", "http://localhost:9", "http://[::1]:8000"])
    def test_plain_http_is_fine_on_loopback(self, issuer: str) -> None:
        assert Settings(issuer=issuer).issuer == issuer
