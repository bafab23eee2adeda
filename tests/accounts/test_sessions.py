"""Login, tokens, refresh rotation, logout, lockout, key rotation, CSRF and rate limits."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI

from hiremebahamas.accounts.deps import VerifiedAuth
from hiremebahamas.app import create_app
from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime, create_runtime
from hiremebahamas.core.security import key_id
from tests.conftest import make_settings
from tests.helpers import PASSWORD, login, register, signed_up


async def test_login_returns_token_pair_and_session_cookie(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await register(client)
    response = await login(client, "ANN@example.com")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["user"]["email"] == "ann@example.com"
    header = jwt.get_unverified_header(body["access_token"])
    assert header["kid"] == key_id(runtime.settings.jwt_secret_key)
    cookie = response.headers["set-cookie"]
    assert "hmb_session=" in cookie
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()


async def test_wrong_password_and_unknown_email_look_the_same(client: httpx.AsyncClient) -> None:
    await register(client)
    wrong = await login(client, "ann@example.com", "not-the-password-1")
    unknown = await login(client, "nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "unauthenticated"


async def test_me_requires_authentication(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/users/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    bad = await client.get("/api/users/me", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401
    assert "invalid or has expired" in bad.json()["error"]["message"]


async def test_patch_me_updates_names(client: httpx.AsyncClient, runtime: Runtime) -> None:
    account = await signed_up(client, runtime)
    response = await client.patch("/api/users/me", json={"first_name": " Anna "}, headers=account.headers)
    assert response.status_code == 200
    assert response.json()["user"]["first_name"] == "Anna"
    assert response.json()["user"]["last_name"] == "Rolle"
    empty = await client.patch("/api/users/me", json={"last_name": ""}, headers=account.headers)
    assert empty.status_code == 422


async def test_refresh_rotates_and_reuse_revokes_the_family(client: httpx.AsyncClient, runtime: Runtime) -> None:
    account = await signed_up(client, runtime)
    first = await client.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != account.refresh_token
    me = await client.get("/api/users/me", headers={"Authorization": f"Bearer {rotated['access_token']}"})
    assert me.status_code == 200

    replay = await client.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})
    assert replay.status_code == 401
    assert "already used" in replay.json()["error"]["message"]
    # The whole family is gone: the newest refresh token and its access token are dead too.
    after = await client.post("/api/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert after.status_code == 401
    me = await client.get("/api/users/me", headers={"Authorization": f"Bearer {rotated['access_token']}"})
    assert me.status_code == 401


async def test_unknown_refresh_token_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/refresh", json={"refresh_token": "x" * 43})
    assert response.status_code == 401


async def test_logout_revokes_access_and_refresh_tokens(client: httpx.AsyncClient, runtime: Runtime) -> None:
    account = await signed_up(client, runtime)
    assert (await client.post("/api/auth/logout", headers=account.headers)).status_code == 204
    assert (await client.get("/api/users/me", headers=account.headers)).status_code == 401
    refresh = await client.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})
    assert refresh.status_code == 401


async def test_other_sessions_survive_one_logout(client: httpx.AsyncClient, runtime: Runtime) -> None:
    phone = await signed_up(client, runtime)
    laptop = (await login(client, phone.email)).json()
    client.cookies.clear()
    await client.post("/api/auth/logout", headers=phone.headers)
    me = await client.get("/api/users/me", headers={"Authorization": f"Bearer {laptop['access_token']}"})
    assert me.status_code == 200


async def test_lockout_after_five_failures_even_with_right_password(client: httpx.AsyncClient) -> None:
    await register(client)
    statuses = [(await login(client, "ann@example.com", f"wrong-password-{i}")).status_code for i in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = await login(client, "ann@example.com")
    assert locked.status_code == 429
    assert "15 minutes" in locked.json()["error"]["message"]
    assert int(locked.headers["retry-after"]) > 14 * 60


async def test_lockout_does_not_reveal_whether_the_account_exists(client: httpx.AsyncClient) -> None:
    await register(client)
    real = [await login(client, "ann@example.com", f"wrong-password-{i}") for i in range(5)]
    ghost = [await login(client, "ghost@example.com", f"wrong-password-{i}") for i in range(5)]
    assert [r.status_code for r in real] == [r.status_code for r in ghost]
    assert real[-1].json() == ghost[-1].json()


async def test_a_good_login_resets_the_failure_count(client: httpx.AsyncClient) -> None:
    await register(client)
    for i in range(4):
        await login(client, "ann@example.com", f"wrong-password-{i}")
    assert (await login(client, "ann@example.com")).status_code == 200
    for i in range(4):
        assert (await login(client, "ann@example.com", f"wrong-password-{i}")).status_code == 401


async def _client_for(settings: Settings) -> tuple[httpx.AsyncClient, Runtime]:
    runtime = create_runtime(settings)
    app = create_app(settings, runtime)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver"), runtime


async def test_rotating_the_jwt_key_logs_nobody_out(client: httpx.AsyncClient, runtime: Runtime) -> None:
    account = await signed_up(client, runtime)
    old_key = runtime.settings.jwt_secret_key
    base: dict[str, Any] = {"database_url": runtime.settings.database_url, "var_dir": runtime.settings.var_dir}
    rotated = make_settings(**base, jwt_secret_key="k" * 48, jwt_previous_secret_keys=[old_key])
    dropped = make_settings(**base, jwt_secret_key="k" * 48)
    for settings, expected in ((rotated, 200), (dropped, 401)):
        other, other_runtime = await _client_for(settings)
        async with other:
            assert (await other.get("/api/users/me", headers=account.headers)).status_code == expected
            if expected == 200:
                # New tokens are signed with the new key.
                fresh = (await other.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})).json()
                assert jwt.get_unverified_header(fresh["access_token"])["kid"] == key_id("k" * 48)
        await other_runtime.close()


async def test_tampered_and_expired_access_tokens_are_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    account = await signed_up(client, runtime)
    claims = jwt.decode(account.access_token, options={"verify_signature": False})
    header = {"kid": key_id(runtime.settings.jwt_secret_key)}
    forged = jwt.encode(
        {**claims, "sub": "someone-else"},
        "a-guessed-key-that-is-long-enough-for-hs256",
        algorithm="HS256",
        headers=header,
    )
    expired = jwt.encode({**claims, "exp": 1}, runtime.settings.jwt_secret_key, algorithm="HS256", headers=header)
    for token in (forged, expired, account.access_token + "x"):
        response = await client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


async def test_a_token_signed_with_the_old_development_placeholder_is_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    account = await signed_up(client, runtime)
    claims = jwt.decode(account.access_token, options={"verify_signature": False})
    placeholder = "dev-insecure-jwt-secret-key-change-me-000000"  # the default until this release
    forged = jwt.encode(claims, placeholder, algorithm="HS256", headers={"kid": key_id(placeholder)})
    assert runtime.settings.jwt_secret_key != placeholder
    response = await client.get("/api/users/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


async def test_cookie_session_needs_csrf_token_for_writes(client: httpx.AsyncClient) -> None:
    await register(client)
    response = await login(client, "ann@example.com")
    csrf = response.headers["x-csrf-token"]
    assert (await client.get("/api/users/me")).status_code == 200  # reads need no token
    refused = await client.patch("/api/users/me", json={"first_name": "Eve"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    wrong = await client.patch("/api/users/me", json={"first_name": "Eve"}, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    ok = await client.patch("/api/users/me", json={"first_name": "Annie"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200
    fetched = await client.get("/api/auth/csrf")
    assert fetched.json()["csrf_token"] == csrf


async def test_unverified_users_cannot_write_for_others(
    own_app: FastAPI, own_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    async def publish(auth: VerifiedAuth) -> dict[str, str]:
        return {"by": auth.user.email}

    own_app.add_api_route("/api/test-publish", publish, methods=["POST"])
    client = own_client
    account = await signed_up(client, runtime, "new@example.com", verified=False)
    refused = await client.post("/api/test-publish", headers=account.headers)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "email_unverified"
    assert (await client.get("/api/users/me", headers=account.headers)).status_code == 200
    verified = await signed_up(client, runtime, "old@example.com")
    assert (await client.post("/api/test-publish", headers=verified.headers)).status_code == 200


@pytest.fixture
def strict_settings(settings: Settings) -> Settings:
    return make_settings(database_url=settings.database_url, var_dir=settings.var_dir, rate_limit_auth="5/minute")


async def test_auth_endpoints_are_rate_limited_per_ip(strict_settings: Settings, runtime: Runtime) -> None:
    other, other_runtime = await _client_for(strict_settings)
    async with other:
        body = {"email": "x@example.com"}
        codes = [(await other.post("/api/auth/password-reset/request", json=body)).status_code for _ in range(6)]
        assert codes == [202] * 5 + [429]
        limited = await other.post("/api/auth/password-reset/request", json=body)
        assert limited.json()["error"]["code"] == "rate_limited"
        assert 0 < int(limited.headers["retry-after"]) <= 60
        # Another client address has its own budget.
        headers = {"X-Forwarded-For": "203.0.113.7"}
        elsewhere = await other.post("/api/auth/password-reset/request", json=body, headers=headers)
        assert elsewhere.status_code == 202
    await other_runtime.close()


async def test_api_limit_counts_per_user(settings: Settings, client: httpx.AsyncClient, runtime: Runtime) -> None:
    account = await signed_up(client, runtime)
    limited = make_settings(database_url=settings.database_url, var_dir=settings.var_dir, rate_limit_api="3/minute")
    other, other_runtime = await _client_for(limited)
    async with other:
        codes = [(await other.get("/api/users/me", headers=account.headers)).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
    await other_runtime.close()


async def test_password_is_never_returned_or_logged(
    client: httpx.AsyncClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    account = await signed_up(client, runtime)
    assert PASSWORD not in str(account.user)
    assert "POST /api/auth/login 200" in caplog.text  # the log was captured
    assert PASSWORD not in caplog.text
    assert account.refresh_token not in caplog.text
    assert account.access_token not in caplog.text
