"""The files of /profile/edit saved with "Save profile": the picture chosen in its section and
the CV kept on the profile (PATCH /api/users/me sets the same CV); skills in the order typed."""

from __future__ import annotations

import re
import uuid

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import page_csrf
from tests.profiles.factory import member, picture
from tests.profiles.test_views import PROFILE_FORM, log_in
from tests.uploads.files import pdf


async def _save(client: httpx.AsyncClient, files: dict[str, tuple[str, bytes, str]], **fields: str) -> httpx.Response:
    token = await page_csrf(client, "/profile/edit")
    return await client.post("/profile/edit", data={**PROFILE_FORM, **fields, "csrf_token": token}, files=files)


async def test_save_profile_keeps_the_picture_and_the_cv_chosen_on_the_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await member(runtime, "ann")
    await log_in(client, ann)
    page = await client.get("/profile/edit")
    assert re.search(r'<form method="post" action="/profile/edit"[^>]*id="profile-form"', page.text)
    assert re.search(r'id="field-avatar"[^>]*form="profile-form"', page.text)
    assert 'data-max-bytes="5242880"' in page.text  # the browser refuses a too-large file first
    saved = await _save(
        client,
        {"avatar": ("me.jpg", picture(), "image/jpeg"), "cv": ("Ann Rolle CV.pdf", pdf(), "application/pdf")},
        headline="Bookkeeper in Nassau",
    )
    assert saved.status_code == 303, saved.text
    me = (await client.get("/api/users/me")).json()["profile"]
    assert me["headline"] == "Bookkeeper in Nassau"
    assert me["avatar_url"] is not None
    assert me["cv_upload_id"] is not None
    edit = await client.get("/profile/edit")
    assert "Ann Rolle CV.pdf" in edit.text
    assert "Remove CV from my profile" in edit.text

    # Saving again without files keeps both.
    assert (await _save(client, {})).status_code == 303
    again = (await client.get("/api/users/me")).json()["profile"]
    assert (again["avatar_url"], again["cv_upload_id"]) == (me["avatar_url"], me["cv_upload_id"])

    removed = await client.post("/profile/cv/remove", data={"csrf_token": await page_csrf(client, "/profile/edit")})
    assert removed.status_code == 303
    assert (await client.get("/api/users/me")).json()["profile"]["cv_upload_id"] is None


async def test_a_refused_file_keeps_what_was_typed_and_saves_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await member(runtime, "ann")
    await log_in(client, ann)
    refused = await _save(client, {"cv": ("cv.pdf", b"not a pdf", "application/pdf")}, headline="Typed, not saved")
    assert refused.status_code == 422
    assert re.search(r'id="field-cv"[^>]*aria-invalid="true"', refused.text)
    assert 'value="Typed, not saved"' in refused.text
    me = (await client.get("/api/users/me")).json()["profile"]
    assert me["headline"] != "Typed, not saved"
    assert me["cv_upload_id"] is None
    not_a_picture = await _save(client, {"avatar": ("x.png", b"%PDF-1.4 no picture", "image/png")})
    assert not_a_picture.status_code == 422
    assert re.search(r'id="field-avatar"[^>]*aria-invalid="true"', not_a_picture.text)
    forged = await client.post("/profile/edit", data=PROFILE_FORM, files={"cv": ("cv.pdf", pdf(), "application/pdf")})
    assert forged.status_code == 403
    assert (await client.post("/profile/cv/remove", data={})).status_code == 403


async def test_the_api_sets_only_ones_own_cv(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    await log_in(client, bob)
    files = {"file": ("bob.pdf", pdf(), "application/pdf")}
    bobs = await client.post("/api/uploads", data={"purpose": "cv"}, files=files, headers=bob.headers)
    assert bobs.status_code == 201, bobs.text
    picture_upload = await client.post(
        "/api/uploads",
        data={"purpose": "avatar"},
        files={"file": ("me.jpg", picture(), "image/jpeg")},
        headers=ann.headers,
    )
    client.cookies.clear()
    theirs = await client.patch("/api/users/me", json={"cv_upload_id": bobs.json()["id"]}, headers=ann.headers)
    assert theirs.status_code == 404
    wrong_kind = await client.patch(
        "/api/users/me", json={"cv_upload_id": picture_upload.json()["id"]}, headers=ann.headers
    )
    assert wrong_kind.status_code == 422
    assert "not as cv" in wrong_kind.json()["error"]["message"]
    missing = await client.patch("/api/users/me", json={"cv_upload_id": str(uuid.uuid4())}, headers=ann.headers)
    assert missing.status_code == 404
    malformed = await client.patch("/api/users/me", json={"cv_upload_id": "not-an-id"}, headers=ann.headers)
    assert malformed.status_code == 422
    ok = await client.patch("/api/users/me", json={"cv_upload_id": bobs.json()["id"]}, headers=bob.headers)
    assert ok.status_code == 200
    assert ok.json()["profile"]["cv_upload_id"] == bobs.json()["id"]


async def test_skills_keep_the_order_typed(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await member(runtime, "ann")
    await log_in(client, ann)
    assert (await _save(client, {}, skills="Sales, bookkeeping, Excel, accounting")).status_code == 303
    assert (await client.get("/api/users/me")).json()["profile"]["skills"] == [
        "sales",
        "bookkeeping",
        "excel",
        "accounting",
    ]
    assert 'value="sales, bookkeeping, excel, accounting"' in (await client.get("/profile/edit")).text
    profile = await client.get("/u/ann")
    assert profile.text.index(">sales<") < profile.text.index(">bookkeeping<") < profile.text.index(">accounting<")
