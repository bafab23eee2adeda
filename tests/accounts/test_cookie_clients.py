"""API clients that keep cookies (requests.Session, httpx.Client, URLSession, OkHttp with a jar):
the session cookie a login sets must not make endpoints that authenticate by their request ask
for a CSRF token. Where the cookie is what authenticates, the token is still required."""

from __future__ import annotations

import uuid

import httpx

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.security import SESSION_COOKIE
from hiremebahamas.jobs.alerts import service as alerts
from hiremebahamas.notifications import preferences
from tests.helpers import PASSWORD, emails_to, register, token_in


async def _log_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    response = await client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    assert client.cookies.get(SESSION_COOKIE)  # the jar keeps it for every later call
    return response


async def test_a_cookie_keeping_client_signs_in_refreshes_verifies_and_resets(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    assert (await register(client, "ann@example.com")).status_code == 201
    first = (await _log_in(client, "ann@example.com")).json()

    refreshed = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    again = await _log_in(client, "ann@example.com")
    bearer = {"Authorization": f"Bearer {again.json()['access_token']}"}

    resent = await client.post("/api/auth/resend-verification", headers=bearer)
    assert resent.status_code == 202, resent.text
    token = token_in((await emails_to(runtime, "ann@example.com"))[-1], "/verify-email")
    verified = await client.post("/api/auth/verify-email", json={"token": token})
    assert verified.status_code == 200, verified.text
    assert verified.json()["user"]["email_verified"] is True

    registered = await register(client, "bob@example.com")
    assert registered.status_code == 201, registered.text

    requested = await client.post("/api/auth/password-reset/request", json={"email": "ann@example.com"})
    assert requested.status_code == 202, requested.text
    reset_token = token_in((await emails_to(runtime, "ann@example.com"))[-1], "/reset-password")
    new_password = "lignum-vitae-blossom-77"
    confirmed = await client.post(
        "/api/auth/password-reset/confirm", json={"token": reset_token, "new_password": new_password}
    )
    assert confirmed.status_code == 200, confirmed.text
    await _log_in(client, "ann@example.com", new_password)


async def test_one_click_unsubscribes_ignore_the_cookie(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await register(client, "ann@example.com")
    login = (await _log_in(client, "ann@example.com")).json()
    bearer = {"Authorization": f"Bearer {login['access_token']}"}
    saved = await client.post(
        "/api/saved-searches", json={"query": {"q": "chef"}, "frequency": "daily"}, headers=bearer
    )
    assert saved.status_code == 201, saved.text
    saved_id = uuid.UUID(saved.json()["saved_search"]["id"])

    token = alerts.unsubscribe_token(runtime.settings, saved_id)
    response = await client.post("/api/saved-searches/unsubscribe", params={"token": token})
    assert response.status_code == 200, response.text
    assert response.json() == {"unsubscribed": True}

    user_id = uuid.UUID(login["user"]["id"])
    token = preferences.unsubscribe_token(runtime.settings, user_id, "application.created")
    response = await client.post("/api/notifications/unsubscribe", params={"token": token})
    assert response.status_code == 200, response.text


async def test_writes_the_cookie_authenticates_still_need_the_token(client: httpx.AsyncClient) -> None:
    await register(client, "ann@example.com")
    csrf = (await _log_in(client, "ann@example.com")).headers["x-csrf-token"]
    for method, path in (("POST", "/api/auth/resend-verification"), ("POST", "/api/auth/logout")):
        refused = await client.request(method, path)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["error"]["code"] == "csrf_failed"
    assert (await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})).status_code == 204


async def test_another_site_cannot_log_a_browser_in_through_the_api(client: httpx.AsyncClient) -> None:
    """A cross-site form can send text/plain without a preflight; the API reads only JSON."""
    await register(client, "eve@example.com")
    forged = await client.post(
        "/api/auth/login",
        content=f'{{"email": "eve@example.com", "password": "{PASSWORD}"}}',
        headers={"Content-Type": "text/plain"},
    )
    assert forged.status_code == 422
    assert SESSION_COOKIE not in client.cookies


async def test_the_login_page_still_checks_its_csrf_token(client: httpx.AsyncClient) -> None:
    await register(client, "ann@example.com")
    await _log_in(client, "ann@example.com")
    refused = await client.post("/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert refused.status_code == 403
