"""Suspending and reinstating accounts, verifying an email, staff roles: what each does, who may
do it, the refusals, and the audit entry each leaves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AuditEntry, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.staff.service import end_expired_suspensions
from tests.helpers import PASSWORD
from tests.staff.conftest import Staffed


async def _suspend(client: httpx.AsyncClient, by: Any, username: str, **body: Any) -> httpx.Response:
    return await client.post(
        f"/api/admin/users/{username}/suspend", json={"reason": "Scam messages", **body}, headers=by.headers
    )


async def _login(client: httpx.AsyncClient, who: Any) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": who.email, "password": PASSWORD})


async def _entries(runtime: Runtime) -> list[AuditEntry]:
    async with runtime.database.sessionmaker() as session:
        query = select(AuditEntry).order_by(AuditEntry.created_at, AuditEntry.id)
        return list((await session.execute(query)).scalars())


async def test_a_suspension_signs_out_refuses_login_and_hides_the_person(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    seeker = people.seeker
    posted = await client.post("/api/posts", json={"body": "Cheap visas, DM me"}, headers=seeker.headers)
    assert posted.status_code == 201
    response = await _suspend(client, people.moderator, "sam-seeker")
    assert response.status_code == 200, response.text
    assert response.json()["user"]["status"] == "suspended"

    assert (await client.get("/api/users/me", headers=seeker.headers)).status_code == 401  # signed out everywhere
    login = await _login(client, seeker)
    assert login.status_code == 403
    assert "suspended" in login.json()["error"]["message"]
    assert "Scam messages" in login.json()["error"]["message"]
    assert (await client.get("/api/users/sam-seeker", headers=people.employer.headers)).status_code == 404
    assert (await client.get("/u/sam-seeker")).status_code == 404
    post_id = posted.json()["post"]["id"]
    assert (await client.get(f"/api/posts/{post_id}", headers=people.employer.headers)).status_code == 404

    back = await client.post("/api/admin/users/sam-seeker/reinstate", json={}, headers=people.moderator.headers)
    assert back.status_code == 200
    assert back.json()["user"]["status"] == "active"
    assert (await _login(client, seeker)).status_code == 200
    assert (await client.get(f"/api/posts/{post_id}", headers=people.employer.headers)).status_code == 200

    actions = [(entry.action, entry.actor_name, entry.reason) for entry in await _entries(runtime)]
    assert actions == [("user.suspend", "mo-moderator", "Scam messages"), ("user.reinstate", "mo-moderator", None)]
    suspended = (await _entries(runtime))[0]
    assert suspended.before is not None
    assert suspended.after is not None
    assert (suspended.before["is_active"], suspended.after["is_active"]) == (True, False)
    assert suspended.target_type == "user"
    assert suspended.target_id == str(seeker.id)
    assert suspended.request_id  # the request it came with, as in the logs


async def test_a_suspension_for_a_time_ends_by_itself(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    until = (utcnow() + timedelta(days=3)).isoformat()
    assert (await _suspend(client, people.admin, "sam-seeker", until=until)).status_code == 200
    login = await _login(client, people.seeker)
    assert "until" in login.json()["error"]["message"]
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        assert await end_expired_suspensions(session) == 0  # not yet
        assert await end_expired_suspensions(session, utcnow() + timedelta(days=4)) == 1
    assert (await _login(client, people.seeker)).status_code == 200
    assert [entry.actor_name for entry in await _entries(runtime)] == ["ada-admin", "command line"]


async def test_a_login_after_the_end_lifts_the_suspension_before_the_periodic_run(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    assert (await _suspend(client, people.admin, "sam-seeker")).status_code == 200
    async with runtime.database.sessionmaker.begin() as session:
        ended = datetime.now(UTC) - timedelta(minutes=1)
        await session.execute(update(User).where(User.id == people.seeker.id).values(suspended_until=ended))
    assert (await _login(client, people.seeker)).status_code == 200
    assert [entry.reason for entry in await _entries(runtime)][-1] == "suspension ended"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 501}, "reason"),
        ({"reason": "bad\u0000reason"}, "reason"),
        ({"until": "2020-01-01"}, "until"),
        ({"until": "2030-01-01T10:00:00"}, "until"),  # no time zone
        ({"until": 5}, "until"),
    ],
)
async def test_a_malformed_suspension_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed, body: dict[str, Any], field: str
) -> None:
    response = await _suspend(client, people.moderator, "sam-seeker", **body)
    assert response.status_code == 422, response.text
    assert any(field in name for name in response.json()["error"].get("fields", {}))
    assert (await client.get("/api/users/me", headers=people.seeker.headers)).status_code == 200
    assert await _entries(runtime) == []


async def test_staff_cannot_suspend_themselves_and_moderators_cannot_suspend_staff(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    assert (await _suspend(client, people.moderator, "mo-moderator")).status_code == 403
    assert (await _suspend(client, people.moderator, "ada-admin")).status_code == 403
    assert (await _suspend(client, people.admin, "mo-moderator")).status_code == 200  # an admin may
    assert (await _suspend(client, people.admin, "nobody-here")).status_code == 404
    assert [entry.action for entry in await _entries(runtime)] == ["user.suspend"]


async def test_suspending_twice_and_reinstating_an_active_account(client: httpx.AsyncClient, people: Staffed) -> None:
    assert (await _suspend(client, people.admin, "sam-seeker")).status_code == 200
    again = await _suspend(client, people.admin, "sam-seeker", reason="Another reason")
    assert again.status_code == 200  # the newer reason and end replace the old ones
    assert again.json()["user"]["suspension_reason"] == "Another reason"
    reinstate = "/api/admin/users/erin-employer/reinstate"
    refused = await client.post(reinstate, json={}, headers=people.admin.headers)
    assert refused.status_code == 409


async def test_verifying_an_email(client: httpx.AsyncClient, runtime: Runtime, people: Staffed) -> None:
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(update(User).where(User.id == people.seeker.id).values(email_verified_at=None))
    path = "/api/admin/users/sam-seeker/verify-email"
    verified = await client.post(path, headers=people.moderator.headers)
    assert verified.status_code == 200
    assert verified.json()["user"]["email_verified"] is True
    assert (await client.post(path, headers=people.moderator.headers)).status_code == 409
    assert [entry.action for entry in await _entries(runtime)] == ["user.verify_email"]


async def test_only_admins_change_roles_and_never_their_own(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    path = "/api/admin/users/sam-seeker/role"
    made = await client.put(path, json={"role": "moderator"}, headers=people.admin.headers)
    assert made.status_code == 200
    assert made.json()["user"]["roles"] == ["moderator"]
    assert (await client.get("/api/admin/users", headers=people.seeker.headers)).status_code == 200  # a moderator now
    assert (await client.put(path, json={"role": "moderator"}, headers=people.admin.headers)).status_code == 409
    own = await client.put("/api/admin/users/ada-admin/role", json={"role": None}, headers=people.admin.headers)
    assert own.status_code == 403
    assert (await client.put(path, json={"role": "admin"}, headers=people.moderator.headers)).status_code == 403
    taken = await client.put(path, json={"role": None}, headers=people.admin.headers)
    assert taken.json()["user"]["roles"] == []
    assert (await client.put(path, json={"role": "root"}, headers=people.admin.headers)).status_code == 422
    assert [entry.action for entry in await _entries(runtime)] == ["user.grant_role", "user.revoke_role"]


async def test_the_audit_log_cannot_be_changed(runtime: Runtime, client: httpx.AsyncClient, people: Staffed) -> None:
    assert (await _suspend(client, people.admin, "sam-seeker")).status_code == 200
    refused: list[Any] = [update(AuditEntry).values(reason="nothing happened")]
    if not runtime.database.is_sqlite:  # SQLite, the development default, refuses changes only
        refused.append(delete(AuditEntry))
    for statement in refused:
        with pytest.raises(DBAPIError, match="append-only"):
            async with runtime.database.sessionmaker.begin() as session:
                await session.execute(statement)
    assert [entry.reason for entry in await _entries(runtime)] == ["Scam messages"]
