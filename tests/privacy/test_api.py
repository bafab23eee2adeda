"""DELETE /api/users/me and POST /api/users/me/restore: what asking does at once, the refusals,
signing in during the grace period, restoring, and the staff's deletion seen from the login."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.times import day_text
from hiremebahamas.models import Company, CompanyRole, Job, JobStatus, Subscription, User
from hiremebahamas.models.base import utcnow
from tests.billing.factories import grant_tier
from tests.helpers import emails_to, text_of
from tests.privacy.conftest import add_company, ask_deletion, erase_due, login, make_due, member, restore


async def test_asking_signs_out_hides_cancels_and_emails_the_date(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann", employer=True), await member(runtime, "bob", employer=True)
    posted = await client.post("/api/posts", json={"body": "Hiring in Nassau"}, headers=ann.headers)
    post_id = posted.json()["post"]["id"]
    await grant_tier(runtime, ann.id, "business")
    alone = await add_company(runtime, "ann-shop", [(ann, CompanyRole.OWNER)])
    shared = await add_company(runtime, "bob-shop", [(bob, CompanyRole.OWNER), (ann, CompanyRole.MEMBER)])
    assert (await client.get("/api/users/ann")).status_code == 200  # the anonymous answer is now cached

    response = await ask_deletion(client, ann)
    assert response.status_code == 202, response.text
    body = response.json()
    due = datetime.fromisoformat(body["deletion_due_at"])
    assert body["deletion_scheduled_for"] == body["deletion_due_at"]
    assert timedelta(days=29, hours=23) < due - utcnow() <= timedelta(days=30)

    assert (await client.get("/api/users/me", headers=ann.headers)).status_code == 401  # signed out everywhere
    assert (await client.get("/api/users/ann")).status_code == 404  # the cached copy is not served
    assert (await client.get("/u/ann")).status_code == 404
    assert (await client.get("/api/users/ann", headers=bob.headers)).status_code == 404
    assert (await client.get(f"/api/posts/{post_id}", headers=bob.headers)).status_code == 404
    async with runtime.database.sessionmaker() as session:
        subscription = (await session.execute(select(Subscription).where(Subscription.user_id == ann.id))).scalar_one()
        jobs = {row.company_id: row.status for row in (await session.execute(select(Job))).scalars()}
    assert subscription.cancel_at_period_end is True  # through the embedded Stripe stand-in
    assert jobs == {alone: JobStatus.CLOSED, shared: JobStatus.OPEN}  # nobody is left to answer at ann-shop
    (message,) = await emails_to(runtime, ann.email)
    assert message["Subject"] == "Your HireMeBahamas account will be deleted"
    assert day_text(due) in text_of(message)  # the day of the erasure, in Nassau


async def test_signing_in_offers_to_restore_and_restoring_brings_everything_back(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    posted = await client.post("/api/posts", json={"body": "Hello Exuma"}, headers=ann.headers)
    due = (await ask_deletion(client, ann)).json()["deletion_due_at"]

    refused = await login(client, ann)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert (error["code"], error["restorable"]) == ("account_pending_deletion", True)
    assert datetime.fromisoformat(error["deletion_due_at"]) == datetime.fromisoformat(due)
    assert "suspended" not in error["message"]
    assert "restore" in error["message"]

    assert (await restore(client, ann, "not-the-password")).status_code == 401
    restored = await restore(client, ann)
    assert restored.status_code == 200, restored.text
    assert restored.json()["user"]["username"] == "ann"
    assert (await login(client, ann)).status_code == 200
    assert (await client.get("/api/users/ann", headers=bob.headers)).status_code == 200
    post_id = posted.json()["post"]["id"]
    assert (await client.get(f"/api/posts/{post_id}", headers=bob.headers)).status_code == 200
    async with runtime.database.sessionmaker() as session:
        user = await session.get_one(User, ann.id)
    assert (user.is_active, user.deletion_requested_at, user.deletion_due_at) == (True, None, None)
    assert (await restore(client, ann)).status_code == 409  # nothing to restore any more


async def test_refusals_change_nothing(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    wrong = await ask_deletion(client, ann, "not-the-password")
    assert wrong.status_code == 403
    assert wrong.json()["error"]["fields"] == {"password": "That password is not right."}
    no_body = await client.request("DELETE", "/api/users/me", headers=ann.headers)
    assert no_body.status_code == 422
    empty = await client.request("DELETE", "/api/users/me", json={"password": ""}, headers=ann.headers)
    assert empty.status_code == 422
    anonymous = await client.request("DELETE", "/api/users/me", json={"password": "x"})
    assert anonymous.status_code == 401
    controls = await client.post("/api/users/me/restore", json={"email": "ann\x00@example.com", "password": "x"})
    assert controls.status_code == 422
    async with runtime.database.sessionmaker() as session:
        user = await session.get_one(User, ann.id)
    assert (user.is_active, user.deletion_requested_at) == (True, None)
    assert (await client.get("/api/users/me", headers=ann.headers)).status_code == 200


async def test_wrong_passwords_are_throttled_without_locking_the_login(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await member(runtime, "ann")
    answers = [(await ask_deletion(client, ann, "not-the-password")).status_code for _ in range(6)]
    assert answers == [403, 403, 403, 403, 403, 429]  # five wrong passwords an hour
    refused = await ask_deletion(client, ann)  # even the right one, for now
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 3500
    # Whoever holds the session cannot lock the owner out of signing in.
    assert (await login(client, ann)).status_code == 200


async def test_a_second_request_keeps_the_first_date(client: httpx.AsyncClient, runtime: Runtime) -> None:
    from hiremebahamas.privacy.service import request_deletion

    ann = await member(runtime, "ann")
    first = (await ask_deletion(client, ann)).json()["deletion_due_at"]
    assert (await ask_deletion(client, ann)).status_code == 401  # the first one signed this session out
    async with runtime.database.sessionmaker.begin() as session:
        user = await session.get_one(User, ann.id)
        again = await request_deletion(session, runtime.settings, user, actor=user, now=utcnow() + timedelta(days=3))
    assert again.deletion_due_at is not None
    assert again.deletion_due_at == datetime.fromisoformat(first)
    assert len(await emails_to(runtime, ann.email)) == 1


async def test_restoring_after_the_grace_period_is_too_late(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await ask_deletion(client, ann)
    await make_due(runtime, ann.id)
    late = await restore(client, ann)
    assert late.status_code == 409
    assert "final" in late.json()["error"]["message"]
    login_response = await login(client, ann)
    assert (login_response.status_code, login_response.json()["error"]["restorable"]) == (409, False)
    assert await erase_due(runtime) == 1
    assert (await restore(client, ann)).status_code == 401  # erased: no account has that email any more
    assert (await login(client, ann)).status_code == 401


async def test_a_staff_deletion_cannot_be_restored(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    admin = await member(runtime, "ada")
    async with runtime.database.sessionmaker.begin() as session:
        (await session.get_one(User, admin.id)).staff_role = "admin"  # type: ignore[assignment]
    deleted = await client.post("/api/admin/users/ann/delete", json={"reason": "Fake profile"}, headers=admin.headers)
    assert deleted.status_code == 202, deleted.text
    refused = await login(client, ann)
    assert refused.status_code == 409
    assert refused.json()["error"]["restorable"] is False
    assert "staff" in refused.json()["error"]["message"]
    assert (await restore(client, ann)).status_code == 403
    (message,) = await emails_to(runtime, ann.email)
    assert "Fake profile" in text_of(message)


async def test_the_company_left_alone_stays_closed_after_a_restore(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann", employer=True)
    await add_company(runtime, "ann-shop", [(ann, CompanyRole.OWNER)], jobs=2)
    await ask_deletion(client, ann)
    assert (await restore(client, ann)).status_code == 200
    async with runtime.database.sessionmaker() as session:
        statuses = set((await session.execute(select(Job.status))).scalars())
        company = (await session.execute(select(Company))).scalar_one()
    assert statuses == {JobStatus.CLOSED}
    assert company.slug == "ann-shop"
