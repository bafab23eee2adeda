"""The pages: the Delete my account section of the settings, the confirmation, the login that
offers to restore, and the restore form."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AuditEntry, StaffRole, User
from tests.helpers import PASSWORD, sign_in, submit
from tests.privacy.conftest import member
from tests.staff.conftest import make_member


async def test_deleting_from_the_settings_signs_out_and_confirms(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    sign_in(client, ann)
    page = await client.get("/account")
    assert "Delete my account" in page.text
    assert "erased for good" in page.text

    wrong = await submit(client, "/account/delete", {"password": "not-the-password"}, page="/account")
    assert wrong.status_code == 403
    assert "That password is not right." in wrong.text
    refused = await client.post("/account/delete", data={"password": PASSWORD})  # no CSRF token
    assert refused.status_code == 403

    done = await submit(client, "/account/delete", {"password": PASSWORD}, page="/account")
    assert done.status_code == 200, done.text
    assert "Your account will be deleted" in done.text
    assert 'hmb_session=""' in done.headers["set-cookie"] or "Max-Age=0" in done.headers["set-cookie"]
    sign_in(client, ann)  # the old cookie no longer works
    assert (await client.get("/account")).status_code in (302, 303)


async def test_the_login_offers_to_restore(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    sign_in(client, ann)
    await submit(client, "/account/delete", {"password": PASSWORD}, page="/account")
    client.cookies.clear()

    offered = await submit(client, "/login", {"email": ann.email, "password": PASSWORD})
    assert offered.status_code == 409
    assert "Restore my account" in offered.text
    assert "suspended" not in offered.text
    wrong = await submit(client, "/account/restore", {"email": ann.email, "password": "nope"}, page="/login")
    assert wrong.status_code == 401
    restored = await submit(client, "/account/restore", {"email": ann.email, "password": PASSWORD}, page="/login")
    assert restored.status_code == 303
    assert (await client.get("/account")).status_code == 200  # signed in again
    async with runtime.database.sessionmaker() as session:
        assert (await session.get_one(User, ann.id)).is_active is True


async def test_staff_delete_from_the_user_page(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await make_member(runtime, "sam-seeker")
    admin = await make_member(runtime, "ada-admin", role=StaffRole.ADMIN)
    sign_in(client, admin)
    page = await client.get("/admin/users/sam-seeker")
    assert "Delete the account" in page.text
    empty = await submit(client, "/admin/users/sam-seeker/delete", {"reason": ""}, page="/admin/users/sam-seeker")
    assert empty.status_code == 422
    done = await submit(client, "/admin/users/sam-seeker/delete", {"reason": "Spam"}, page="/admin/users/sam-seeker")
    assert done.status_code == 303
    page = await client.get("/admin/users/sam-seeker")
    assert "Being deleted" in page.text
    assert "Delete the account" not in page.text
    async with runtime.database.sessionmaker() as session:
        entry = (await session.execute(select(AuditEntry))).scalar_one()
    assert (entry.action, entry.reason) == ("user.delete", "Spam")

    client.cookies.clear()
    login = await submit(client, "/login", {"email": "sam-seeker@example.com", "password": PASSWORD})
    assert login.status_code == 409
    assert "staff" in login.text
    assert 'action="/account/restore"' not in login.text
