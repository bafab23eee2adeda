"""Where uploaded files live: a local directory (embedded default) or an S3-compatible bucket.

Both back ends are private. Files reach browsers through the app (`/media/...`), which checks
who may read them and then streams the bytes (local) or redirects to a short-lived presigned
URL (S3). Keys are made by the uploads service and never come from users. The S3 back end
lives in `core.s3storage`.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import anyio

from hiremebahamas.config import Settings
from hiremebahamas.core.errors import NotFound, StorageUnavailable

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024
MISSING_MESSAGE = "That file is no longer available."
# Lower-case letters, digits, dots, dashes and underscores in slash-separated segments.
_VALID_KEY = re.compile(r"^[a-z0-9_-][a-z0-9._-]*(/[a-z0-9_-][a-z0-9._-]*)*$")


@dataclass(frozen=True)
class ObjectMeta:
    """Headers stored with the object, sent by S3 when a presigned URL is fetched."""

    content_type: str
    cache_control: str | None = None
    content_disposition: str | None = None


@dataclass(frozen=True)
class StoredObject:
    """An object opened for reading: iterate `chunks` to the end (or close it) exactly once."""

    size: int | None
    chunks: AsyncIterator[bytes]


class Storage(Protocol):
    async def put(self, key: str, data: bytes, meta: ObjectMeta) -> None:
        """Store `data` under `key`, replacing what was there."""

    async def put_file(self, key: str, path: Path, meta: ObjectMeta) -> None:
        """Store the file at `path` under `key`, read in chunks: for files built on disk (data
        exports) that need not fit in memory."""

    async def get(self, key: str) -> bytes:
        """The whole object; NotFound when there is none."""

    async def open(self, key: str) -> StoredObject:
        """The object as a stream of chunks; NotFound when there is none."""

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""

    async def presigned_url(
        self, key: str, ttl_seconds: int, *, cache_control: str | None = None, content_disposition: str | None = None
    ) -> str | None:
        """A URL that serves the object for `ttl_seconds` without credentials, or None when this
        back end cannot make one (the app then streams the bytes itself). `cache_control`
        replaces the one stored with the object, for files whose readers change after upload;
        `content_disposition` likewise (a CV opened in the browser rather than downloaded)."""

    async def close(self) -> None:
        """Release connections."""


def check_key(key: str) -> str:
    if len(key) > 255 or not _VALID_KEY.match(key) or ".." in key:
        raise ValueError(f"invalid storage key {key!r}")
    return key


class LocalStorage:
    """Files in a directory (VAR_DIR/uploads): one machine, or a shared volume."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, data: bytes, meta: ObjectMeta) -> None:
        try:
            await anyio.to_thread.run_sync(self._write, self.path_of(key), data)
        except OSError as exc:
            logger.error("local storage write failed", exc_info=exc)
            raise StorageUnavailable() from exc

    async def put_file(self, key: str, path: Path, meta: ObjectMeta) -> None:
        try:
            await anyio.to_thread.run_sync(self._copy, path, self.path_of(key))
        except OSError as exc:
            logger.error("local storage write failed", exc_info=exc)
            raise StorageUnavailable() from exc

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        LocalStorage._write_aside(path, lambda file: file.write(data))

    @staticmethod
    def _copy(source: Path, path: Path) -> None:
        def copy(file: BinaryIO) -> None:
            with source.open("rb") as original:
                shutil.copyfileobj(original, file, CHUNK_SIZE)

        LocalStorage._write_aside(path, copy)

    @staticmethod
    def _write_aside(path: Path, write: Callable[[BinaryIO], object]) -> None:
        # Write aside and rename, so a reader never sees half a file.
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                write(file)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes:
        path = self.path_of(key)
        try:
            return await anyio.Path(path).read_bytes()
        except FileNotFoundError as exc:
            raise NotFound(MISSING_MESSAGE) from exc
        except OSError as exc:
            raise StorageUnavailable() from exc

    async def open(self, key: str) -> StoredObject:
        path = self.path_of(key)
        try:
            size = (await anyio.Path(path).stat()).st_size
            file = await anyio.open_file(path, "rb")
        except FileNotFoundError as exc:
            raise NotFound(MISSING_MESSAGE) from exc
        except OSError as exc:
            raise StorageUnavailable() from exc
        return StoredObject(size=size, chunks=self._read_chunks(file))

    @staticmethod
    async def _read_chunks(file: anyio.AsyncFile[bytes]) -> AsyncIterator[bytes]:
        async with file:
            while chunk := await file.read(CHUNK_SIZE):
                yield chunk

    async def delete(self, key: str) -> None:
        try:
            await anyio.Path(self.path_of(key)).unlink(missing_ok=True)
        except OSError as exc:
            raise StorageUnavailable() from exc

    async def presigned_url(
        self, key: str, ttl_seconds: int, *, cache_control: str | None = None, content_disposition: str | None = None
    ) -> str | None:
        return None

    async def close(self) -> None:
        return None


@dataclass(frozen=True)
class S3Location:
    bucket: str
    access_key_id: str
    secret_access_key: str
    endpoint_url: str | None = None
    region: str = "auto"


def s3_location(settings: Settings) -> S3Location | None:
    """The bucket when the R2_* settings name one, None for local storage."""
    bucket, key_id, secret = settings.r2_bucket, settings.r2_access_key_id, settings.r2_secret_access_key
    if bucket and key_id and secret:
        return S3Location(
            bucket, key_id, secret, endpoint_url=settings.r2_endpoint_url or None, region=settings.r2_region
        )
    if bucket or key_id or secret:
        # Half a configuration would quietly keep files on one instance's disk: refuse to start.
        named = {"R2_BUCKET": bucket, "R2_ACCESS_KEY_ID": key_id, "R2_SECRET_ACCESS_KEY": secret}
        missing = ", ".join(name for name, value in named.items() if not value)
        raise ValueError(f"S3 storage is partly configured: also set {missing} (or unset the R2_* variables)")
    return None


def create_storage(settings: Settings) -> Storage:
    location = s3_location(settings)
    if location is not None:
        # Imported only when used: the AWS SDK takes seconds to import on a small machine.
        from hiremebahamas.core.s3storage import S3Storage

        return S3Storage(location)
    return LocalStorage(settings.var_dir / "uploads")
