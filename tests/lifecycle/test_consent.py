"""Marketing consent: off unless ticked at registration (page and API) or turned on in the
email preferences; a wrong value is refused, not read as consent."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import NotificationPreference, User
from hiremebahamas.notifications.preferences import wants_email
from hiremebahamas.notifications.types import MARKETING
from tests.accounts.test_views import REGISTRATION
from tests.helpers import PASSWORD, register, submit


async def _consents(runtime: Runtime, email: str) -> bool:
    async with runtime.database.sessionmaker() as session:
        user = (await session.execute(select(User).where(User.email == email))).scalar_one()
        return await wants_email(session, user.id, MARKETING)


async def test_the_sign_up_checkbox_is_off_by_default(client: httpx.AsyncClient) -> None:
    page = await client.get("/register")
    box = re.search(r'<input type="checkbox" id="marketing-email"[^>]*>', page.text)
    assert box is not None
    assert "checked" not in box.group(0)


async def test_ticked_at_registration_or_not(client: httpx.AsyncClient, runtime: Runtime) -> None:
    assert (await submit(client, "/register", REGISTRATION)).status_code == 201
    ticked = {**REGISTRATION, "email": "bob@example.com", "marketing_email": "yes"}
    assert (await submit(client, "/register", ticked)).status_code == 201
    assert await _consents(runtime, "ann@example.com") is False
    assert await _consents(runtime, "bob@example.com") is True


async def test_the_api_takes_a_boolean_only(client: httpx.AsyncClient, runtime: Runtime) -> None:
    assert (await register(client, "cat@example.com", marketing_email=True)).status_code == 201
    assert await _consents(runtime, "cat@example.com") is True
    assert (await register(client, "dan@example.com")).status_code == 201
    assert await _consents(runtime, "dan@example.com") is False
    for wrong in ("yes", 1, None, "true\x00"):
        body: dict[str, object] = {
            "email": "eve@example.com",
            "password": PASSWORD,
            "first_name": "Eve",
            "last_name": "Rolle",
        }
        body |= {"account_type": "job_seeker", "marketing_email": wrong}
        response = await client.post("/api/auth/register", json=body)
        assert response.status_code == 422, wrong
        assert response.json()["error"]["code"] == "validation_error"
    async with runtime.database.sessionmaker() as session:
        assert (await session.execute(select(User).where(User.email == "eve@example.com"))).first() is None


async def test_a_taken_email_records_no_consent(client: httpx.AsyncClient, runtime: Runtime) -> None:
    assert (await register(client, "fay@example.com")).status_code == 201
    assert (await register(client, "fay@example.com", marketing_email=True)).status_code == 201
    assert await _consents(runtime, "fay@example.com") is False  # a stranger cannot opt someone in
    async with runtime.database.sessionmaker() as session:
        rows = (await session.execute(select(NotificationPreference))).scalars().all()
    assert rows == []


async def test_turned_on_and_off_in_the_email_preferences(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await register(client, "gus@example.com")
    login = await client.post("/api/auth/login", json={"email": "gus@example.com", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    page = await client.get("/account/notifications", headers=headers)
    assert "HireMeBahamas has product news or an announcement" in page.text
    on = await client.put("/api/notifications/preferences", json={"email": {MARKETING: True}}, headers=headers)
    assert {c["type"]: c["email"] for c in on.json()["items"]}[MARKETING] is True
    assert await _consents(runtime, "gus@example.com") is True
    off = await client.put("/api/notifications/preferences", json={"email": {MARKETING: "no"}}, headers=headers)
    assert off.status_code == 422
    assert await _consents(runtime, "gus@example.com") is True
