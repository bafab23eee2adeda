"""Shared fixtures: real PostgreSQL and Redis servers, the app on each database engine, a client.

Tests that take `database_url` (directly or through `settings`, `app`, `client`) run once on
SQLite and once on PostgreSQL. Set TEST_ENGINES=sqlite (or postgresql) to run just one, or
TEST_ENGINES=pgbouncer to run them on PostgreSQL through PgBouncer in transaction pooling mode
(with DATABASE_PGBOUNCER=true; migrations go to PostgreSQL directly, as in production).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, text

from hiremebahamas.app import create_app
from hiremebahamas.cli import migrate
from hiremebahamas.config import Settings
from hiremebahamas.core.db import Database
from hiremebahamas.core.runtime import Runtime, create_runtime
from hiremebahamas.models import AuditEntry, Base
from tests.servers import (
    ClamdServer,
    PgBouncerServer,
    PostgresServer,
    RedisServer,
    start_clamd,
    start_pgbouncer,
    start_postgres,
    start_redis,
)
from tests.uploads.files import TEST_SIGNATURES
from tests.uploads.s3_server import S3Server, start_s3

ENGINES = [e.strip() for e in os.environ.get("TEST_ENGINES", "sqlite,postgresql").split(",") if e.strip()]


# The database URLs that go through PgBouncer: settings made for them say so.
_POOLED: set[str] = set()


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "base_url": "http://testserver",
        "rate_limit_auth": "10000/minute",
        "rate_limit_api": "10000/minute",
        "rate_limit_upload": "10000/minute",
        "database_read_replicas": [],
        "email_send_rate": 0,  # campaigns' throttle: tests do not wait
        **overrides,
    }
    values.setdefault("database_pgbouncer", values.get("database_url") in _POOLED)
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


@pytest.fixture(scope="session")
def pgbouncer(postgres: PostgresServer) -> Iterator[PgBouncerServer]:
    server = start_pgbouncer(postgres)
    yield server
    server.stop()


@pytest.fixture(scope="session", params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
        migrate(make_settings(database_url=url))
        return url
    server: PostgresServer = request.getfixturevalue("postgres")
    name = "hmb_test" if request.param == "postgresql" else f"hmb_test_{request.param}"
    server.create_database(name)
    migrate(make_settings(database_url=server.url(name)))
    if request.param == "pgbouncer":
        pooled = request.getfixturevalue("pgbouncer").url(name)
        _POOLED.add(pooled)
        return str(pooled)
    return server.url(name)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url=database_url, var_dir=tmp_path / "var")


async def empty_tables(database: Database) -> None:
    async with database.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name == AuditEntry.__tablename__ and not database.is_sqlite:
                # Append-only: PostgreSQL refuses DELETE on it (migration 0009), not TRUNCATE.
                await connection.execute(text(f"TRUNCATE {table.name}"))
            else:
                await connection.execute(delete(table))


@asynccontextmanager
async def fresh_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A runtime for one test; after it, what it deferred has run and its rows are gone."""
    runtime = create_runtime(settings)
    try:
        yield runtime
    finally:
        await runtime.tasks.drain()
        await empty_tables(runtime.database)
        await runtime.close()


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async with fresh_runtime(settings) as runtime:
        yield runtime


# Building the app (route and dependency analysis) costs most of a second; the routes do not
# depend on settings, so each engine's app is built once and given each test's runtime.
_APPS: dict[str, FastAPI] = {}


@pytest.fixture
def app(settings: Settings, runtime: Runtime) -> FastAPI:
    shared = _APPS.get(settings.database_url)
    if shared is None:
        shared = _APPS[settings.database_url] = create_app(settings, runtime)
    shared.state.runtime = runtime
    shared.middleware_stack = None  # rebuilt on the first request with this test's settings
    return shared


@pytest.fixture
def own_app(settings: Settings, runtime: Runtime) -> FastAPI:
    """A private app for tests that add routes of their own."""
    return create_app(settings, runtime)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def failing_app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    """An app (that touches no table) with GET /api/boom, which raises: what a 500 looks like."""
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", var_dir=tmp_path)
    runtime = create_runtime(settings)
    app = create_app(settings, runtime)

    async def boom() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/api/boom", boom)
    try:
        yield app
    finally:
        await runtime.close()


@pytest.fixture
async def own_client(own_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of `own_app`. Tests that add routes use these, so the shared app keeps exactly
    the real routes (the access matrix checks it has a row for each)."""
    transport = httpx.ASGITransport(app=own_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A real S3 server (SeaweedFS) on loopback that checks signatures; one bucket, `s3_server.bucket`."""
    server = start_s3()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def clamd() -> Iterator[ClamdServer]:
    """A real clamd (Debian's clamav-daemon) on loopback that knows one signature: the EICAR
    test string. Starting fails the tests that need it, loudly, when it cannot run."""
    server = start_clamd(TEST_SIGNATURES)
    yield server
    server.stop()


@pytest.fixture
def signatures_without_eicar(clamd: ClamdServer) -> Iterator[ClamdServer]:
    """clamd with a database that misses EICAR, as before the update that finds a new virus;
    the usual signatures are back after the test."""
    clamd.load_signatures({"Other-Test": b"a string no test file holds"})
    try:
        yield clamd
    finally:
        clamd.load_signatures(TEST_SIGNATURES)
