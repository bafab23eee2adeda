"""The profile picture form on /profile/edit: a plain multipart form, no script needed."""

from __future__ import annotations

import re

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import page_csrf
from tests.profiles.factory import member, picture
from tests.profiles.test_views import log_in


async def _send(client: httpx.AsyncClient, name: str, data: bytes, content_type: str) -> httpx.Response:
    token = await page_csrf(client, "/profile/edit")
    files = {"avatar": (name, data, content_type)}
    return await client.post("/profile/avatar", data={"csrf_token": token}, files=files)


async def test_upload_show_and_remove_a_profile_picture(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await log_in(client, ann)
    form = await client.get("/profile/edit")
    assert 'enctype="multipart/form-data"' in form.text
    assert 'type="file"' in form.text
    sent = await _send(client, "holiday.jpg", picture(pillow_format="JPEG"), "image/jpeg")
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == "/profile/edit#picture"

    profile = await client.get("/u/ann")
    match = re.search(
        r'<img class="avatar avatar-lg" src="(/media/[0-9a-f-]+/thumb)" alt="Profile picture of Ann Rolle">',
        profile.text,
    )
    assert match, profile.text
    client.cookies.clear()  # anyone may see a profile picture
    image = await client.get(match.group(1))
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/webp"

    await log_in(client, ann)
    removed = await client.post("/profile/avatar/remove", data={"csrf_token": await page_csrf(client, "/profile/edit")})
    assert removed.status_code == 303
    assert "<img" not in (await client.get("/u/ann")).text.split("<main", 1)[1]


async def test_profile_picture_refusals(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await log_in(client, ann)
    not_a_picture = await _send(client, "cv.png", b"%PDF-1.4 pretending to be a picture", "image/png")
    assert not_a_picture.status_code == 422
    assert re.search(r'id="field-avatar"[^>]*aria-invalid="true"', not_a_picture.text)
    nothing = await _send(client, "", b"", "application/octet-stream")
    assert nothing.status_code == 422
    assert "Choose a picture to upload." in nothing.text
    assert (await client.get("/api/users/me")).json()["profile"]["avatar_url"] is None

    await page_csrf(client, "/profile/edit")
    forged = await client.post("/profile/avatar", files={"avatar": ("me.png", picture(), "image/png")})
    assert forged.status_code == 403
    client.cookies.clear()
    token = await page_csrf(client, "/login")
    anonymous = await client.post(
        "/profile/avatar", data={"csrf_token": token}, files={"avatar": ("me.png", picture(), "image/png")}
    )
    assert anonymous.status_code == 401
