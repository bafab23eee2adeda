"""The account pages, driven like a browser without JavaScript: forms, redirects, cookies."""

from __future__ import annotations

import httpx
import pytest

from hiremebahamas.core.runtime import Runtime
from tests.helpers import PASSWORD, emails_to, link_in, page_csrf, register, submit

REGISTRATION = {
    "first_name": "Ann",
    "last_name": "Rolle",
    "email": "ann@example.com",
    "password": PASSWORD,
    "account_type": "employer",
    "accept_terms": "yes",
}


async def _logged_in(client: httpx.AsyncClient, email: str = "ann@example.com") -> httpx.Response:
    response = await submit(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return response


@pytest.mark.parametrize("path", ["/register", "/login", "/forgot-password", "/reset-password?token=x"])
async def test_public_forms_render_with_csrf_token(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'name="csrf_token"' in response.text
    assert "<script>" not in response.text  # the CSP forbids inline scripts


async def test_the_anonymous_home_page_holds_no_token_and_sets_no_cookie(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert "csrf" not in response.text.lower()
    assert "set-cookie" not in response.headers  # so a CDN may share it
    assert "<script>" not in response.text


async def test_register_form_shows_check_inbox_and_sends_email(client: httpx.AsyncClient, runtime: Runtime) -> None:
    response = await submit(client, "/register", REGISTRATION)
    assert response.status_code == 201
    assert "Check your inbox" in response.text
    (message,) = await emails_to(runtime, "ann@example.com")
    verify = await client.get(link_in(message, "/verify-email"))
    assert verify.status_code == 303  # to the home page, signed in
    again = await client.get(link_in(message, "/verify-email"))
    assert again.status_code == 200
    assert "is already confirmed" in again.text


async def test_confirming_signs_in_the_browser_that_registered_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await submit(client, "/register", REGISTRATION)
    (message,) = await emails_to(runtime, "ann@example.com")
    verify = await client.get(link_in(message, "/verify-email"))
    assert verify.status_code == 303
    assert "hmb_session=" in verify.headers["set-cookie"]
    assert "ann@example.com is confirmed. Welcome, Ann!" in (await client.get("/")).text
    assert (await client.get("/account")).status_code == 200  # signed in
    await submit(client, "/logout", {}, page="/account")
    again = await client.get(link_in(message, "/verify-email"))
    assert "is already confirmed" in again.text
    assert "hmb_session=" not in again.headers.get("set-cookie", "")  # a used link signs nobody in
    assert (await client.get("/account")).status_code == 303


async def test_confirming_in_another_browser_does_not_sign_it_in(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await submit(client, "/register", REGISTRATION)
    (message,) = await emails_to(runtime, "ann@example.com")
    client.cookies.clear()  # another browser: someone made to open Ann's link
    verify = await client.get(link_in(message, "/verify-email"))
    assert verify.status_code == 200
    assert "is confirmed" in verify.text
    assert "hmb_session=" not in verify.headers.get("set-cookie", "")
    assert 'href="/login">Log in</a>' in verify.text
    forged = await client.get("/verify-email", params={"token": "made-up"}, cookies={"hmb_registered": "x"})
    assert forged.status_code == 400


async def test_the_first_login_says_welcome_and_later_ones_welcome_back(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await register(client)
    (message,) = await emails_to(runtime, "ann@example.com")
    await client.get(link_in(message, "/verify-email"))  # registered through the API: not signed in
    await _logged_in(client)
    first = await client.get("/")
    assert "Welcome, Ann." in first.text
    await submit(client, "/logout", {}, page="/account")
    await _logged_in(client)
    assert "Welcome back, Ann." in (await client.get("/")).text


async def test_register_form_errors_keep_the_input_and_escape_it(client: httpx.AsyncClient) -> None:
    data = {**REGISTRATION, "email": "not-an-email", "first_name": "<script>alert(1)</script>", "password": "short"}
    response = await submit(client, "/register", data)
    assert response.status_code == 422
    assert "Enter a valid email address" in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<script>alert(1)</script>" not in response.text
    assert 'aria-invalid="true"' in response.text


async def test_registering_a_taken_email_shows_the_page_a_new_one_shows(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await register(client, REGISTRATION["email"])
    taken = await submit(client, "/register", REGISTRATION)
    new = await submit(client, "/register", {**REGISTRATION, "email": "zoe@example.com"})
    assert taken.status_code == new.status_code == 201
    assert "already" not in taken.text
    assert "Check your inbox" in taken.text
    assert "Check your inbox" in new.text
    subjects = [m["Subject"] for m in await emails_to(runtime, REGISTRATION["email"])]
    assert subjects[-1] == "Someone tried to register with your email on HireMeBahamas"


async def test_forms_without_csrf_token_are_refused(client: httpx.AsyncClient) -> None:
    await page_csrf(client, "/login")  # the browser has the CSRF cookie, the attacker's form lacks the token
    response = await client.post("/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 403
    assert "Reload the page" in response.text
    forged = await client.post("/login", data={"email": "a@b.c", "password": "x", "csrf_token": "f" * 64})
    assert forged.status_code == 403


async def test_login_logout_cycle(client: httpx.AsyncClient) -> None:
    await register(client)
    response = await _logged_in(client)
    assert response.headers["location"] == "/"
    home = await client.get("/")
    assert "Welcome, Ann" in home.text
    assert "Please verify your email address" in home.text
    logout = await submit(client, "/logout", {}, page="/")
    assert logout.status_code == 303
    after = await client.get("/")
    assert "You are logged out" in after.text
    assert "Join now" in after.text


async def test_login_failure_keeps_email_and_reveals_nothing(client: httpx.AsyncClient) -> None:
    await register(client)
    wrong = await submit(client, "/login", {"email": "ann@example.com", "password": "wrong-password-1"})
    unknown = await submit(client, "/login", {"email": "zed@example.com", "password": "wrong-password-1"})
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match an account" in wrong.text
    assert 'value="ann@example.com"' in wrong.text


async def test_login_redirects_only_to_local_next(client: httpx.AsyncClient) -> None:
    await register(client)
    token = await page_csrf(client, "/login")
    data = {"email": "ann@example.com", "password": PASSWORD, "csrf_token": token}
    evil = await client.post("/login", data={**data, "next": "//evil.example/x"})
    assert evil.headers["location"] == "/"
    client.cookies.delete("hmb_session")
    # Logging in rotates the CSRF cookie, so the form must be fetched again.
    stale = await client.post("/login", data={**data, "next": "/account"})
    assert stale.status_code == 403
    good = await submit(client, "/login", {"email": "ann@example.com", "password": PASSWORD, "next": "/account"})
    assert good.headers["location"] == "/account"


async def test_account_page_requires_login(client: httpx.AsyncClient) -> None:
    response = await client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"


async def test_change_password_signs_out_other_devices(client: httpx.AsyncClient, app: object) -> None:
    await register(client)
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")  # type: ignore[arg-type]
    async with other:
        await _logged_in(other)
        await _logged_in(client)
        new_password = "mangrove-lagoon-77"
        data = {"current_password": PASSWORD, "new_password": new_password}
        changed = await submit(client, "/account/password", data, page="/account")
        assert changed.status_code == 303
        assert (await client.get("/account")).status_code == 200  # this device stays signed in
        assert (await other.get("/account")).status_code == 303  # the other one is out
        wrong = await submit(
            client, "/account/password", {**data, "current_password": "nope-nope-nope"}, page="/account"
        )
        assert wrong.status_code == 403
        assert "current password is not correct" in wrong.text


async def test_password_reset_by_email(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await register(client)
    sent = await submit(client, "/forgot-password", {"email": "ANN@example.com"})
    assert "a reset link is on its way" in sent.text
    nobody = await submit(client, "/forgot-password", {"email": "nobody@example.com"})
    assert nobody.text.count("a reset link is on its way") == 1  # same answer either way
    reset_mail = [m for m in await emails_to(runtime, "ann@example.com") if "Reset" in str(m["Subject"])]
    link = link_in(reset_mail[0], "/reset-password")
    form = await client.get(link)
    assert form.status_code == 200
    token = link.split("token=", 1)[1]
    weak = await submit(client, "/reset-password", {"token": token, "new_password": "password123"}, page=link)
    assert weak.status_code == 422
    assert "too common" in weak.text
    done = await submit(client, "/reset-password", {"token": token, "new_password": "flamingo-harbour-9"}, page=link)
    assert done.status_code == 303
    assert done.headers["location"] == "/login"
    reused = await submit(client, "/reset-password", {"token": token, "new_password": "flamingo-harbour-10"}, page=link)
    assert reused.status_code == 400
    old = await submit(client, "/login", {"email": "ann@example.com", "password": PASSWORD})
    assert old.status_code == 401
    new = await submit(client, "/login", {"email": "ann@example.com", "password": "flamingo-harbour-9"})
    assert new.status_code == 303
    changed = [m for m in await emails_to(runtime, "ann@example.com") if "was changed" in str(m["Subject"])]
    assert len(changed) == 1


async def test_dev_outbox_is_hidden_outside_development(client: httpx.AsyncClient) -> None:
    assert (await client.get("/dev/outbox")).status_code == 404


async def test_unknown_pages_and_api_paths_get_their_own_404(client: httpx.AsyncClient) -> None:
    page = await client.get("/no-such-page")
    assert page.status_code == 404
    assert "We could not find that page" in page.text
    api = await client.get("/api/no-such-thing")
    assert api.status_code == 404
    assert api.json() == {"error": {"code": "not_found", "message": "We could not find that."}}


async def test_a_refused_page_action_still_renders_the_signed_in_layout(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await register(client)
    (message,) = await emails_to(runtime, "ann@example.com")
    await client.get(link_in(message, "/verify-email"))
    await _logged_in(client)
    # Already verified: the service refuses, the unit of work rolls back, and the error page
    # must still show the signed-in navigation (not a 500).
    refused = await submit(client, "/account/resend-verification", {}, page="/account")
    assert refused.status_code == 409
    assert "already verified" in refused.text
    assert 'href="/account"' in refused.text
