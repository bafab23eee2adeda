from __future__ import annotations

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import signed_up


async def test_register_verify_login_me(client: httpx.AsyncClient, runtime: Runtime) -> None:
    account = await signed_up(client, runtime)
    response = await client.get("/api/users/me", headers=account.headers)
    assert response.status_code == 200
    assert response.json()["user"]["email_verified"] is True
