"""Engines and the migrated schema, against real SQLite files and a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from hiremebahamas.config import Settings
from hiremebahamas.core.db import Database, build_engine
from hiremebahamas.core.errors import Conflict
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AccountType, Base, User
from hiremebahamas.models.jobs import managed_by_models
from tests.conftest import make_settings
from tests.servers import PostgresServer


@pytest.fixture
async def engines() -> AsyncIterator[list[AsyncEngine]]:
    """Engines a test builds; disposed afterwards even when the test fails."""
    created: list[AsyncEngine] = []
    yield created
    for engine in created:
        await engine.dispose()


def _schema_diff(connection: Connection) -> list[Any]:
    opts = {"compare_type": True, "include_name": managed_by_models}
    context = MigrationContext.configure(connection, opts=opts)
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(settings: Settings, engines: list[AsyncEngine]) -> None:
    engine = build_engine(settings.sqlalchemy_url, settings)
    engines.append(engine)
    async with engine.connect() as connection:
        diff = await connection.run_sync(_schema_diff)
    assert diff == [], f"models and migrations disagree; write a migration for: {diff}"


async def _select_one(engine: AsyncEngine) -> Any:
    async with engine.connect() as connection:
        return (await connection.execute(text("SELECT 1"))).scalar_one()


async def test_sslmode_is_stripped_from_the_url(postgres: PostgresServer, engines: list[AsyncEngine]) -> None:
    settings = make_settings(database_url=postgres.url())
    # As Neon and friends hand them out: libpq-only options that asyncpg would reject as keywords.
    engine = build_engine(postgres.url() + "?sslmode=disable&channel_binding=prefer", settings)
    engines.append(engine)
    assert dict(engine.url.query) == {}
    assert await _select_one(engine) == 1


async def test_sslmode_require_reaches_the_driver(postgres: PostgresServer, engines: list[AsyncEngine]) -> None:
    # The test server has no TLS, so a driver that was told to require it must refuse to go on.
    settings = make_settings(database_url=postgres.url())
    engine = build_engine(postgres.url() + "?sslmode=require", settings)
    engines.append(engine)
    with pytest.raises(Exception, match=r"(?i)ssl") as caught:
        await _select_one(engine)
    assert "sslmode" not in str(caught.value)  # not an "unexpected keyword" complaint about the URL


async def _prepared_statements(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        for value in range(5):
            query = text("SELECT CAST(:value AS integer) + 1")
            assert (await connection.execute(query, {"value": value})).scalar_one() == value + 1
        await connection.commit()
        rows = await connection.execute(text("SELECT name FROM pg_prepared_statements"))
        return [str(name) for name in rows.scalars()]


async def test_pgbouncer_mode_leaves_no_prepared_statements(
    postgres: PostgresServer, engines: list[AsyncEngine]
) -> None:
    default = build_engine(postgres.url(), make_settings(database_url=postgres.url()))
    pgbouncer = build_engine(postgres.url(), make_settings(database_url=postgres.url(), database_pgbouncer=True))
    engines.extend([default, pgbouncer])

    # Without the setting, asyncpg keeps named statements on the server connection, which
    # PgBouncer in transaction mode would hand to someone else.
    assert len(await _prepared_statements(default)) > 1
    # With it, only the statement being run exists, under our own unique name.
    (name,) = await _prepared_statements(pgbouncer)
    assert name.startswith("__hmb_")
    assert await _prepared_statements(pgbouncer) != [name]  # a fresh name every time


async def test_read_replicas_take_turns(postgres: PostgresServer, engines: list[AsyncEngine]) -> None:
    for name in ("hmb_replica_a", "hmb_replica_b"):
        postgres.create_database(name)
    settings = make_settings(
        database_url=postgres.url(),
        database_read_replicas=[postgres.dsn("hmb_replica_a"), postgres.dsn("hmb_replica_b")],
    )
    database = Database(settings)
    engines.extend([database.engine, *database.replica_engines])
    seen = []
    for _ in range(4):
        async with database.sessionmaker() as session:
            database.read_from_replica(session)
            seen.append((await session.execute(select(func.current_database()))).scalar_one())
            # A raw statement may write: it, and every read after it, goes to the primary.
            assert (await session.execute(text("SELECT current_database()"))).scalar_one() == "postgres"
            assert (await session.execute(select(func.current_database()))).scalar_one() == "postgres"
    assert seen == ["hmb_replica_a", "hmb_replica_b", "hmb_replica_a", "hmb_replica_b"]
    async with database.sessionmaker() as session:
        assert (await session.execute(select(func.current_database()))).scalar_one() == "postgres"


async def test_sqlite_connections_use_wal_and_enforce_foreign_keys(tmp_path: Path, engines: list[AsyncEngine]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'app.db'}"
    engine = build_engine(url, make_settings(database_url=url))
    engines.append(engine)
    # Two connections at once: the settings must hold for every pooled connection, not just the first.
    async with engine.connect() as first, engine.connect() as second:
        for connection in (first, second):
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one() == 15000
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
        await connection.execute(text("CREATE TABLE child (parent_id INTEGER REFERENCES parent(id))"))
    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO child (parent_id) VALUES (42)"))


def _user(email: str) -> User:
    return User(
        email=email,
        username=email.split("@")[0].replace(".", "-"),
        password_hash="x",
        first_name="Ann",
        last_name="Rolle",
        account_type=AccountType.EMPLOYER,
    )


async def _emails(runtime: Runtime) -> set[str]:
    async with runtime.database.sessionmaker() as session:
        return set((await session.execute(select(User.email))).scalars())


async def _add_user(runtime: Runtime, email: str, error: Exception | None = None) -> None:
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        session.add(_user(email))
        await session.flush()
        if error is not None:
            raise error


async def test_unit_of_work_commits_or_rolls_back(runtime: Runtime) -> None:
    await _add_user(runtime, "kept@example.com")
    with pytest.raises(RuntimeError):
        await _add_user(runtime, "crashed@example.com", RuntimeError("boom"))
    with pytest.raises(Conflict):
        await _add_user(runtime, "refused@example.com", Conflict())

    recorded = Conflict()
    recorded.keep_changes = True  # a refusal whose trace must survive (e.g. a revoked session)
    with pytest.raises(Conflict):
        await _add_user(runtime, "recorded@example.com", recorded)

    assert await _emails(runtime) == {"kept@example.com", "recorded@example.com"}
