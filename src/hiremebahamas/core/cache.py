"""A small key-value store with expiry: Redis when configured, else in-process.

Used for caching, login lockouts and other short-lived counters that must be shared by all
instances in production.
"""

from __future__ import annotations

import itertools
import time
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

# What a store raises when it cannot be reached (Redis down, restarting, a lost connection):
# callers that can do without it catch these and carry on.
STORE_ERRORS = (RedisError, OSError)


class KeyValueStore(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str, ttl_seconds: int) -> None: ...
    async def delete(self, *keys: str) -> None: ...
    async def incr(self, key: str, ttl_seconds: int) -> int:
        """Increment a counter; the expiry is set when the counter is created."""
        ...

    async def ttl(self, key: str) -> int:
        """Seconds until the key expires, 0 when it does not exist."""
        ...

    async def get_bytes(self, key: str) -> bytes | None:
        """A value stored by `set_bytes` (response bodies: gzip is not text)."""
        ...

    async def set_bytes(self, key: str, value: bytes, ttl_seconds: int) -> None: ...


class MemoryStore:
    """The embedded default. Bounded: past MAX_ENTRIES keys, the expired go first and then the
    oldest written, so a stream of never-repeated keys (cached answers of random query strings)
    cannot grow the process without end."""

    MAX_ENTRIES = 100_000

    def __init__(self) -> None:
        self._data: dict[str, tuple[str | bytes, float]] = {}

    def _live(self, key: str) -> tuple[str | bytes, float] | None:
        entry = self._data.get(key)
        if entry is not None and entry[1] <= time.monotonic():
            del self._data[key]
            return None
        return entry

    async def get(self, key: str) -> str | None:
        entry = self._live(key)
        return entry[0] if entry and isinstance(entry[0], str) else None

    async def set(self, key: str, value: str, ttl_seconds: int) -> None:
        self._put(key, value, ttl_seconds)

    async def get_bytes(self, key: str) -> bytes | None:
        entry = self._live(key)
        return entry[0] if entry and isinstance(entry[0], bytes) else None

    async def set_bytes(self, key: str, value: bytes, ttl_seconds: int) -> None:
        self._put(key, value, ttl_seconds)

    def _put(self, key: str, value: str | bytes, ttl_seconds: int) -> None:
        if len(self._data) >= self.MAX_ENTRIES:
            self._evict_expired()
            # Dicts keep insertion order: the first keys are the oldest written.
            for oldest in list(itertools.islice(self._data, max(0, len(self._data) - self.MAX_ENTRIES + 1))):
                del self._data[oldest]
        self._data[key] = (value, time.monotonic() + ttl_seconds)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._data.pop(key, None)

    async def incr(self, key: str, ttl_seconds: int) -> int:
        entry = self._live(key)
        if entry is None:
            await self.set(key, "1", ttl_seconds)
            return 1
        value = int(str(entry[0])) + 1
        self._data[key] = (str(value), entry[1])
        return value

    async def ttl(self, key: str) -> int:
        entry = self._live(key)
        return max(0, round(entry[1] - time.monotonic())) if entry else 0

    def _evict_expired(self) -> None:
        now = time.monotonic()
        for key in [k for k, (_, expires) in self._data.items() if expires <= now]:
            del self._data[key]


class RedisStore:
    def __init__(self, client: Redis, prefix: str = "hmb:") -> None:
        self.client = client
        self.prefix = prefix

    async def get(self, key: str) -> str | None:
        value = await self.client.get(self.prefix + key)
        return value.decode() if isinstance(value, bytes) else value

    async def set(self, key: str, value: str, ttl_seconds: int) -> None:
        await self.client.set(self.prefix + key, value, ex=ttl_seconds)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self.client.delete(*(self.prefix + key for key in keys))

    async def incr(self, key: str, ttl_seconds: int) -> int:
        name = self.prefix + key
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, ttl_seconds, nx=True)
            value, _ = await pipe.execute()
        return int(value)

    async def ttl(self, key: str) -> int:
        remaining = int(await self.client.ttl(self.prefix + key))
        return max(0, remaining)

    async def get_bytes(self, key: str) -> bytes | None:
        value = await self.client.get(self.prefix + key)
        return value.encode() if isinstance(value, str) else value

    async def set_bytes(self, key: str, value: bytes, ttl_seconds: int) -> None:
        await self.client.set(self.prefix + key, value, ex=ttl_seconds)
