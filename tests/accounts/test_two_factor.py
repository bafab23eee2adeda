"""Two-step verification: setting it up (QR code drawn by the server, the first code switches it
on, recovery codes shown once), signing in with a code over the API and on the login page,
codes used only once, wrong codes locked out like passwords, switching it off, and the secret
kept encrypted."""

from __future__ import annotations

import time

import httpx
import pyotp
import pytest
from sqlalchemy import select

from hiremebahamas.core import secrets_box
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import User
from tests.factories import Member
from tests.helpers import PASSWORD, sign_in, submit
from tests.staff.conftest import make_member


def _code(secret: str, steps_ahead: int = 0) -> str:
    """The code for a step from now: the next one has not been used yet, whatever was before."""
    return pyotp.TOTP(secret).at(int(time.time()) + 30 * steps_ahead)


async def _enable(client: httpx.AsyncClient, who: Member) -> tuple[str, list[str]]:
    setup = await client.post("/api/auth/two-factor/setup", headers=who.headers)
    assert setup.status_code == 200, setup.text
    secret = setup.json()["secret"]
    enabled = await client.post("/api/auth/two-factor/enable", json={"code": _code(secret)}, headers=who.headers)
    assert enabled.status_code == 200, enabled.text
    return secret, enabled.json()["recovery_codes"]


async def _login(client: httpx.AsyncClient, who: Member, totp: str | None = None) -> httpx.Response:
    body = {"email": who.email, "password": PASSWORD, **({"totp": totp} if totp is not None else {})}
    return await client.post("/api/auth/login", json=body)


async def test_setting_it_up_over_the_api(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await make_member(runtime, "ann-rolle")
    setup = await client.post("/api/auth/two-factor/setup", headers=ann.headers)
    body = setup.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/HireMeBahamas:ann-rolle%40example.com?secret=")
    assert body["qr_svg"].startswith("<svg")
    status = await client.get("/api/auth/two-factor", headers=ann.headers)
    assert status.json() == {"enabled": False, "recovery_codes_left": 0}  # not until a code confirms it
    wrong = await client.post("/api/auth/two-factor/enable", json={"code": "000000"}, headers=ann.headers)
    assert wrong.status_code == 422
    enabled = await client.post(
        "/api/auth/two-factor/enable", json={"code": _code(body["secret"])}, headers=ann.headers
    )
    codes = enabled.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    assert (await client.get("/api/auth/two-factor", headers=ann.headers)).json() == {
        "enabled": True,
        "recovery_codes_left": 10,
    }
    again = await client.post("/api/auth/two-factor/setup", headers=ann.headers)
    assert again.status_code == 409
    async with runtime.database.sessionmaker() as session:
        stored = (await session.execute(select(User.totp_secret).where(User.id == ann.id))).scalar_one()
    assert stored is not None
    assert body["secret"] not in stored  # encrypted at rest


async def test_signing_in_asks_for_a_code_and_takes_each_code_once(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await make_member(runtime, "ann-rolle")
    secret, recovery = await _enable(client, ann)
    missing = await _login(client, ann)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "totp_required"
    wrong = await _login(client, ann, "123456")
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "totp_invalid"
    code = _code(secret, 1)
    assert (await _login(client, ann, code)).status_code == 200
    replayed = await _login(client, ann, code)
    assert replayed.json()["error"]["code"] == "totp_invalid"  # a code works once
    assert (await _login(client, ann, recovery[0].upper().replace("-", " "))).status_code == 200
    assert (await _login(client, ann, recovery[0])).status_code == 401  # so does a recovery code
    assert (await client.get("/api/auth/two-factor", headers=ann.headers)).json()["recovery_codes_left"] == 9


async def test_wrong_codes_lock_the_sign_in_like_wrong_passwords(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await make_member(runtime, "ann-rolle")
    secret, _ = await _enable(client, ann)
    statuses = [(await _login(client, ann, "000000")).status_code for _ in range(runtime.settings.login_max_failures)]
    assert statuses[-1] == 429
    assert (await _login(client, ann, _code(secret, 1))).status_code == 429  # locked, even with the right code


async def test_signing_in_on_the_login_page_in_two_steps(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await make_member(runtime, "ann-rolle")
    secret, _ = await _enable(client, ann)
    sign_in(client, None)
    first = await submit(client, "/login", {"email": ann.email, "password": PASSWORD, "next": "/jobs"})
    assert first.status_code == 200
    assert "Two-step verification" in first.text
    assert PASSWORD not in first.text  # the password is not carried to the second step
    assert "hmb_session" not in first.headers.get("set-cookie", "")
    challenge = first.text.split('name="challenge" value="', 1)[1].split('"', 1)[0]
    wrong = await submit(
        client, "/login/code", {"challenge": challenge, "code": "000000", "next": "/jobs"}, page="/login"
    )
    assert wrong.status_code == 401
    assert "not right" in wrong.text
    forged = await submit(client, "/login/code", {"challenge": "forged", "code": _code(secret, 1)}, page="/login")
    assert forged.status_code == 303
    assert forged.headers["location"] == "/login"
    done = await submit(
        client, "/login/code", {"challenge": challenge, "code": _code(secret, 1), "next": "/jobs"}, page="/login"
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/jobs"
    assert "hmb_session=" in done.headers["set-cookie"]


async def test_switching_it_off_needs_the_password(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await make_member(runtime, "ann-rolle")
    await _enable(client, ann)
    path = "/api/auth/two-factor/disable"
    wrong = await client.post(path, json={"password": "not-the-password"}, headers=ann.headers)
    assert wrong.status_code == 403
    off = await client.post(path, json={"password": PASSWORD}, headers=ann.headers)
    assert off.status_code == 204
    assert (await _login(client, ann)).status_code == 200
    assert (await client.get("/api/auth/two-factor", headers=ann.headers)).json()["enabled"] is False


async def test_setting_it_up_on_the_account_page(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await make_member(runtime, "ann-rolle")
    sign_in(client, ann)
    page = "/account/two-factor"
    assert "Set it up" in (await client.get(page)).text
    started = await submit(client, page + "/setup", {}, page=page)
    assert started.status_code == 303
    shown = await client.get(page)
    assert "<svg" in shown.text
    secret = shown.text.split("Enter this key in the app: <code>", 1)[1].split("</code>", 1)[0]
    refused = await submit(client, page + "/enable", {"code": "12"}, page=page)
    assert refused.status_code == 422
    enabled = await submit(client, page + "/enable", {"code": _code(secret)}, page=page)
    assert enabled.status_code == 200
    assert enabled.text.count("<li><code>") == 10  # the recovery codes, shown this once
    assert "recovery codes left" in (await client.get(page)).text


@pytest.mark.parametrize("code", ["", "x" * 21, "12\u000034"])
async def test_malformed_codes_are_refused(client: httpx.AsyncClient, runtime: Runtime, code: str) -> None:
    ann = await make_member(runtime, "ann-rolle")
    await client.post("/api/auth/two-factor/setup", headers=ann.headers)
    response = await client.post("/api/auth/two-factor/enable", json={"code": code}, headers=ann.headers)
    assert response.status_code == 422


async def test_it_survives_a_rotation_of_secret_key(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await make_member(runtime, "ann-rolle")
    secret, recovery = await _enable(client, ann)
    old = runtime.settings.secret_key
    rotated = runtime.settings.model_copy(update={"secret_key": "n" * 48, "previous_secret_keys": [old]})
    runtime.settings = rotated
    try:
        assert (await _login(client, ann, _code(secret, 1))).status_code == 200
        assert (await _login(client, ann, recovery[0])).status_code == 200
        async with runtime.database.sessionmaker() as session:
            sealed = (await session.execute(select(User.totp_secret).where(User.id == ann.id))).scalar_one()
        assert sealed is not None
        # Sealed again at that sign-in: the new key alone opens it now.
        assert (
            secrets_box.unseal(rotated.model_copy(update={"previous_secret_keys": []}), "totp-secret", sealed) == secret
        )
    finally:
        runtime.settings = rotated.model_copy(update={"secret_key": old, "previous_secret_keys": []})
