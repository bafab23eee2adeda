"""Database engines (primary + read replicas) and the unit of work."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from prometheus_client import Counter
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# Imported for its side effect: it creates PROMETHEUS_MULTIPROC_DIR, where DB_QUERIES writes.
import hiremebahamas.core.metrics  # noqa: F401
from hiremebahamas.config import Settings
from hiremebahamas.core import tasks
from hiremebahamas.core.errors import AppError

# libpq query options (found in providers' URLs) that asyncpg does not take as keywords;
# sslmode maps onto asyncpg's `ssl`.
_LIBPQ_ONLY_OPTIONS = ("sslmode", "channel_binding")

DB_QUERIES = Counter("hmb_db_queries_total", "SQL statements sent to the database, by engine role.", ["role"])


def count_queries(engine: AsyncEngine, role: str) -> None:
    """Count every statement the engine sends (queries per request, as the benchmark reports
    them); an increment of a counter bound once, so it costs next to nothing per statement."""
    counter = DB_QUERIES.labels(role)

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        counter.inc()


def build_engine(url: str, settings: Settings) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, settings)
    return _postgres_engine(parsed, settings)


def _sqlite_engine(url: URL, settings: Settings) -> AsyncEngine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 15})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    return engine


def _postgres_engine(url: URL, settings: Settings) -> AsyncEngine:
    connect_args: dict[str, Any] = {}
    sslmode = url.query.get("sslmode")
    if isinstance(sslmode, str):
        connect_args["ssl"] = sslmode
    url = url.difference_update_query(_LIBPQ_ONLY_OPTIONS)
    if settings.database_pgbouncer:
        # Transaction pooling hands each transaction a different server connection, so no
        # prepared statement may outlive its transaction or clash by name.
        connect_args["statement_cache_size"] = 0
        connect_args["prepared_statement_cache_size"] = 0
        connect_args["prepared_statement_name_func"] = lambda: f"__hmb_{uuid.uuid4()}__"
    return create_async_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args=connect_args,
    )


class Database:
    """The primary engine for writes and reads that must see them; replicas for the rest."""

    def __init__(self, settings: Settings) -> None:
        self.engine = build_engine(settings.sqlalchemy_url, settings)
        self.replica_engines = [build_engine(url, settings) for url in settings.read_replica_urls]
        count_queries(self.engine, "primary")
        for replica in self.replica_engines:
            count_queries(replica, "replica")
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        self._replica_makers = itertools.cycle(
            [async_sessionmaker(e, expire_on_commit=False) for e in self.replica_engines] or [self.sessionmaker]
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def read_sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        return next(self._replica_makers)

    @asynccontextmanager
    async def unit_of_work(self, runner: tasks.TaskRunner) -> AsyncIterator[AsyncSession]:
        """Commit when the block succeeds, roll back when it raises; send deferred tasks only
        once the commit has made their data visible."""
        async with self.sessionmaker() as session:
            try:
                yield session
            except AppError as error:
                if not error.keep_changes:
                    await session.rollback()
                    raise
                await self._commit(session, runner)
                raise
            except BaseException:
                await session.rollback()
                raise
            await self._commit(session, runner)

    @staticmethod
    async def _commit(session: AsyncSession, runner: tasks.TaskRunner) -> None:
        await session.commit()
        await runner.dispatch(tasks.take_pending(session))

    async def dispose(self) -> None:
        await self.engine.dispose()
        for engine in self.replica_engines:
            await engine.dispose()
