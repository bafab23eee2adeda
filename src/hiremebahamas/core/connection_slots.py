"""How many long-lived connections each owner holds: in this process, or on every instance
sharing a Redis.

A claim is refused once its owner holds `limit`. With Redis, an owner's claims are the members
of one sorted set, each scored with the moment it lapses; an open connection refreshes its claim
every `refresh_seconds`, so the claims of an instance that died without releasing them lapse on
their own within `ttl_seconds` instead of locking their owner out for good.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from redis.asyncio import Redis

logger = logging.getLogger(__name__)

KEY_PREFIX = "hmb:slots:"

# KEYS[1]: the owner's set; ARGV: now (ms), lapses at (ms), limit, connection, ttl (ms).
_CLAIM = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
    return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
"""


class ConnectionSlots(Protocol):
    @property
    def refresh_seconds(self) -> float: ...

    async def claim(self, owner: str, connection: str, limit: int) -> bool: ...

    async def refresh(self, owner: str, connection: str) -> None: ...

    async def release(self, owner: str, connection: str) -> None: ...


class MemorySlots:
    """One process's connections: they end with the process, so nothing needs to lapse."""

    refresh_seconds = 3600.0

    def __init__(self) -> None:
        self._held: dict[str, set[str]] = {}

    async def claim(self, owner: str, connection: str, limit: int) -> bool:
        held = self._held.setdefault(owner, set())
        if len(held) >= limit:
            return False
        held.add(connection)
        return True

    async def refresh(self, owner: str, connection: str) -> None:
        return None

    async def release(self, owner: str, connection: str) -> None:
        held = self._held.get(owner)
        if held is not None:
            held.discard(connection)
            if not held:
                del self._held[owner]


class RedisSlots:
    """Claims shared by every instance. Times come from each instance's clock: a skew of a few
    seconds only shifts when a dead instance's claims lapse."""

    def __init__(self, redis: Redis, ttl_seconds: float = 90.0) -> None:
        self._redis = redis
        self._ttl_ms = int(ttl_seconds * 1000)
        self._claim = redis.register_script(_CLAIM)

    @property
    def refresh_seconds(self) -> float:
        return self._ttl_ms / 3000  # three chances to refresh before a claim lapses

    async def claim(self, owner: str, connection: str, limit: int) -> bool:
        now = int(time.time() * 1000)
        try:
            granted = await self._claim(
                keys=[KEY_PREFIX + owner], args=[now, now + self._ttl_ms, limit, connection, self._ttl_ms]
            )
        except Exception:
            # Like the rate limiter: a Redis outage must not keep everyone offline.
            logger.warning("connection slots unavailable", exc_info=True)
            return True
        return bool(granted)

    async def refresh(self, owner: str, connection: str) -> None:
        key = KEY_PREFIX + owner
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zadd(key, {connection: int(time.time() * 1000) + self._ttl_ms})
                pipe.pexpire(key, self._ttl_ms)
                await pipe.execute()
        except Exception:
            logger.warning("could not refresh a connection slot", exc_info=True)

    async def release(self, owner: str, connection: str) -> None:
        try:
            await self._redis.zrem(KEY_PREFIX + owner, connection)
        except Exception:
            logger.warning("could not release a connection slot", exc_info=True)


def create_connection_slots(redis: Redis | None) -> ConnectionSlots:
    return RedisSlots(redis) if redis is not None else MemorySlots()
