"""Database engines (primary + read replicas) and the unit of work.

Every statement goes to the primary unless its unit of work was given a replica
(`Database.read_from_replica`, decided once per request by accounts/deps.py, which every
request passes and which knows who is reading). Then its plain reads go to that replica until
its first write, locking read or raw statement, and from then on everything goes to the
primary: a request never writes what it read from a replica, nor reads back its own writes
from one. Whoever wrote stays on the primary for `sticky_seconds` after (read-your-writes:
`note_writer`, `wrote_recently`), longer than a replica in rotation may lag.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from prometheus_client import Counter
from sqlalchemy import Select, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

# Imported for its side effect: it creates PROMETHEUS_MULTIPROC_DIR, where DB_QUERIES writes.
import hiremebahamas.core.metrics  # noqa: F401
from hiremebahamas.config import Settings
from hiremebahamas.core import tasks
from hiremebahamas.core.cache import STORE_ERRORS, KeyValueStore
from hiremebahamas.core.errors import AppError
from hiremebahamas.core.replicas import ReplicaSet

logger = logging.getLogger(__name__)

# libpq query options (found in providers' URLs) that asyncpg does not take as keywords;
# sslmode maps onto asyncpg's `ssl`.
_LIBPQ_ONLY_OPTIONS = ("sslmode", "channel_binding")


def _writer_key(writer: uuid.UUID) -> str:
    return f"primary-reads:{writer}"


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


_REPLICA = "read_replica"  # Session.info: the replica this unit of work reads from, while it may


def _plain_read(clause: Any) -> bool:
    # FOR UPDATE / FOR SHARE has no public accessor; a locking read is a write's first step.
    return isinstance(clause, Select) and clause._for_update_arg is None


class RoutingSession(Session):
    """Sends a unit of work's plain reads to its replica, while it has one (module docstring)."""

    def get_bind(self, mapper: Any = None, clause: Any = None, **kwargs: Any) -> Any:
        replica: AsyncEngine | None = self.info.get(_REPLICA)
        if replica is not None:
            if _plain_read(clause) and not self._flushing:
                return replica.sync_engine
            del self.info[_REPLICA]  # the first statement that is not a plain read: primary from now on
        return super().get_bind(mapper, clause=clause, **kwargs)


class Database:
    """The primary engine for writes and reads that must see them; replicas for the rest."""

    def __init__(self, settings: Settings) -> None:
        self.engine = build_engine(settings.sqlalchemy_url, settings)
        self.replica_engines = [build_engine(url, settings) for url in settings.read_replica_urls]
        count_queries(self.engine, "primary")
        for replica in self.replica_engines:
            count_queries(replica, "replica")
        self.sessionmaker = async_sessionmaker(
            self.engine, expire_on_commit=False, autoflush=True, sync_session_class=RoutingSession
        )
        self.replicas = ReplicaSet(
            self.engine,
            self.replica_engines,
            max_lag=settings.database_replica_max_lag_seconds,
            interval=settings.database_replica_check_seconds,
        )
        # A replica in rotation lagged at most max_lag at its last check, at most one interval ago.
        lag_bound = settings.database_replica_max_lag_seconds + settings.database_replica_check_seconds
        self.sticky_seconds = int(lag_bound) + 1

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def read_from_replica(self, session: AsyncSession) -> None:
        """Let this unit of work's plain reads from now on go to a replica in rotation, if there
        is one (what it already read came from the primary)."""
        replica = self.replicas.pick()
        if replica is not None:
            session.info[_REPLICA] = replica

    async def note_writer(self, store: KeyValueStore, writer: uuid.UUID) -> None:
        """After a committed write: the store down must not turn its success into an error (the
        writer's reads then go to the primary anyway, below)."""
        if self.replica_engines:
            try:
                await store.set(_writer_key(writer), "1", ttl_seconds=self.sticky_seconds)
            except STORE_ERRORS:
                logger.warning("read-your-writes marker not stored: the key-value store is unavailable")

    async def wrote_recently(self, store: KeyValueStore, reader: uuid.UUID) -> bool:
        """Whether `reader` wrote in the last `sticky_seconds`; True when the store cannot say,
        since reading from the primary is never stale."""
        if not self.replica_engines:
            return False
        try:
            return await store.get(_writer_key(reader)) is not None
        except STORE_ERRORS:
            return True

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
        await self.replicas.stop()
        await self.engine.dispose()
        for engine in self.replica_engines:
            await engine.dispose()
