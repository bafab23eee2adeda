"""Fan-out: in-process, and through Redis between instances; slow consumers are dropped."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from redis.asyncio import Redis

from hiremebahamas.core.realtime import MemoryBroker, RedisBroker, Subscription
from tests.servers import RedisServer


async def received(subscription: Subscription, within: float = 5.0) -> dict[str, object] | None:
    payload = await asyncio.wait_for(subscription.queue.get(), within)
    return None if payload is None else json.loads(payload)


async def test_memory_broker_fans_out_to_every_connection_of_a_user() -> None:
    broker = MemoryBroker()
    ann, bob = uuid.uuid4(), uuid.uuid4()
    phone, laptop, other = await broker.subscribe(ann), await broker.subscribe(ann), await broker.subscribe(bob)
    await broker.publish([ann], {"type": "typing", "data": {"n": 1}})
    assert await received(phone) == {"type": "typing", "data": {"n": 1}}
    assert await received(laptop) == {"type": "typing", "data": {"n": 1}}
    assert other.queue.empty()
    await broker.unsubscribe(phone)
    await broker.publish([ann, bob], {"type": "read", "data": {}})
    assert phone.queue.empty()
    assert await received(laptop) == {"type": "read", "data": {}}
    assert await received(other) == {"type": "read", "data": {}}
    assert broker.hub.connection_count == 2


def test_a_slow_consumer_is_dropped_not_buffered_forever() -> None:
    subscription = Subscription(uuid.uuid4(), maxsize=3)
    for n in range(10):
        subscription.offer(f'{{"n": {n}}}')
    assert subscription.dropped
    assert subscription.queue.qsize() == 1
    assert subscription.queue.get_nowait() is None  # the signal to close the socket


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    url = redis_server.url(5)
    return url


async def test_redis_carries_events_between_instances(redis_url: str) -> None:
    first_client, second_client = Redis.from_url(redis_url), Redis.from_url(redis_url)
    first, second = RedisBroker(first_client), RedisBroker(second_client)
    try:
        ann = uuid.uuid4()
        listening = await second.subscribe(ann)
        await first.publish([ann, uuid.uuid4()], {"type": "message.created", "data": {"body": "hi"}})
        assert await received(listening) == {"type": "message.created", "data": {"body": "hi"}}

        # The subscriber connection dies: the broker reconnects, tells clients to catch up,
        # and hears new events again.
        await first_client.client_kill_filter(_type="pubsub")
        assert await received(listening, within=10) == {"type": "resync", "data": {}}
        await first.publish([ann], {"type": "read", "data": {}})
        assert await received(listening) == {"type": "read", "data": {}}

        await second.unsubscribe(listening)
        assert second.hub.connection_count == 0
    finally:
        for broker, client in ((first, first_client), (second, second_client)):
            await broker.close()
            await client.aclose()
