"""The long-lived objects of one process, built once from Settings and shared by requests."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from hiremebahamas.config import Settings
from hiremebahamas.core.cache import KeyValueStore, MemoryStore, RedisStore
from hiremebahamas.core.connection_slots import ConnectionSlots, create_connection_slots
from hiremebahamas.core.db import Database
from hiremebahamas.core.email import EmailSender, create_email_sender
from hiremebahamas.core.ratelimit import RateLimiter
from hiremebahamas.core.realtime import Broker, create_broker
from hiremebahamas.core.remembered import Memory
from hiremebahamas.core.storage import Storage, create_storage
from hiremebahamas.core.tasks import ArqTaskRunner, InProcessTaskRunner, TaskContext


@dataclass
class Runtime:
    settings: Settings
    database: Database
    redis: Redis | None
    store: KeyValueStore
    limiter: RateLimiter
    email: EmailSender
    # In-process, or ArqTaskRunner (a subclass) sending tasks to the worker when REDIS_URL is set.
    tasks: InProcessTaskRunner
    broker: Broker
    # Live connections per person (WS_MAX_CONNECTIONS_PER_USER), across instances with Redis.
    connection_slots: ConnectionSlots
    storage: Storage

    @property
    def memory(self) -> Memory:
        """Where expensive choices (who to follow, jobs for you, featured jobs) are remembered."""
        return Memory(self.store, self.settings.cache_default_ttl)

    async def close(self) -> None:
        await self.tasks.close()
        await self.broker.close()
        await self.storage.close()
        await self.database.dispose()
        if self.redis is not None:
            await self.redis.aclose()


def create_runtime(settings: Settings) -> Runtime:
    database = Database(settings)
    redis = Redis.from_url(settings.redis_url, health_check_interval=30) if settings.redis_url else None
    store: KeyValueStore = RedisStore(redis) if redis is not None else MemoryStore()
    email = create_email_sender(settings)
    broker = create_broker(redis)
    context = TaskContext(settings=settings, database=database, email=email, broker=broker, store=store)
    return Runtime(
        settings=settings,
        database=database,
        redis=redis,
        store=store,
        limiter=RateLimiter(settings),
        email=email,
        tasks=ArqTaskRunner(context, redis) if redis is not None else InProcessTaskRunner(context),
        broker=broker,
        connection_slots=create_connection_slots(redis),
        storage=create_storage(settings),
    )
