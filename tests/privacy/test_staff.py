"""An admin deletes an account through the owner's own path: who may, the refusals, the audit
entry, and what the person and the staff area see."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AuditEntry, User
from tests.staff.conftest import Staffed


async def _delete(client: httpx.AsyncClient, by: object, username: str, body: object) -> httpx.Response:
    headers = getattr(by, "headers", {})
    return await client.post(f"/api/admin/users/{username}/delete", json=body, headers=headers)


async def test_an_admin_deletes_an_account(client: httpx.AsyncClient, runtime: Runtime, people: Staffed) -> None:
    response = await _delete(client, people.admin, "sam-seeker", {"reason": "Fake profile"})
    assert response.status_code == 202, response.text
    assert response.json()["user"]["deletion_due_at"] is not None
    assert (await client.get("/api/users/me", headers=people.seeker.headers)).status_code == 401
    assert (await client.get("/api/users/sam-seeker", headers=people.employer.headers)).status_code == 404
    async with runtime.database.sessionmaker() as session:
        user = await session.get_one(User, people.seeker.id)
        (entry,) = (await session.execute(select(AuditEntry))).scalars()
    assert (user.is_active, user.deleted_by_staff) == (False, True)
    assert (entry.action, entry.actor_name, entry.reason, entry.target_id) == (
        "user.delete", "ada-admin", "Fake profile", str(people.seeker.id),
    )  # fmt: skip
    assert entry.before is not None
    assert entry.after is not None
    assert (entry.before["deletion_due_at"], entry.after["is_active"]) == (None, False)

    again = await _delete(client, people.admin, "sam-seeker", {"reason": "Fake profile"})
    assert again.status_code == 409
    suspend = await client.post(
        "/api/admin/users/sam-seeker/suspend", json={"reason": "x"}, headers=people.moderator.headers
    )
    assert suspend.status_code == 409  # nothing changes a deletion in progress
    reinstate = await client.post("/api/admin/users/sam-seeker/reinstate", json={}, headers=people.admin.headers)
    assert reinstate.status_code == 409


async def test_who_may_delete_and_malformed_requests(
    client: httpx.AsyncClient, runtime: Runtime, people: Staffed
) -> None:
    assert (await _delete(client, None, "sam-seeker", {"reason": "x"})).status_code == 401
    for caller in (people.seeker, people.employer, people.moderator):
        refused = await _delete(client, caller, "sam-seeker", {"reason": "x"})
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    assert (await _delete(client, people.admin, "ada-admin", {"reason": "x"})).status_code == 403  # not oneself
    assert (await _delete(client, people.admin, "sam-seeker", {})).status_code == 422
    assert (await _delete(client, people.admin, "sam-seeker", {"reason": ""})).status_code == 422
    assert (await _delete(client, people.admin, "sam-seeker", {"reason": "Spam\x00"})).status_code == 422
    assert (await _delete(client, people.admin, "sam-seeker", {"reason": "x" * 501})).status_code == 422
    assert (await _delete(client, people.admin, "nobody-here", {"reason": "x"})).status_code == 404
    async with runtime.database.sessionmaker() as session:
        user = await session.get_one(User, people.seeker.id)
        entries = list((await session.execute(select(AuditEntry))).scalars())
    assert (user.is_active, user.deletion_requested_at, entries) == (True, None, [])
