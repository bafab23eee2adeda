"""Connection slots: per owner, shared by instances through Redis, and lapsing when the
instance that held them stops refreshing them (it died)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from hiremebahamas.core.connection_slots import MemorySlots, RedisSlots
from tests.servers import RedisServer


@pytest.fixture
async def redis(redis_server: RedisServer) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url(10))
    await client.flushdb()
    yield client
    await client.aclose()


async def test_in_process_claims_are_counted_per_owner_until_released() -> None:
    slots = MemorySlots()
    assert await slots.claim("ann", "a1", 2)
    assert await slots.claim("ann", "a2", 2)
    assert not await slots.claim("ann", "a3", 2)
    assert await slots.claim("bob", "b1", 2)
    await slots.release("ann", "a1")
    assert await slots.claim("ann", "a3", 2)


async def test_instances_sharing_redis_share_the_count(redis: Redis, redis_server: RedisServer) -> None:
    other = Redis.from_url(redis_server.url(10))
    first, second = RedisSlots(redis), RedisSlots(other)
    try:
        assert await first.claim("ann", "a1", 2)
        assert await second.claim("ann", "a2", 2)
        assert not await first.claim("ann", "a3", 2)
        assert not await second.claim("ann", "a3", 2)
        assert await second.claim("bob", "b1", 2)
        await first.release("ann", "a1")
        assert await second.claim("ann", "a3", 2)
    finally:
        await other.aclose()


async def test_claims_of_an_instance_that_stops_refreshing_lapse(redis: Redis) -> None:
    alive, crashed = RedisSlots(redis, ttl_seconds=0.6), RedisSlots(redis, ttl_seconds=0.6)
    assert alive.refresh_seconds == pytest.approx(0.2)
    assert await alive.claim("ann", "alive", 2)
    assert await crashed.claim("ann", "crashed", 2)
    for _ in range(5):  # a second: longer than the claims last unless refreshed
        await asyncio.sleep(alive.refresh_seconds)
        await alive.refresh("ann", "alive")
    assert await alive.claim("ann", "new", 2)  # the crashed instance's claim lapsed ...
    assert not await alive.claim("ann", "one-more", 2)  # ... the refreshed one did not
    assert 0 < await redis.pttl("hmb:slots:ann") <= 600  # and the key goes away with its claims
