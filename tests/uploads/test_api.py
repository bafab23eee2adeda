"""POST /api/uploads and GET /media/... on both database engines, local storage and real S3."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from hiremebahamas.app import create_app
from hiremebahamas.config import Settings
from hiremebahamas.core.ratelimit import RateLimiter
from hiremebahamas.core.runtime import Runtime, create_runtime
from hiremebahamas.core.s3storage import S3Storage
from hiremebahamas.models import StaffRole, Upload, User
from tests.conftest import empty_tables, make_settings
from tests.helpers import Account, login, page_csrf, signed_up
from tests.servers import free_port
from tests.uploads.files import (
    decoded,
    docx,
    has_gps,
    pdf,
    photo_with_gps,
    picture,
    png_claiming,
    transparent_png,
    upload,
)
from tests.uploads.s3_server import S3Server

FIVE_MB = 5 * 1024 * 1024


async def account(client: httpx.AsyncClient, runtime: Runtime, name: str = "ann") -> Account:
    return await signed_up(client, runtime, f"{name}@example.com", verified=False)


async def upload_rows(runtime: Runtime) -> int:
    async with runtime.database.sessionmaker() as session:
        return (await session.execute(select(func.count()).select_from(Upload))).scalar_one()


async def make_admin(runtime: Runtime, email: str) -> None:
    async with runtime.database.sessionmaker() as session:
        await session.execute(update(User).where(User.email == email).values(staff_role=StaffRole.ADMIN))
        await session.commit()


SHARED = "public, max-age=60, s-maxage=300, stale-while-revalidate=60"
IMMUTABLE = "public, max-age=31536000, immutable"


def assert_refused(response: httpx.Response, status: int, code: str, message: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert message in error["message"]


# --- pictures ----------------------------------------------------------------------------------


PICTURES = [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]


async def test_pictures_are_accepted_and_served_with_a_thumbnail(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await account(client, runtime)
    for pillow_format, content_type in PICTURES:
        # Named .txt and sent as text/plain: only the bytes count.
        response = await upload(client, ann, picture(pillow_format, (600, 400)), "avatar", "me.txt", "text/plain")
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["purpose"] == "avatar"
        assert body["content_type"] == content_type
        assert (body["width"], body["height"]) == (600, 400)
        assert body["url"] == f"http://testserver/media/{body['id']}/original"
        assert body["thumbnail_url"] == f"http://testserver/media/{body['id']}/thumb"

        original = await client.get(body["url"])  # anyone may see an avatar
        assert original.status_code == 200
        assert original.headers["content-type"] == content_type
        assert original.headers["x-content-type-options"] == "nosniff"
        # Its owner's profile is public: shared, but briefly (the owner may make it members-only).
        assert original.headers["cache-control"] == SHARED
        assert "sandbox" in original.headers["content-security-policy"]
        assert int(original.headers["content-length"]) == len(original.content) == body["size"]
        assert decoded(original.content).format == pillow_format

        thumbnail = await client.get(body["thumbnail_url"])
        assert thumbnail.headers["content-type"] == "image/webp"
        assert decoded(thumbnail.content).size == (256, 171)
        assert len(thumbnail.content) < len(original.content)

        again = await client.get(body["url"], headers={"If-None-Match": original.headers["etag"]})
        assert again.status_code == 304
    assert await upload_rows(runtime) == len(PICTURES)


async def test_gps_and_exif_are_gone_from_the_stored_photo(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await account(client, runtime)
    photo = photo_with_gps(size=(40, 20), orientation=6)
    assert has_gps(photo)
    response = await upload(client, ann, photo, "post_image", "IMG_0001.jpg", "image/jpeg")
    assert response.status_code == 201, response.text
    assert (response.json()["width"], response.json()["height"]) == (20, 40)  # stood upright
    stored = (await client.get(response.json()["url"])).content
    assert not has_gps(stored)
    assert not decoded(stored).getexif()
    assert b"Exif" not in stored


REFUSED = [
    (pdf(), "avatar", "photo.jpg", "Only JPEG, PNG or WebP images"),
    (b"just some notes, honestly a picture", "post_image", "notes.png", "Only JPEG, PNG or WebP images"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "company_logo", "logo.gif", "Only JPEG, PNG or WebP images"),
    (png_claiming(8000, 8000), "avatar", "bomb.png", "This image is larger than 25 megapixels"),
    (png_claiming(50_000, 50_000), "post_image", "bomb.png", "This image is larger than 25 megapixels"),
    (transparent_png(6300, 6300), "post_image", "clear.png", "This image is larger than 25 megapixels"),
    (picture("JPEG", (300, 200))[:500], "avatar", "cut.jpg", "could not be read"),
    (picture("JPEG", (16, 16)), "cv", "cv.pdf", "CVs must be PDF or Word"),
    (b"Curriculum vitae: Ann Rolle", "cv", "cv.docx", "CVs must be PDF or Word"),
    (docx(with_document=False), "cv", "cv.docx", "CVs must be PDF or Word"),
    (docx(with_macros=True), "cv", "cv.docx", "macros are not accepted"),
    (b"", "avatar", "empty.jpg", "The file is empty"),
]


async def test_files_are_judged_by_their_content(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await account(client, runtime)
    for data, purpose, filename, message in REFUSED:
        response = await upload(client, ann, data, purpose, filename)
        assert_refused(response, 422, "validation_error", message)
        assert message in response.json()["error"]["fields"]["file"], filename
    assert await upload_rows(runtime) == 0


async def test_a_file_over_5_mb_is_refused_and_one_of_5_mb_accepted(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await account(client, runtime)
    exactly = b"%PDF-1.4\n" + b"0" * (FIVE_MB - 9)
    response = await upload(client, ann, exactly + b"0", "cv", "big.pdf")
    assert_refused(response, 413, "payload_too_large", "Files can be at most 5 MB.")
    assert await upload_rows(runtime) == 0
    response = await upload(client, ann, exactly, "cv", "big.pdf")
    assert response.status_code == 201, response.text
    assert response.json()["size"] == FIVE_MB


async def test_an_oversized_chunked_body_is_refused_while_streaming(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann = await account(client, runtime)
    boundary = "b0undary"
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\ncv\r\n'.encode()
        yield f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-'.encode()
        for _ in range(100):  # 100 MB if anyone read it all
            sent += 1
            yield b"0" * (1024 * 1024)

    headers = {**ann.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    response = await client.post("/api/uploads", content=body(), headers=headers)
    assert_refused(response, 413, "payload_too_large", "at most 5 MB")
    assert sent <= 7


# --- CVs and who may read them ------------------------------------------------------------------


CVS = [
    (pdf(), "Ann Rolle CV.pdf", "application/pdf"),
    (docx(), "Ann Rolle CV.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
]


async def test_a_cv_is_private_to_its_owner_and_admins(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, root = [await account(client, runtime, name) for name in ("ann", "bob", "root")]
    await make_admin(runtime, "root@example.com")
    for data, filename, content_type in CVS:
        response = await upload(client, ann, data, "cv", filename)
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["content_type"], body["size"], body["thumbnail_url"], body["width"]) == (
            content_type,
            len(data),
            None,
            None,
        )

        own = await client.get(body["url"], headers=ann.headers)
        assert own.status_code == 200
        assert own.content == data
        assert own.headers["content-type"] == content_type
        assert own.headers["content-disposition"].startswith(f'attachment; filename="{filename}"')
        assert own.headers["cache-control"] == "private, no-store"
        assert (await client.get(body["url"], headers=root.headers)).status_code == 200

        # Asked to open it in the browser: a PDF is shown (with its own lock-down), others still download.
        opened = await client.get(body["url"], params={"inline": "1"}, headers=ann.headers)
        assert opened.status_code == 200
        kind = "inline" if content_type == "application/pdf" else "attachment"
        assert opened.headers["content-disposition"].startswith(f'{kind}; filename="{filename}"')
        if kind == "inline":
            assert opened.headers["content-security-policy"] == "default-src 'none'; object-src 'self'"
        assert opened.headers["x-content-type-options"] == "nosniff"

        refused = await client.get(body["url"], headers=bob.headers)
        assert refused.status_code == 404
        assert data not in refused.content
        assert (await client.get(body["url"], params={"inline": "1"}, headers=bob.headers)).status_code == 404
        anonymous = await client.get(body["url"])
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == f"/login?next=/media/{body['id']}/original"
        assert (await client.get(f"/media/{body['id']}/thumb", headers=ann.headers)).status_code == 404


@pytest.mark.parametrize(
    "path", ["/media/not-a-uuid/original", "/media/0190d3a0-0000-7000-8000-000000000000/original", "/media/x/y"]
)
async def test_unknown_media_is_not_found(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 404


# --- who sees a profile picture ------------------------------------------------------------------


async def profile_picture(client: httpx.AsyncClient, owner: Account, visibility: str) -> dict[str, Any]:
    body: dict[str, Any] = (await upload(client, owner, picture("PNG", (64, 64)), "avatar")).json()
    change = {"avatar_upload_id": body["id"], "visibility": visibility}
    response = await client.patch("/api/users/me", json=change, headers=owner.headers)
    assert response.status_code == 200, response.text
    return body


async def set_visibility(client: httpx.AsyncClient, owner: Account, visibility: str) -> None:
    response = await client.patch("/api/users/me", json={"visibility": visibility}, headers=owner.headers)
    assert response.status_code == 200, response.text


async def block(client: httpx.AsyncClient, blocker: Account, blocked: Account) -> None:
    assert blocked.user is not None
    response = await client.post(f"/api/users/{blocked.user['username']}/block", headers=blocker.headers)
    assert response.status_code == 200, response.text


def assert_hidden(response: httpx.Response) -> None:
    """Answered as if there were no such file: no login prompt, no bytes, nothing kept."""
    assert response.status_code == 404, response.text
    assert response.headers["cache-control"] == "private, no-store"
    assert "image" not in response.headers["content-type"]


async def test_a_members_only_profile_picture_is_for_members_it_does_not_block(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob, cay, dee = [await account(client, runtime, name) for name in ("ann", "bob", "cay", "dee")]
    await make_admin(runtime, "dee@example.com")
    avatar = await profile_picture(client, ann, "members")
    await block(client, ann, cay)
    await block(client, dee, ann)
    for url in (avatar["url"], avatar["thumbnail_url"]):
        assert_hidden(await client.get(url))
        assert_hidden(await client.get(url, headers=cay.headers))  # ann blocked cay
        for viewer in (bob, ann, dee):  # a member, the owner, an admin blocked by ann
            seen = await client.get(url, headers=viewer.headers)
            assert seen.status_code == 200, seen.text
            assert seen.headers["content-type"].startswith("image/")
            # Kept only by the viewer's browser, which asks again (and is checked again) before each use.
            assert seen.headers["cache-control"] == "private, no-cache"
            assert "content-disposition" not in seen.headers
        again = await client.get(url, headers={**bob.headers, "If-None-Match": seen.headers["etag"]})
        assert again.status_code == 304
        assert again.headers["cache-control"] == "private, no-cache"
        assert_hidden(await client.get(url, headers={**cay.headers, "If-None-Match": seen.headers["etag"]}))

    # An earlier picture, no longer on the profile, is just as hidden.
    await profile_picture(client, ann, "members")
    assert_hidden(await client.get(avatar["url"]))
    assert (await client.get(avatar["url"], headers=bob.headers)).status_code == 200


async def test_a_profile_picture_follows_its_profile_from_public_to_members_only(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, cay = await account(client, runtime, "ann"), await account(client, runtime, "cay")
    avatar = await profile_picture(client, ann, "public")
    shown = await client.get(avatar["thumbnail_url"])
    assert shown.status_code == 200
    assert shown.headers["cache-control"] == SHARED
    await block(client, cay, ann)
    assert_hidden(await client.get(avatar["thumbnail_url"], headers=cay.headers))

    await set_visibility(client, ann, "members")
    assert_hidden(await client.get(avatar["thumbnail_url"]))  # at once: nothing of it was cached for long
    assert_hidden(await client.get(avatar["thumbnail_url"], headers={"If-None-Match": shown.headers["etag"]}))
    await set_visibility(client, ann, "public")
    assert (await client.get(avatar["thumbnail_url"])).headers["cache-control"] == SHARED


async def test_post_images_and_company_logos_stay_public_for_good(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await account(client, runtime)
    await set_visibility(client, ann, "members")
    for purpose in ("post_image", "company_logo"):
        body = (await upload(client, ann, picture("JPEG", (32, 32)), purpose)).json()
        for url in (body["url"], body["thumbnail_url"]):
            served = await client.get(url)
            assert served.status_code == 200
            assert served.headers["cache-control"] == IMMUTABLE


# --- malformed and unauthorised requests --------------------------------------------------------


async def test_uploading_needs_a_login(client: httpx.AsyncClient, runtime: Runtime) -> None:
    response = await upload(client, None, picture("JPEG", (8, 8)))
    assert_refused(response, 401, "unauthenticated", "log in")
    bad_token = await client.post(
        "/api/uploads", headers={"Authorization": "Bearer nope"}, data={"purpose": "avatar"}, files={"file": b"x"}
    )
    assert bad_token.status_code == 401
    assert await upload_rows(runtime) == 0


MALFORMED: list[tuple[dict[str, Any], str]] = [
    ({"data": {"purpose": "wallpaper"}, "files": {"file": ("a.jpg", picture("JPEG", (8, 8)))}}, "purpose"),
    ({"files": {"file": ("a.jpg", picture("JPEG", (8, 8)))}}, "purpose"),
    ({"data": {"purpose": "avatar"}, "files": {"other": ("a.jpg", b"x")}}, "file"),
    ({"json": {"purpose": "avatar", "file": "aGVsbG8="}}, "file"),
]


async def test_malformed_uploads_say_which_field(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await account(client, runtime)
    for request_options, field in MALFORMED:
        response = await client.post("/api/uploads", headers=ann.headers, **request_options)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "validation_error"
        assert field in response.json()["error"]["fields"], request_options
    assert await upload_rows(runtime) == 0


async def test_a_browser_form_with_the_session_cookie_needs_its_csrf_token(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    await account(client, runtime)
    assert (await login(client, "ann@example.com")).status_code == 200  # keeps the session cookie
    files = {"file": ("me.jpg", picture("JPEG", (32, 32)), "image/jpeg")}
    refused = await client.post("/api/uploads", data={"purpose": "avatar"}, files=files)
    assert_refused(refused, 403, "csrf_failed", "")
    token = await page_csrf(client, "/")
    as_field = await client.post("/api/uploads", data={"purpose": "avatar", "csrf_token": token}, files=files)
    assert as_field.status_code == 201, as_field.text
    as_header = await client.post(
        "/api/uploads", data={"purpose": "avatar"}, files=files, headers={"X-CSRF-Token": token}
    )
    assert as_header.status_code == 201, as_header.text


# --- rate limits --------------------------------------------------------------------------------


def limit_uploads_to_10_a_minute(runtime: Runtime) -> None:
    runtime.limiter = RateLimiter(make_settings(rate_limit_upload="10/minute"))


async def test_the_11th_upload_in_a_minute_is_refused(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann = await account(client, runtime)
    limit_uploads_to_10_a_minute(runtime)
    tiny = picture("PNG", (8, 8))
    for _ in range(10):
        assert (await upload(client, ann, tiny)).status_code == 201
    response = await upload(client, ann, tiny)
    assert_refused(response, 429, "rate_limited", "Too many requests")
    assert 0 < int(response.headers["Retry-After"]) <= 61
    assert await upload_rows(runtime) == 10


async def test_uploads_are_limited_per_ip_across_accounts(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob, cara = [await account(client, runtime, name) for name in ("ann", "bob", "cara")]
    limit_uploads_to_10_a_minute(runtime)
    tiny = picture("PNG", (8, 8))
    office = {"X-Forwarded-For": "203.0.113.7"}
    for person, count in ((ann, 6), (bob, 4)):
        for _ in range(count):
            response = await client.post(
                "/api/uploads",
                headers={**person.headers, **office},
                data={"purpose": "avatar"},
                files={"file": ("a.png", tiny)},
            )
            assert response.status_code == 201
    response = await client.post(
        "/api/uploads", headers={**bob.headers, **office}, data={"purpose": "avatar"}, files={"file": ("a.png", tiny)}
    )
    assert_refused(response, 429, "rate_limited", "")
    elsewhere = {**cara.headers, "X-Forwarded-For": "198.51.100.20"}
    response = await client.post(
        "/api/uploads", headers=elsewhere, data={"purpose": "avatar"}, files={"file": ("a.png", tiny)}
    )
    assert response.status_code == 201


# --- S3 -----------------------------------------------------------------------------------------


def s3_settings(database_url: str, tmp_path: Path, server: S3Server, endpoint_url: str | None = None) -> Settings:
    return make_settings(
        database_url=database_url,
        var_dir=tmp_path / "var",
        r2_bucket=server.bucket,
        r2_access_key_id=server.access_key,
        r2_secret_access_key=server.secret_key,
        r2_endpoint_url=endpoint_url or server.endpoint_url,
        storage_presign_ttl_seconds=120,
    )


async def app_client(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    runtime = create_runtime(settings)
    try:
        transport = httpx.ASGITransport(app=create_app(settings, runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, runtime
    finally:
        await runtime.tasks.drain()
        await empty_tables(runtime.database)
        await runtime.close()


@pytest.fixture
async def s3_app(
    database_url: str, tmp_path: Path, s3_server: S3Server
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    async for pair in app_client(s3_settings(database_url, tmp_path, s3_server)):
        yield pair


async def test_uploads_go_to_s3_and_are_served_by_presigned_redirects(
    s3_app: tuple[httpx.AsyncClient, Runtime], s3_server: S3Server
) -> None:
    client, runtime = s3_app
    assert isinstance(runtime.storage, S3Storage)
    ann, bob = await account(client, runtime, "ann"), await account(client, runtime, "bob")
    response = await upload(client, ann, photo_with_gps(), "avatar", "me.jpg")
    assert response.status_code == 201, response.text
    body = response.json()

    redirect = await client.get(body["url"])
    assert redirect.status_code == 307
    assert redirect.headers["cache-control"] == "public, max-age=60"
    location = redirect.headers["location"]
    assert location.startswith(f"{s3_server.endpoint_url}/{s3_server.bucket}/")
    assert "X-Amz-Signature=" in location
    async with httpx.AsyncClient() as http:
        fetched = await http.get(location)
        assert fetched.status_code == 200
        assert fetched.headers["content-type"] == "image/jpeg"
        assert not has_gps(fetched.content)
        assert (decoded(fetched.content).width, decoded(fetched.content).height) == (20, 40)
        thumbnail = await http.get((await client.get(body["thumbnail_url"])).headers["location"])
        assert thumbnail.headers["content-type"] == "image/webp"

        cv = (await upload(client, ann, pdf(), "cv", "Ann CV.pdf")).json()
        assert (await client.get(cv["url"], headers=bob.headers)).status_code == 404
        own = await client.get(cv["url"], headers=ann.headers)
        assert own.status_code == 307
        assert own.headers["cache-control"] == "private, no-store"
        download = await http.get(own.headers["location"])
        assert download.content == pdf()
        assert download.headers["content-disposition"].startswith('attachment; filename="Ann CV.pdf"')
        opened = await client.get(cv["url"], params={"inline": "1"}, headers=ann.headers)
        assert opened.status_code == 307
        shown = await http.get(opened.headers["location"])
        assert shown.content == pdf()
        assert shown.headers["content-disposition"].startswith('inline; filename="Ann CV.pdf"')
        assert (await client.get(cv["url"], params={"inline": "1"}, headers=bob.headers)).status_code == 404
    assert not (runtime.settings.var_dir / "uploads").exists()  # nothing went to the local disk


async def test_members_only_profile_pictures_on_s3_are_signed_for_members_only(
    s3_app: tuple[httpx.AsyncClient, Runtime],
) -> None:
    client, runtime = s3_app
    ann, bob, cay = [await account(client, runtime, name) for name in ("ann", "bob", "cay")]
    avatar = await profile_picture(client, ann, "members")
    await block(client, cay, ann)
    async with httpx.AsyncClient() as http:
        for url in (avatar["url"], avatar["thumbnail_url"]):
            assert_hidden(await client.get(url))
            assert_hidden(await client.get(url, headers=cay.headers))
            redirect = await client.get(url, headers=bob.headers)
            assert redirect.status_code == 307
            assert redirect.headers["cache-control"] == "private, no-store"
            # The signed link answers with the headers of a restricted picture, whatever was stored.
            fetched = await http.get(redirect.headers["location"])
            assert fetched.status_code == 200
            assert fetched.headers["cache-control"] == "private, no-cache"
            assert "content-disposition" not in fetched.headers

        await set_visibility(client, ann, "public")
        public = await client.get(avatar["thumbnail_url"])
        assert public.status_code == 307
        assert public.headers["cache-control"] == "public, max-age=60"
        assert (await http.get(public.headers["location"])).headers["cache-control"] == SHARED
        await set_visibility(client, ann, "members")
        assert_hidden(await client.get(avatar["thumbnail_url"]))


async def test_unreachable_s3_answers_503_and_records_nothing(
    database_url: str, tmp_path: Path, s3_server: S3Server
) -> None:
    dead_endpoint = f"http://127.0.0.1:{free_port()}"
    async for client, runtime in app_client(s3_settings(database_url, tmp_path, s3_server, dead_endpoint)):
        assert isinstance(runtime.storage, S3Storage)
        # The same store without retries, so the test does not sit through botocore's back-off.
        runtime.storage = S3Storage(runtime.storage.location, max_attempts=1, connect_timeout=1)
        ann = await account(client, runtime)
        response = await upload(client, ann, picture("JPEG", (32, 32)), "avatar")
        assert_refused(response, 503, "storage_unavailable", "try again")
        assert await upload_rows(runtime) == 0
