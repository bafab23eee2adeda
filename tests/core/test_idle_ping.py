"""A pooled PostgreSQL connection is checked before use only when it lay idle (core/db.py
`ping_when_idle`): a connection closed while idle is replaced unseen, and one just handed back
costs no round trips."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from hiremebahamas.core import db
from hiremebahamas.core.dbfailures import database_unreachable
from tests.conftest import ENGINES, make_settings
from tests.servers import PostgresServer

pytestmark = pytest.mark.skipif("postgresql" not in ENGINES, reason="the ping is PostgreSQL's pool's")
SHORT_IDLE = 0.3
"""A pool's idle time short enough for a test to wait out."""


@pytest.fixture
async def engine(
    postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> AsyncIterator[AsyncEngine]:
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", getattr(request, "param", db.IDLE_PING_SECONDS))
    # One connection, so the next checkout is the same one.
    built = db.build_engine(postgres.url(), make_settings(database_pool_size=1, database_max_overflow=0))
    yield built
    await built.dispose()


async def _backend(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _terminate(postgres: PostgresServer, pid: int) -> None:
    other = db.build_engine(postgres.url(), make_settings())
    try:
        async with other.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()


@pytest.mark.parametrize("engine", [SHORT_IDLE], indirect=True)
async def test_a_connection_closed_while_idle_is_replaced_before_use(
    engine: AsyncEngine, postgres: PostgresServer
) -> None:
    first = await _backend(engine)
    await _terminate(postgres, first)
    await asyncio.sleep(SHORT_IDLE * 2)
    second = await _backend(engine)  # no error: the ping failed and the pool connected again
    assert second != first


async def test_a_connection_just_handed_back_is_not_pinged(engine: AsyncEngine, postgres: PostgresServer) -> None:
    first = await _backend(engine)
    await _terminate(postgres, first)
    # Within the idle window the pool trusts the connection: the statement finds it closed, as a
    # request's statement would during a restart under load (a 503, core/dbfailures.py).
    with pytest.raises(DBAPIError) as failed:
        await _backend(engine)
    assert database_unreachable(failed.value)
    # SQLAlchemy threw that connection away; the next checkout connects anew.
    assert await _backend(engine) != first
