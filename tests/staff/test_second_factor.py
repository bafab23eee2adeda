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
from hiremebahamas.models import AuthSession, User
from hiremebahamas.models.base import utcnow
from tests.conftest import make_settings
from tests.factories import Member
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
    assert "Two-step verification needed" in page.text
    assert '<a class="btn btn-primary" href="/account/two-factor">Set up two-step verification</a>' in page.text
    htmx = await client.get("/admin/users", headers={"HX-Request": "true"})
    assert (htmx.status_code, htmx.headers["HX-Retarget"]) == (403, "#flash-area")  # a fragment, not the page
    assert "Two-step verification needed" not in htmx.text
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


async def test_staff_with_it_on_but_signed_in_without_a_code_are_told_to_sign_in_again(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    moderator = people.moderator
    setup = (await client.post("/api/auth/two-factor/setup", headers=moderator.headers)).json()
    code = pyotp.TOTP(setup["secret"]).now()
    enabled = await client.post("/api/auth/two-factor/enable", json={"code": code}, headers=moderator.headers)
    assert enabled.status_code == 200
    async with runtime.database.sessionmaker.begin() as session:  # a sign-in made without the code
        other = await Member.sign_in(session, runtime.settings, await session.get_one(User, moderator.id))
    sign_in(client, other)
    page = await client.get("/admin/reports")
    assert page.status_code == 403
    assert "this sign-in was made without a code: log out, then log in again" in page.text
    assert "Set up two-step verification" not in page.text
