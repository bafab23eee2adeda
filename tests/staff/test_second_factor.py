"""With STAFF_REQUIRE_TOTP the staff area needs a sign-in confirmed with a code; staff sessions
end after twelve hours without a request."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import httpx
import pyotp
import pytest
from sqlalchemy import update

from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AuthSession
from hiremebahamas.models.base import utcnow
from tests.conftest import make_settings
from tests.helpers import PASSWORD, sign_in
from tests.staff.conftest import Staffed


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    required: Settings = make_settings(database_url=database_url, var_dir=tmp_path / "var", staff_require_totp=True)
    return required


async def test_staff_need_a_sign_in_confirmed_with_a_code(client: httpx.AsyncClient, people: Staffed) -> None:
    admin = people.admin
    refused = await client.get("/api/admin/users", headers=admin.headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "totp_required"
    sign_in(client, admin)
    page = await client.get("/admin")
    assert page.status_code == 403
    assert "two-step verification" in page.text
    sign_in(client, None)

    setup = (await client.post("/api/auth/two-factor/setup", headers=admin.headers)).json()
    code = pyotp.TOTP(setup["secret"]).now()
    assert (
        await client.post("/api/auth/two-factor/enable", json={"code": code}, headers=admin.headers)
    ).status_code == 200
    # Switching it on confirmed this very sign-in.
    assert (await client.get("/api/admin/users", headers=admin.headers)).status_code == 200
    # A new sign-in with a code is confirmed too; members are not asked for anything.
    next_code = pyotp.TOTP(setup["secret"]).at(int(time.time()) + 30)
    login = await client.post("/api/auth/login", json={"email": admin.email, "password": PASSWORD, "totp": next_code})
    fresh = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await client.get("/api/admin/audit", headers=fresh)).status_code == 200
    assert (await client.get("/api/users/me", headers=people.seeker.headers)).status_code == 200


async def test_a_staff_session_ends_after_twelve_idle_hours(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    idle = utcnow() - timedelta(hours=12, minutes=1)
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(update(AuthSession).values(last_seen_at=idle))
    assert (await client.get("/api/users/me", headers=people.moderator.headers)).status_code == 401
    assert (await client.get("/api/users/me", headers=people.seeker.headers)).status_code == 200  # members stay
