"""Registration and email verification over the API."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from hiremebahamas.accounts import service
from hiremebahamas.core import security, tasks
from hiremebahamas.core.email import FileOutbox
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import EmailToken
from hiremebahamas.models.base import utcnow
from tests.helpers import PASSWORD, counted_queries, emails_to, register, text_of, token_in


async def test_register_creates_unverified_user_and_sends_link(client: httpx.AsyncClient, runtime: Runtime) -> None:
    response = await register(client, "Ann.Rolle@Example.com")
    assert response.status_code == 201
    user = response.json()["user"]
    assert user["email"] == "ann.rolle@example.com"
    assert user["email_verified"] is False
    assert user["account_type"] == "job_seeker"
    assert "password" not in str(user)
    (message,) = await emails_to(runtime, "ann.rolle@example.com")
    assert message["Subject"] == "Confirm your email for HireMeBahamas"
    assert "http://testserver/verify-email?token=" in text_of(message)


def _shape(response: httpx.Response) -> tuple[int, set[str], set[str], list[str]]:
    """What must not differ between a new and a taken email: status, fields, headers, cookies."""
    user = response.json()["user"]
    return response.status_code, set(user), set(response.headers), sorted(response.cookies)


async def test_a_taken_email_gets_the_answer_a_new_one_gets_and_its_owner_an_email(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    first = await register(client, "ann@example.com")
    (verification,) = await emails_to(runtime, "ann@example.com")
    again = await register(client, "  ANN@example.COM ", first_name="Eve")
    fresh = await register(client, "zoe@example.com", first_name="Eve")
    assert _shape(again) == _shape(fresh) == _shape(first)
    assert again.status_code == 201
    taken, new = again.json()["user"], fresh.json()["user"]
    assert taken["email"] == "ann@example.com"
    assert (taken["first_name"], taken["email_verified"], taken["is_admin"]) == ("Eve", False, False)
    assert taken["username"].startswith("eve-rolle")  # a name suggested as for anyone
    assert taken["id"] not in (first.json()["user"]["id"], new["id"])

    messages = await emails_to(runtime, "ann@example.com")
    assert [m["Subject"] for m in messages] == [
        verification["Subject"],
        "Someone tried to register with your email on HireMeBahamas",
    ]
    notice = text_of(messages[-1])
    assert "Hi Ann," in notice  # the owner, not whoever tried
    assert "http://testserver/login" in notice
    assert "http://testserver/forgot-password" in notice
    # The account is untouched: the owner's password still signs in, the newcomer's never did.
    assert (
        await client.post("/api/auth/login", json={"email": "ann@example.com", "password": PASSWORD})
    ).status_code == 200


async def test_the_owner_hears_of_attempts_on_their_email_once_an_hour(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await register(client, "ann@example.com")
    for _ in range(3):  # a stranger registering again and again
        assert (await register(client, "ann@example.com", first_name="Eve")).status_code == 201
    subjects = [m["Subject"] for m in await emails_to(runtime, "ann@example.com")]
    assert subjects.count("Someone tried to register with your email on HireMeBahamas") == 1


async def test_registering_a_taken_email_does_the_same_work_as_a_new_one(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await register(client, "ann@example.com")
    await runtime.tasks.drain()
    hashed: list[str] = []
    real_hash = security.hash_password

    def counting_hash(password: str) -> str:
        hashed.append(password)
        return real_hash(password)

    monkeypatch.setattr(security, "hash_password", counting_hash)
    work: dict[str, tuple[int, list[str], int]] = {}
    for email in ("ann@example.com", "zoe@example.com"):
        hashed.clear()
        before = len(runtime.email.list_messages()) if isinstance(runtime.email, FileOutbox) else 0
        with counted_queries(runtime) as log:
            assert (await register(client, email)).status_code == 201
        await runtime.tasks.drain()
        reads = [s.split()[0] for s in log.statements if s.lstrip().upper().startswith("SELECT")]
        sent = len(runtime.email.list_messages()) - before if isinstance(runtime.email, FileOutbox) else 0
        work[email] = (len(hashed), reads, sent)
    assert work["ann@example.com"] == work["zoe@example.com"]
    assert work["ann@example.com"][0] == 1
    assert work["ann@example.com"][2] == 1


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "at least 10 characters"),
        ("ann@example.com", "must not be your email"),
        ("password123", "too common"),
        ("Qwertyuiop", "too common"),
    ],
)
async def test_weak_passwords_are_refused(client: httpx.AsyncClient, password: str, reason: str) -> None:
    response = await register(client, "ann@example.com", password=password)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert reason in error["fields"]["password"]


async def test_malformed_registration_lists_each_bad_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "not-an-email", "password": PASSWORD, "first_name": "", "account_type": "pirate"},
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert set(fields) >= {"email", "first_name", "last_name", "account_type"}


async def test_non_json_body_is_a_validation_error(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_a_verification_link_opened_again_says_confirmed(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await register(client)
    token = token_in((await emails_to(runtime, "ann@example.com"))[0], "/verify-email")
    first = await client.post("/api/auth/verify-email", json={"token": token})
    assert first.status_code == 200
    assert first.json()["user"]["email_verified"] is True
    again = await client.post("/api/auth/verify-email", json={"token": token})
    assert again.status_code == 200  # opened twice: the address is confirmed, not an error
    assert again.json()["user"]["email_verified"] is True


async def test_unknown_verification_token_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/verify-email", json={"token": "made-up"})
    assert response.status_code == 400
    assert "not valid" in response.json()["error"]["message"]


async def test_expired_verification_link_is_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await register(client)
    token = token_in((await emails_to(runtime, "ann@example.com"))[0], "/verify-email")
    async with runtime.database.engine.begin() as connection:
        await connection.execute(update(EmailToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    response = await client.post("/api/auth/verify-email", json={"token": token})
    assert response.status_code == 400
    assert "expired" in response.json()["error"]["message"]
    me = await client.post("/api/auth/login", json={"email": "ann@example.com", "password": PASSWORD})
    assert me.json()["user"]["email_verified"] is False


async def test_resending_replaces_the_old_link(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await register(client)
    login = await client.post("/api/auth/login", json={"email": "ann@example.com", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    client.cookies.clear()
    assert (await client.post("/api/auth/resend-verification", headers=headers)).status_code == 202
    first, second = await emails_to(runtime, "ann@example.com")
    old = await client.post("/api/auth/verify-email", json={"token": token_in(first, "/verify-email")})
    assert old.status_code == 400
    new = await client.post("/api/auth/verify-email", json={"token": token_in(second, "/verify-email")})
    assert new.status_code == 200
    done = await client.post("/api/auth/resend-verification", headers=headers)
    assert done.status_code == 409
    assert "already verified" in done.json()["error"]["message"]


async def test_a_reset_request_does_the_same_work_whether_or_not_the_account_exists(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await register(client, "ann@example.com")
    await runtime.tasks.drain()
    work = []
    for email in ("Ann@example.com", "ghost@example.com"):
        async with runtime.database.sessionmaker() as session:
            with counted_queries(runtime) as log:
                service.request_password_reset(session, email)
            work.append((log.count, [(call.name, sorted(call.kwargs)) for call in tasks.take_pending(session)]))
    assert work[0] == work[1] == (0, [("send_password_reset", ["email"])])  # the lookup is in the background

    answers = [
        await client.post("/api/auth/password-reset/request", json={"email": e})
        for e in ("ann@example.com", "ghost@example.com")
    ]
    assert answers[0].json() == answers[1].json()
    assert answers[0].status_code == answers[1].status_code == 202
    subjects = [m["Subject"] for m in await emails_to(runtime, "ann@example.com")]
    assert subjects[-1] == "Reset your HireMeBahamas password"
    assert await emails_to(runtime, "ghost@example.com") == []
