from __future__ import annotations

import httpx
import pytest

from tests.conftest import Credentials, bearer, fetch_token

pytestmark = pytest.mark.anyio


async def test_token_then_me(api: httpx.AsyncClient, brand: Credentials) -> None:
    token = await fetch_token(api, brand)
    response = await api.get("/v1/organizations/me", headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["organization"]["id"] == str(brand.organization_id)
