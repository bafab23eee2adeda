"""Live events: publish to a person, fan out to every connection they have, on any instance.

An event is `{"type": ..., "data": {...}}`, sent to user ids. `MemoryBroker` fans out inside
one process (the embedded default); `RedisBroker` publishes on a Redis channel per user, and
each instance subscribes, over one shared connection, to the channels of the people connected
to it. Each connection gets a bounded queue: a consumer too slow to keep up is dropped (its
client reconnects and catches up through the REST endpoints), so no connection can grow this
process's memory without bound.

Services never publish directly: `publish_after_commit` queues the event in the unit of work,
so nobody hears about a message before it is stored (and never about a rolled-back one).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Iterable
from typing import Any, Protocol

from prometheus_client import Counter, Gauge
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import tasks

logger = logging.getLogger(__name__)

QUEUE_SIZE = 256
CHANNEL_PREFIX = "hmb:events:"
_CONTROL_CHANNEL = CHANNEL_PREFIX + "control"
RESYNC = json.dumps({"type": "resync", "data": {}})

CONNECTIONS = Gauge("websocket_connections", "Open live-event WebSocket connections.", multiprocess_mode="livesum")
SLOW_CONSUMERS = Counter("websocket_slow_consumers_total", "Connections dropped for falling behind their events.")


class Subscription:
    """One connection's queue of serialised events. `None` in the queue means: close, you fell
    behind."""

    def __init__(self, user_id: uuid.UUID, maxsize: int = QUEUE_SIZE) -> None:
        self.user_id = user_id
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize)
        self.dropped = False

    def offer(self, payload: str) -> None:
        if self.dropped:
            return
        try:
            self.queue.put_nowait(payload)
        except asyncio.QueueFull:
            self.dropped = True
            SLOW_CONSUMERS.inc()
            while not self.queue.empty():  # free the memory and make room for the close signal
                self.queue.get_nowait()
            self.queue.put_nowait(None)


class LocalHub:
    """The connections of this process, by user."""

    def __init__(self) -> None:
        self._by_user: dict[uuid.UUID, set[Subscription]] = {}

    def add(self, subscription: Subscription) -> bool:
        """Register; True when it is the user's first connection here."""
        existing = self._by_user.setdefault(subscription.user_id, set())
        existing.add(subscription)
        return len(existing) == 1

    def remove(self, subscription: Subscription) -> bool:
        """Unregister; True when it was the user's last connection here."""
        existing = self._by_user.get(subscription.user_id)
        if existing is None or subscription not in existing:
            return False
        existing.discard(subscription)
        if not existing:
            del self._by_user[subscription.user_id]
            return True
        return False

    def deliver(self, user_id: uuid.UUID, payload: str) -> None:
        for subscription in list(self._by_user.get(user_id, ())):
            subscription.offer(payload)

    def deliver_all(self, payload: str) -> None:
        for user_id in list(self._by_user):
            self.deliver(user_id, payload)

    def user_ids(self) -> list[uuid.UUID]:
        return list(self._by_user)

    @property
    def connection_count(self) -> int:
        return sum(len(subscriptions) for subscriptions in self._by_user.values())


def encode(event: dict[str, Any]) -> str:
    return json.dumps(event, separators=(",", ":"), default=str)


class Broker(Protocol):
    async def publish(self, user_ids: Iterable[uuid.UUID], event: dict[str, Any]) -> None: ...

    async def subscribe(self, user_id: uuid.UUID) -> Subscription: ...

    async def unsubscribe(self, subscription: Subscription) -> None: ...

    async def close(self) -> None: ...


class MemoryBroker:
    """Fan-out inside this process: enough when one process serves everyone."""

    def __init__(self) -> None:
        self.hub = LocalHub()

    async def publish(self, user_ids: Iterable[uuid.UUID], event: dict[str, Any]) -> None:
        payload = encode(event)
        for user_id in set(user_ids):
            self.hub.deliver(user_id, payload)

    async def subscribe(self, user_id: uuid.UUID) -> Subscription:
        subscription = Subscription(user_id)
        self.hub.add(subscription)
        return subscription

    async def unsubscribe(self, subscription: Subscription) -> None:
        self.hub.remove(subscription)

    async def close(self) -> None:
        return None


def channel(user_id: uuid.UUID) -> str:
    return f"{CHANNEL_PREFIX}{user_id.hex}"


class RedisBroker:
    """Redis pub/sub, one channel per user, one subscriber connection per process."""

    RECONNECT_MAX_SECONDS = 10.0

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.hub = LocalHub()
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # subscribe/unsubscribe vs. reconnecting

    async def publish(self, user_ids: Iterable[uuid.UUID], event: dict[str, Any]) -> None:
        payload = encode(event)
        async with self.redis.pipeline(transaction=False) as pipe:
            for user_id in set(user_ids):
                pipe.publish(channel(user_id), payload)
            await pipe.execute()

    async def subscribe(self, user_id: uuid.UUID) -> Subscription:
        subscription = Subscription(user_id)
        first = self.hub.add(subscription)
        try:
            async with self._lock:
                pubsub = await self._ensure_pubsub()
                if first:
                    await pubsub.subscribe(channel(user_id))
        except BaseException:
            self.hub.remove(subscription)
            raise
        return subscription

    async def unsubscribe(self, subscription: Subscription) -> None:
        if not self.hub.remove(subscription):
            return
        async with self._lock:
            if self._pubsub is not None:
                with contextlib.suppress(Exception):  # gone with the connection anyway
                    await self._pubsub.unsubscribe(channel(subscription.user_id))

    async def _ensure_pubsub(self) -> PubSub:
        if self._pubsub is None:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            # Always subscribed to something, so the reader can wait on the connection.
            await pubsub.subscribe(_CONTROL_CHANNEL)
            self._pubsub = pubsub
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read(), name="live-events-reader")
        return self._pubsub

    async def _read(self) -> None:
        failures = 0
        while True:
            pubsub = self._pubsub
            try:
                if pubsub is None:
                    raise ConnectionError("no subscriber connection")
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - any failure: reconnect and resubscribe
                failures += 1
                logger.warning("live events: Redis subscription lost", extra={"error": type(error).__name__})
                await asyncio.sleep(min(self.RECONNECT_MAX_SECONDS, 0.2 * 2**failures))
                await self._reconnect()
                continue
            if message is not None and message.get("type") == "message":
                self._deliver(message["channel"], message["data"])

    def _deliver(self, raw_channel: bytes | str, raw_data: bytes | str) -> None:
        name = raw_channel.decode() if isinstance(raw_channel, bytes) else raw_channel
        data = raw_data.decode() if isinstance(raw_data, bytes) else raw_data
        try:
            user_id = uuid.UUID(hex=name.removeprefix(CHANNEL_PREFIX))
        except ValueError:
            return
        self.hub.deliver(user_id, data)

    async def _reconnect(self) -> None:
        async with self._lock:
            old, self._pubsub = self._pubsub, None
            if old is not None:
                with contextlib.suppress(Exception):
                    await old.aclose()  # type: ignore[no-untyped-call]
            try:
                pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(_CONTROL_CHANNEL, *(channel(u) for u in self.hub.user_ids()))
            except Exception:  # noqa: BLE001 - still down: the reader tries again
                return
            self._pubsub = pubsub
        # Events published while we were away are lost to this instance: clients refetch.
        self.hub.deliver_all(RESYNC)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]
            self._pubsub = None


def create_broker(redis: Redis | None) -> Broker:
    return RedisBroker(redis) if redis is not None else MemoryBroker()


@tasks.local_task
async def publish_event(context: tasks.TaskContext, *, user_ids: list[str], event: dict[str, Any]) -> None:
    if context.broker is None:
        return
    await context.broker.publish([uuid.UUID(value) for value in user_ids], event)


def publish_after_commit(
    session: AsyncSession, user_ids: Iterable[uuid.UUID], type_: str, data: dict[str, Any]
) -> None:
    """Send `{"type": type_, "data": data}` to every connection of `user_ids` once the unit of
    work commits. `data` must be JSON-serialisable."""
    tasks.defer(
        session, publish_event, user_ids=sorted({str(u) for u in user_ids}), event={"type": type_, "data": data}
    )
