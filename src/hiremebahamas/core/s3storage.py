"""The S3 back end of storage: Cloudflare R2, AWS S3 or any S3-compatible store, private bucket.

Kept apart from `core.storage` so that processes on local storage never import the AWS SDK.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aioboto3
from aiobotocore.config import AioConfig
from botocore.exceptions import BotoCoreError, ClientError

from hiremebahamas.core.errors import NotFound, StorageUnavailable
from hiremebahamas.core.storage import CHUNK_SIZE, MISSING_MESSAGE, ObjectMeta, S3Location, StoredObject, check_key

logger = logging.getLogger(__name__)

# SigV4 presigned URLs cannot live longer than a week.
_MAX_PRESIGN_SECONDS = 7 * 24 * 3600
_SESSION: aioboto3.Session | None = None


def _session() -> aioboto3.Session:
    """One SDK session per process: it caches the S3 service description, which takes a
    second or more to load, for every client made from it."""
    global _SESSION
    if _SESSION is None:
        _SESSION = aioboto3.Session()
    return _SESSION


class S3Storage:
    """A private bucket behind the S3 API: Cloudflare R2, AWS S3, SeaweedFS, MinIO...

    One client (and its connection pool) per process, opened on first use. Every failure to
    reach the store becomes `StorageUnavailable` (503), so callers never see botocore errors.
    """

    def __init__(self, location: S3Location, *, max_attempts: int = 3, connect_timeout: float = 5.0) -> None:
        self.location = location
        self._config = AioConfig(
            signature_version="s3v4",
            # Path-style URLs work on every S3-compatible store, whatever the bucket's name.
            s3={"addressing_style": "path"},
            retries={"max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=30,
        )
        self._stack = AsyncExitStack()
        self._client: Any = None
        self._lock = asyncio.Lock()

    async def _s3(self) -> Any:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    location = self.location
                    self._client = await self._stack.enter_async_context(
                        _session().client(
                            "s3",
                            endpoint_url=location.endpoint_url,
                            region_name=location.region,
                            aws_access_key_id=location.access_key_id,
                            aws_secret_access_key=location.secret_access_key,
                            config=self._config,
                        )
                    )
        return self._client

    def _failed(self, action: str, key: str, exc: Exception) -> StorageUnavailable:
        logger.error("object storage %s failed", action, extra={"key": key}, exc_info=exc)
        return StorageUnavailable()

    @staticmethod
    def _is_missing(exc: ClientError) -> bool:
        return exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound")

    @staticmethod
    def _headers(meta: ObjectMeta) -> dict[str, Any]:
        headers: dict[str, Any] = {"ContentType": meta.content_type}
        if meta.cache_control:
            headers["CacheControl"] = meta.cache_control
        if meta.content_disposition:
            headers["ContentDisposition"] = meta.content_disposition
        return headers

    async def put(self, key: str, data: bytes, meta: ObjectMeta) -> None:
        params = {"Bucket": self.location.bucket, "Key": check_key(key), "Body": data, **self._headers(meta)}
        try:
            await (await self._s3()).put_object(**params)
        except (BotoCoreError, ClientError, OSError, TimeoutError) as exc:
            raise self._failed("put", key, exc) from exc

    async def put_file(self, key: str, path: Path, meta: ObjectMeta) -> None:
        # The SDK's managed transfer: a multipart upload in chunks once the file is large.
        try:
            client = await self._s3()
            await client.upload_file(str(path), self.location.bucket, check_key(key), ExtraArgs=self._headers(meta))
        except (BotoCoreError, ClientError, OSError, TimeoutError) as exc:
            raise self._failed("put", key, exc) from exc

    async def get(self, key: str) -> bytes:
        stored = await self.open(key)
        return b"".join([chunk async for chunk in stored.chunks])

    async def open(self, key: str) -> StoredObject:
        try:
            response = await (await self._s3()).get_object(Bucket=self.location.bucket, Key=check_key(key))
        except ClientError as exc:
            if self._is_missing(exc):
                raise NotFound(MISSING_MESSAGE) from exc
            raise self._failed("get", key, exc) from exc
        except (BotoCoreError, OSError, TimeoutError) as exc:
            raise self._failed("get", key, exc) from exc
        size = response.get("ContentLength")
        return StoredObject(size=int(size) if size is not None else None, chunks=self._read_chunks(key, response))

    async def _read_chunks(self, key: str, response: Any) -> AsyncIterator[bytes]:
        body = response["Body"]
        try:
            async for chunk in body.iter_chunks(CHUNK_SIZE):
                yield chunk
        except (BotoCoreError, OSError, TimeoutError) as exc:
            raise self._failed("read", key, exc) from exc
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        try:
            await (await self._s3()).delete_object(Bucket=self.location.bucket, Key=check_key(key))
        except (BotoCoreError, ClientError, OSError, TimeoutError) as exc:
            raise self._failed("delete", key, exc) from exc

    async def presigned_url(
        self, key: str, ttl_seconds: int, *, cache_control: str | None = None, content_disposition: str | None = None
    ) -> str | None:
        params = {"Bucket": self.location.bucket, "Key": check_key(key)}
        if cache_control:
            params["ResponseCacheControl"] = cache_control  # signed, so the link's holder cannot change it
        if content_disposition:
            params["ResponseContentDisposition"] = content_disposition
        expires = max(1, min(ttl_seconds, _MAX_PRESIGN_SECONDS))
        try:
            url: str = await (await self._s3()).generate_presigned_url("get_object", Params=params, ExpiresIn=expires)
        except (BotoCoreError, ClientError) as exc:
            raise self._failed("presign", key, exc) from exc
        return url

    async def close(self) -> None:
        self._client = None
        await self._stack.aclose()
