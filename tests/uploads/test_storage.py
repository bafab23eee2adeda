"""Both storage back ends against the real thing: a directory, and an S3 server that checks signatures."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from hiremebahamas.core.errors import NotFound, StorageUnavailable
from hiremebahamas.core.s3storage import S3Storage
from hiremebahamas.core.storage import LocalStorage, ObjectMeta, S3Location, create_storage
from tests.conftest import make_settings
from tests.servers import free_port
from tests.uploads.s3_server import S3Server

META = ObjectMeta("text/plain", cache_control="private, no-store")


def s3_location(server: S3Server, **overrides: str) -> S3Location:
    values = {
        "bucket": server.bucket,
        "access_key_id": server.access_key,
        "secret_access_key": server.secret_key,
        "endpoint_url": server.endpoint_url,
        **overrides,
    }
    return S3Location(**values)


@pytest.fixture
async def s3(s3_server: S3Server) -> AsyncIterator[S3Storage]:
    storage = S3Storage(s3_location(s3_server))
    yield storage
    await storage.close()


def new_key(name: str = "file.txt") -> str:
    return f"tests/{uuid.uuid4()}/{name}"


# --- local -------------------------------------------------------------------------------------


async def test_local_storage_round_trip(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "uploads")
    key = new_key()
    await storage.put(key, b"hello", META)
    await storage.put(key, b"hello again", META)  # replaces
    assert await storage.get(key) == b"hello again"
    opened = await storage.open(key)
    assert opened.size == 11
    assert b"".join([chunk async for chunk in opened.chunks]) == b"hello again"
    assert await storage.presigned_url(key, 60) is None  # served through the app instead
    assert [p.name for p in (tmp_path / "uploads" / key).parent.iterdir()] == ["file.txt"]  # no temporary files
    await storage.delete(key)
    await storage.delete(key)  # deleting twice is fine
    with pytest.raises(NotFound):
        await storage.get(key)
    with pytest.raises(NotFound):
        await storage.open(key)


async def test_local_storage_streams_large_files_in_chunks(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    data = bytes(range(256)) * 1024  # 256 KiB
    await storage.put("big.bin", data, META)
    chunks = [chunk async for chunk in (await storage.open("big.bin")).chunks]
    assert len(chunks) == 4
    assert b"".join(chunks) == data


@pytest.mark.parametrize("key", ["../escape.txt", "/etc/passwd", "a/../../b", "A/Upper", "a//b", "", "a/.hidden"])
async def test_keys_cannot_leave_the_storage_directory(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="invalid storage key"):
        await LocalStorage(tmp_path).put(key, b"x", META)


async def test_local_storage_that_cannot_write_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageUnavailable):
        await LocalStorage(blocker).put("a/b.txt", b"x", META)


def test_settings_choose_the_back_end(tmp_path: Path) -> None:
    assert isinstance(create_storage(make_settings(var_dir=tmp_path)), LocalStorage)
    storage = create_storage(
        make_settings(r2_bucket="b", r2_access_key_id="k", r2_secret_access_key="s", r2_endpoint_url="https://r2.test")
    )
    assert isinstance(storage, S3Storage)
    assert storage.location == S3Location("b", "k", "s", endpoint_url="https://r2.test", region="auto")
    with pytest.raises(ValueError, match="also set R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY"):
        create_storage(make_settings(r2_bucket="b"))


# --- S3 ----------------------------------------------------------------------------------------


async def test_s3_round_trip(s3: S3Storage) -> None:
    key = new_key()
    await s3.put(key, b"hello from the bahamas", META)
    assert await s3.get(key) == b"hello from the bahamas"
    opened = await s3.open(key)
    assert opened.size == 22
    assert b"".join([chunk async for chunk in opened.chunks]) == b"hello from the bahamas"
    await s3.delete(key)
    await s3.delete(key)
    with pytest.raises(NotFound):
        await s3.get(key)


async def test_presigned_url_serves_the_object_with_its_headers(s3: S3Storage) -> None:
    key = new_key("cv.pdf")
    meta = ObjectMeta("application/pdf", "private, no-store", 'attachment; filename="cv.pdf"')
    await s3.put(key, b"%PDF-1.4 cv", meta)
    url = await s3.presigned_url(key, 60)
    assert url is not None
    assert "X-Amz-Signature=" in url
    assert "X-Amz-Expires=60" in url
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
        assert response.status_code == 200, response.text
        assert response.content == b"%PDF-1.4 cv"
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"] == 'attachment; filename="cv.pdf"'
        assert response.headers["cache-control"] == "private, no-store"
        # Without a signature the bucket is private.
        bare = await http.get(url.split("?", 1)[0])
        assert bare.status_code == 403


async def test_a_presigned_url_can_answer_with_other_cache_headers(s3: S3Storage) -> None:
    key = new_key("avatar.png")
    await s3.put(key, b"\x89PNG picture", ObjectMeta("image/png", "public, max-age=31536000, immutable"))
    url = await s3.presigned_url(key, 60, cache_control="private, no-cache")
    assert url is not None
    async with httpx.AsyncClient() as http:
        response = await http.get(url)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "private, no-cache"
        assert (await http.get(_with_query(url, **{"response-cache-control": "public"}))).status_code == 403


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, **changes})))


async def test_a_tampered_presigned_url_is_refused(s3: S3Storage) -> None:
    key = new_key()
    await s3.put(key, b"secret", META)
    url = await s3.presigned_url(key, 60)
    assert url is not None
    signature = parse_qs(urlsplit(url).query)["X-Amz-Signature"][0]
    forged = ("0" if signature[0] != "0" else "1") + signature[1:]
    other_key = new_key()
    await s3.put(other_key, b"other secret", META)
    async with httpx.AsyncClient() as http:
        assert (await http.get(url)).status_code == 200  # the genuine URL works
        for tampered in (
            _with_query(url, **{"X-Amz-Signature": forged}),
            _with_query(url, **{"X-Amz-Expires": "604800"}),  # stretching its life
            url.replace(key, other_key),  # reusing it for another object
        ):
            response = await http.get(tampered)
            assert response.status_code == 403, tampered
            assert b"secret" not in response.content


async def test_wrong_credentials_make_storage_unavailable(s3_server: S3Server) -> None:
    storage = S3Storage(s3_location(s3_server, secret_access_key="not-the-secret"), max_attempts=1)
    try:
        with pytest.raises(StorageUnavailable):
            await storage.put(new_key(), b"x", META)
    finally:
        await storage.close()


async def test_an_unreachable_endpoint_is_unavailable_not_a_crash(s3_server: S3Server) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    storage = S3Storage(s3_location(s3_server, endpoint_url=dead), max_attempts=1, connect_timeout=1)
    try:
        with pytest.raises(StorageUnavailable):
            await storage.put(new_key(), b"x", META)
        with pytest.raises(StorageUnavailable):
            await storage.get(new_key())
        with pytest.raises(StorageUnavailable):
            await storage.delete(new_key())
    finally:
        await storage.close()
