"""The account page's "Download my data": the worker's ZIP (the JSON and the person's files, on
local storage and on S3), the emailed link that works for its owner only, signed in, until it
expires; the request's rate limit; expired exports deleted; the erasure removes them too."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from urllib.parse import urlparse

import httpx
import pytest
from sqlalchemy import func, select, update

from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.s3storage import S3Storage
from hiremebahamas.models import DataExport, DataExportStatus, Upload
from hiremebahamas.models.base import utcnow
from hiremebahamas.privacy.archive import download_token
from hiremebahamas.privacy.tasks import delete_expired_exports
from tests.factories import Member
from tests.helpers import emails_to, sign_in, submit, text_of
from tests.privacy.conftest import ask_deletion, erase_due, make_due, member
from tests.uploads.files import pdf, picture
from tests.uploads.s3_server import S3Server


async def _upload(client: httpx.AsyncClient, who: Member, data: bytes, purpose: str, name: str) -> None:
    files = {"file": (name, data, "application/octet-stream")}
    response = await client.post("/api/uploads", data={"purpose": purpose}, files=files, headers=who.headers)
    assert response.status_code == 201, response.text


async def _ask(client: httpx.AsyncClient, runtime: Runtime, who: Member) -> str:
    """Ask from the account page; the path of the emailed link."""
    sign_in(client, who)
    asked = await submit(client, "/account/export", {}, page="/account")
    assert asked.status_code == 303, asked.text
    (email,) = await emails_to(runtime, who.email)
    assert email["Subject"] == "Your HireMeBahamas data is ready to download"
    (link,) = [word for word in text_of(email).split() if "/account/export/" in word]
    return urlparse(link).path


async def _stored(runtime: Runtime, who: Member) -> dict[str, bytes]:
    async with runtime.database.sessionmaker() as session:
        uploads = (await session.execute(select(Upload).where(Upload.owner_id == who.id))).scalars()
        return {f"files/{u.id}/{u.original_name}": await runtime.storage.get(u.storage_key) for u in uploads}


def _check_zip(data: bytes, who: Member, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (document_name,) = [name for name in archive.namelist() if name.endswith(".json")]
        assert document_name == f"hiremebahamas-{who.username}-{utcnow():%Y-%m-%d}.json"
        document = json.loads(archive.read(document_name))
        assert document["account"]["username"] == who.username
        assert sorted(u["archive_file"] for u in document["uploads"]) == sorted(files)
        for name, content in files.items():
            assert archive.read(name) == content


async def test_the_emailed_zip_has_the_json_and_the_files(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    await _upload(client, ann, picture(), "avatar", "me.jpg")
    await _upload(client, ann, pdf(), "cv", "cv.pdf")
    await _upload(client, bob, pdf(), "cv", "bob.pdf")
    sign_in(client, ann)
    assert "Download my data" in (await client.get("/account")).text
    path = await _ask(client, runtime, ann)

    download = await client.get(path)
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "application/zip"
    assert download.headers["cache-control"] == "private, no-store"
    name = f"hiremebahamas-ann-{utcnow():%Y-%m-%d}.zip"
    assert download.headers["content-disposition"].startswith(f'attachment; filename="{name}"')
    files = await _stored(runtime, ann)
    assert len(files) == 2  # not Bob's CV
    _check_zip(download.content, ann, files)
    assert (await client.get(path)).status_code == 200  # until it expires, as often as needed


def _changed(text: str) -> str:
    """`text` with its last hex digit changed."""
    return text[:-1] + ("1" if text.endswith("0") else "0")


async def test_the_link_is_refused_to_others_and_when_changed_or_expired(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    path = await _ask(client, runtime, ann)
    sign_in(client, None)
    anonymous = await client.get(path)
    assert anonymous.status_code in (302, 303)
    assert anonymous.headers["location"].startswith("/login")
    sign_in(client, bob)
    other = await client.get(path)
    assert other.status_code == 404
    assert "not valid or has expired" in other.text
    sign_in(client, ann)
    export_id, expires, signature = path.rsplit("/", 1)[1].split(".")
    for changed in (
        f"{export_id}.{int(expires) + 3600}.{signature}",  # a longer life
        f"{export_id}.{expires}.{_changed(signature)}",
        f"{_changed(export_id)}.{expires}.{signature}",
        "forged",
        f"{export_id}.{expires}",
    ):
        assert (await client.get(f"/account/export/{changed}")).status_code == 404, changed
    assert (await client.get("/account/export/%0D%0A")).status_code in (400, 404)

    # Expired: the row's time (the file awaits deletion) and a link made for that time.
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(update(DataExport).values(expires_at=utcnow() - timedelta(minutes=1)))
        export = (await session.execute(select(DataExport))).scalar_one()
        expired_token = download_token(runtime.settings, export)
    assert (await client.get(path)).status_code == 404
    assert (await client.get(f"/account/export/{expired_token}")).status_code == 404


async def test_asking_again_within_the_hour_is_refused_with_a_message(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    sign_in(client, ann)
    without_csrf = await client.post("/account/export", data={})
    assert without_csrf.status_code == 403
    assert (await submit(client, "/account/export", {}, page="/account")).status_code == 303
    again = await submit(client, "/account/export", {}, page="/account")
    assert again.status_code == 429
    assert "You can ask again in" in again.text
    assert "minutes" in again.text
    sign_in(client, bob)
    assert (await submit(client, "/account/export", {}, page="/account")).status_code == 303  # per person
    sign_in(client, None)
    assert (await client.post("/account/export", data={})).status_code in (401, 403)
    async with runtime.database.sessionmaker() as session:
        owners = (await session.execute(select(DataExport.user_id))).scalars().all()
    assert sorted(owners) == sorted([ann.id, bob.id])


async def test_expired_exports_and_erased_accounts_leave_no_file(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "ann"), await member(runtime, "bob")
    await _ask(client, runtime, ann)
    await _ask(client, runtime, bob)
    async with runtime.database.sessionmaker() as session:
        exports = {row.user_id: row for row in (await session.execute(select(DataExport))).scalars()}
    assert all(row.status is DataExportStatus.READY and row.size for row in exports.values())
    for row in exports.values():
        assert row.storage_key
        assert await runtime.storage.get(row.storage_key)

    async with runtime.database.sessionmaker.begin() as session:
        past = utcnow() - timedelta(seconds=1)
        await session.execute(update(DataExport).where(DataExport.user_id == ann.id).values(expires_at=past))
    await delete_expired_exports(runtime.tasks.context)
    with pytest.raises(NotFound):
        await runtime.storage.get(exports[ann.id].storage_key or "")
    assert await runtime.storage.get(exports[bob.id].storage_key or "")  # not yet expired

    assert (await ask_deletion(client, bob)).status_code == 202
    await make_due(runtime, bob.id)
    assert await erase_due(runtime) == 1
    with pytest.raises(NotFound):
        await runtime.storage.get(exports[bob.id].storage_key or "")
    async with runtime.database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(DataExport)) == 0


async def test_on_s3_the_link_redirects_to_the_stored_zip(
    s3_app: tuple[httpx.AsyncClient, Runtime], s3_server: S3Server
) -> None:
    client, runtime = s3_app
    assert isinstance(runtime.storage, S3Storage)
    ann = await member(runtime, "ann")
    await _upload(client, ann, pdf(), "cv", "cv.pdf")
    path = await _ask(client, runtime, ann)
    redirect = await client.get(path)
    assert redirect.status_code == 307
    assert redirect.headers["cache-control"] == "private, no-store"
    location = redirect.headers["location"]
    assert location.startswith(f"{s3_server.endpoint_url}/{s3_server.bucket}/exports/")
    async with httpx.AsyncClient() as http:
        fetched = await http.get(location)
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "application/zip"
    assert fetched.headers["content-disposition"].startswith('attachment; filename="hiremebahamas-ann-')
    _check_zip(fetched.content, ann, await _stored(runtime, ann))
    assert not (runtime.settings.var_dir / "uploads").exists()  # nothing went to the local disk
