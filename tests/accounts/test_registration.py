"""Registration and email verification over the API."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import EmailToken
from hiremebahamas.models.base import utcnow
from tests.helpers import PASSWORD, emails_to, register, text_of, token_in


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


async def test_email_is_unique_case_insensitively(client: httpx.AsyncClient) -> None:
    assert (await register(client, "ann@example.com")).status_code == 201
    response = await register(client, "  ANN@example.COM ")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


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


async def test_verification_link_works_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await register(client)
    token = token_in((await emails_to(runtime, "ann@example.com"))[0], "/verify-email")
    first = await client.post("/api/auth/verify-email", json={"token": token})
    assert first.status_code == 200
    assert first.json()["user"]["email_verified"] is True
    again = await client.post("/api/auth/verify-email", json={"token": token})
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid_token"
    assert "already been used" in again.json()["error"]["message"]


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
    assert done.status_code == 400
    assert "already verified" in done.json()["error"]["message"]
