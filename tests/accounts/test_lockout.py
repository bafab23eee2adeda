"""Sign-in lockouts hold guessers back without locking the owner out (accounts/lockout.py)."""

from __future__ import annotations

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import PASSWORD, emails_to, register, token_in

ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"
NEW_PASSWORD = "flamingo-harbour-9"


async def login_from(client: httpx.AsyncClient, ip: str, email: str, password: str = PASSWORD) -> httpx.Response:
    client.cookies.clear()
    body = {"email": email, "password": password}
    # The test client connects from 127.0.0.1, a trusted proxy: its X-Forwarded-For is believed.
    return await client.post("/api/auth/login", json=body, headers={"X-Forwarded-For": ip})


async def fail(client: httpx.AsyncClient, ip: str, email: str, times: int) -> list[int]:
    return [(await login_from(client, ip, email, f"wrong-password-{i}")).status_code for i in range(times)]


async def reset_password(client: httpx.AsyncClient, runtime: Runtime, email: str) -> None:
    accepted = await client.post("/api/auth/password-reset/request", json={"email": email})
    assert accepted.status_code == 202
    mail = [m for m in await emails_to(runtime, email) if "Reset" in str(m["Subject"])]
    token = token_in(mail[-1], "/reset-password")
    confirmed = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert confirmed.status_code == 200, confirmed.text


async def test_failures_from_one_address_do_not_lock_out_the_owner_elsewhere(client: httpx.AsyncClient) -> None:
    await register(client)
    assert await fail(client, ATTACKER, "ann@example.com", 5) == [401, 401, 401, 401, 429]
    assert (await login_from(client, ATTACKER, "ann@example.com")).status_code == 429  # even the right password
    assert (await login_from(client, OWNER, "ann@example.com")).status_code == 200


async def test_a_password_reset_lifts_the_lock(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await register(client)
    await fail(client, OWNER, "ann@example.com", 5)
    assert (await login_from(client, OWNER, "ann@example.com")).status_code == 429
    await reset_password(client, runtime, "ann@example.com")
    assert (await login_from(client, OWNER, "ann@example.com", NEW_PASSWORD)).status_code == 200
    # Counting starts again from nothing.
    assert await fail(client, OWNER, "ann@example.com", 4) == [401] * 4


async def test_many_addresses_together_lock_the_account_until_a_reset(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    runtime.settings.login_account_max_failures = 12
    await register(client)
    for n in range(4):  # each address stays below the per-address limit
        assert await fail(client, f"203.0.113.{n}", "ann@example.com", 3) == [401] * 3
    for n in range(4):
        assert await fail(client, f"203.0.113.{n}", "ghost@example.com", 3) == [401] * 3
    locked = await login_from(client, OWNER, "ann@example.com")
    ghost = await login_from(client, OWNER, "ghost@example.com")
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 55 * 60
    # An account that does not exist is locked just the same: the answer tells nothing.
    assert (ghost.status_code, ghost.json()) == (locked.status_code, locked.json())

    await reset_password(client, runtime, "ann@example.com")
    assert (await login_from(client, OWNER, "ann@example.com", NEW_PASSWORD)).status_code == 200


async def test_a_good_login_forgets_only_its_own_addresses_failures(client: httpx.AsyncClient) -> None:
    await register(client)
    await fail(client, ATTACKER, "ann@example.com", 4)
    await fail(client, OWNER, "ann@example.com", 4)
    assert (await login_from(client, OWNER, "ann@example.com")).status_code == 200
    assert await fail(client, OWNER, "ann@example.com", 4) == [401] * 4
    assert await fail(client, ATTACKER, "ann@example.com", 1) == [429]
