"""Forcing a password reset: every session ends, the right password is refused with a clear
message and its own code until the emailed link is used, a wrong one gets the usual answer
(nothing is revealed to a guesser), and the reset clears it. Who may, and the audit entry."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AuditEntry, User
from tests.helpers import PASSWORD, emails_to, page_csrf, sign_in, submit, token_in
from tests.staff.conftest import Staffed

NEW_PASSWORD = "a-brand-new-passphrase-42"


async def _force(client: httpx.AsyncClient, by: Any, username: str = "sam-seeker", **body: Any) -> httpx.Response:
    payload = {"reason": "Signed in from a known scam network", **body}
    return await client.post(f"/api/admin/users/{username}/force-password-reset", json=payload, headers=by.headers)


async def _login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def test_a_forced_reset_signs_out_refuses_login_and_emails_a_link(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    seeker = people.seeker
    response = await _force(client, people.moderator)
    assert response.status_code == 200, response.text
    assert (await client.get("/api/users/me", headers=seeker.headers)).status_code == 401  # signed out everywhere

    right = await _login(client, seeker.email)
    assert right.status_code == 403
    assert right.json()["error"] == {
        "code": "password_reset_required",
        "message": "A password reset is required for this account. We've emailed you a link.",
    }
    wrong = await _login(client, seeker.email, "not-the-password-at-all")
    unknown = await _login(client, "nobody@example.com", "not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()  # a guesser learns nothing

    [mail] = [m for m in await emails_to(runtime, seeker.email) if "Reset" in str(m["Subject"])]
    token = token_in(mail, "/reset-password")
    done = await client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert (await _login(client, seeker.email, NEW_PASSWORD)).status_code == 200

    async with runtime.database.sessionmaker() as session:
        [entry] = (
            await session.execute(select(AuditEntry).where(AuditEntry.action == "user.force_password_reset"))
        ).scalars()
        user = await session.get(User, seeker.id)
    assert user is not None
    assert user.password_reset_required_at is None
    assert entry.actor_name == "mo-moderator"
    assert entry.reason == "Signed in from a known scam network"
    assert entry.before is not None
    assert entry.before["password_reset_required"] is False
    assert entry.after is not None
    assert entry.after["password_reset_required"] is True


async def test_the_login_page_says_why(client: httpx.AsyncClient, people: Staffed) -> None:
    assert (await _force(client, people.admin)).status_code == 200
    client.cookies.clear()
    token = await page_csrf(client, "/login")
    page = await client.post("/login", data={"email": people.seeker.email, "password": PASSWORD, "csrf_token": token})
    assert "A password reset is required for this account" in page.text
    token = await page_csrf(client, "/login")
    page = await client.post(
        "/login", data={"email": people.seeker.email, "password": "wrong-wrong", "csrf_token": token}
    )
    assert "password reset is required" not in page.text
    assert "do not match" in page.text


async def test_who_may_force_a_reset(client: httpx.AsyncClient, runtime: Runtime, people: Staffed) -> None:
    assert (await _force(client, people.seeker)).status_code == 403
    staff = await _force(client, people.moderator, username="ada-admin")
    assert staff.status_code == 403  # staff accounts: only an admin
    assert "admin" in staff.json()["error"]["message"]
    assert (await _force(client, people.admin, username="ada-admin")).status_code == 403  # never your own
    assert (await _force(client, people.admin, username="mo-moderator")).status_code == 200
    assert (await _force(client, people.admin, username="nobody-here")).status_code == 404


async def test_a_malformed_or_repeated_reset_is_refused(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    assert (await _force(client, people.moderator, reason="")).status_code == 422
    assert (await _force(client, people.moderator, reason="why\x07")).status_code == 422
    assert (
        await client.post("/api/admin/users/sam-seeker/force-password-reset", json={}, headers=people.moderator.headers)
    ).status_code == 422
    assert (await _force(client, people.moderator)).status_code == 200
    again = await _force(client, people.moderator)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "conflict")
    async with runtime.database.sessionmaker() as session:
        entries = list(
            (
                await session.execute(select(AuditEntry).where(AuditEntry.action == "user.force_password_reset"))
            ).scalars()
        )
    assert len(entries) == 1


async def test_the_staff_page_forces_a_reset(client: httpx.AsyncClient, people: Staffed) -> None:
    sign_in(client, people.moderator)
    page = await client.get("/admin/users/sam-seeker")
    assert 'action="/admin/users/sam-seeker/force-password-reset"' in page.text
    empty = await submit(
        client, "/admin/users/sam-seeker/force-password-reset", {"reason": ""}, page="/admin/users/sam-seeker"
    )
    assert empty.status_code == 422
    done = await submit(
        client, "/admin/users/sam-seeker/force-password-reset", {"reason": "Hacked"}, page="/admin/users/sam-seeker"
    )
    assert done.status_code == 303
    page = await client.get("/admin/users/sam-seeker")
    assert "Password reset required" in page.text
