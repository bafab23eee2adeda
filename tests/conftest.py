"""Shared fixtures: real PostgreSQL and Redis servers, the app on each database engine, a client.

Tests that take `database_url` (directly or through `settings`, `app`, `client`) run once on
SQLite and once on PostgreSQL. Set TEST_ENGINES=sqlite (or postgresql) to run just one.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete

from hiremebahamas.app import create_app
from hiremebahamas.cli import migrate
from hiremebahamas.config import Settings
from hiremebahamas.core.db import Database
from hiremebahamas.core.runtime import Runtime, create_runtime
from hiremebahamas.models import Base
from tests.servers import PostgresServer, RedisServer, start_postgres, start_redis

ENGINES = [e.strip() for e in os.environ.get("TEST_ENGINES", "sqlite,postgresql").split(",") if e.strip()]


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "base_url": "http://testserver",
        "rate_limit_auth": "10000/minute",
        "rate_limit_api": "10000/minute",
        "rate_limit_upload": "10000/minute",
        "database_read_replicas": [],
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = start_redis()
    yield server
    server.stop()


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        server.create_database("hmb_test")
        url = server.url("hmb_test")
    migrate(make_settings(database_url=url))
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url=database_url, var_dir=tmp_path / "var")


async def empty_tables(database: Database) -> None:
    async with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(delete(table))


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    runtime = create_runtime(settings)
    try:
        yield runtime
    finally:
        await runtime.tasks.drain()
        await empty_tables(runtime.database)
        await runtime.close()


@pytest.fixture
def app(settings: Settings, runtime: Runtime) -> Any:
    return create_app(settings, runtime)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
