"""Read replicas in use: a real streaming replica (`pg_basebackup -R`) of a primary of its own.

Anonymous reads and a reader who has not written lately go to the replica (its own statistics
show the scans); writes, reads inside a write request, and a writer's reads for a few seconds
after go to the primary; a replica that lags or is down leaves the rotation and reads fall back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from hiremebahamas.app import create_app
from hiremebahamas.cli import migrate
from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime, create_runtime
from tests.conftest import ENGINES, make_settings
from tests.core.test_store_down import refusing_store
from tests.messaging.people import member
from tests.servers import PostgresServer, start_postgres, start_replica

pytestmark = pytest.mark.skipif("postgresql" not in ENGINES, reason="replication is PostgreSQL's")

DATABASE = "hmb_replicas"
WAIT_SECONDS = 15.0


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[PostgresServer, PostgresServer]]:
    primary = start_postgres()
    try:
        primary.create_database(DATABASE)
        replica = start_replica(primary)
        try:
            yield primary, replica
        finally:
            replica.stop()
    finally:
        primary.stop()


def _replica_scans(replica: PostgresServer) -> int:
    """Scans of the jobs table the replica itself served, from its own statistics."""
    sql = "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'jobs'"
    return int(replica.psql(sql, DATABASE).strip() or 0)


def _replayed(replica: PostgresServer, sql: str, expected: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            if replica.psql(sql, DATABASE).strip() == expected:
                return
        except RuntimeError:  # what it asks about is not there yet
            pass
        assert time.monotonic() < deadline, f"the replica did not replay {sql!r} in {WAIT_SECONDS}s"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def replicated_settings(
    cluster: tuple[PostgresServer, PostgresServer], tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    primary, replica = cluster
    settings: Settings = make_settings(
        database_url=primary.url(DATABASE),
        database_read_replicas=[replica.url(DATABASE)],
        database_replica_max_lag_seconds=0.5,
        database_replica_check_seconds=0.2,
        var_dir=tmp_path_factory.mktemp("var"),
    )
    migrate(settings)
    _replayed(replica, "SELECT count(*) FROM alembic_version", "1")
    return settings


@pytest.fixture
async def runtime(replicated_settings: Settings) -> AsyncIterator[Runtime]:
    built = create_runtime(replicated_settings)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:  # the suite's `client` fixture sends its requests here
    return create_app(runtime.settings, runtime)


class _Sent:
    """The statements the app sends to the replica while a test runs."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args: Any) -> None:
        self.count += 1


@pytest.fixture
def replica_statements(runtime: Runtime) -> Iterator[_Sent]:
    sent = _Sent()
    engine = runtime.database.replica_engines[0].sync_engine
    event.listen(engine, "before_cursor_execute", sent)
    yield sent
    event.remove(engine, "before_cursor_execute", sent)


async def _until(condition: Any) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not await condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_anonymous_reads_are_served_by_the_replica(
    cluster: tuple[PostgresServer, PostgresServer], client: httpx.AsyncClient, replica_statements: _Sent
) -> None:
    _, replica = cluster
    before_scans, before_queries = _replica_scans(replica), replica_statements.count
    for _ in range(3):
        assert (await client.get("/api/jobs")).status_code == 200
    assert replica_statements.count > before_queries

    async def scanned() -> bool:  # a backend reports its statistics about once a second
        return _replica_scans(replica) > before_scans

    await _until(scanned)


async def test_a_word_search_is_served_by_the_replica_too(client: httpx.AsyncClient, replica_statements: _Sent) -> None:
    # Choosing the full-text match asks for the database's dialect; that must not count as a
    # statement that moves the request to the primary.
    before = replica_statements.count
    assert (await client.get("/api/jobs?q=chef")).status_code == 200
    assert (await client.get("/talent?q=chef")).status_code == 200
    assert replica_statements.count >= before + 2


async def test_writes_and_a_writers_next_reads_go_to_the_primary(
    cluster: tuple[PostgresServer, PostgresServer],
    runtime: Runtime,
    client: httpx.AsyncClient,
    replica_statements: _Sent,
) -> None:
    ann = await member(runtime, "Ann")
    await asyncio.sleep(runtime.database.sticky_seconds + 0.1)  # signing up is a write too
    before = replica_statements.count
    assert (await client.get("/api/users/me", headers=ann.headers)).status_code == 200
    assert replica_statements.count > before  # a reader who has not written lately: the replica

    before = replica_statements.count
    posted = await client.post("/api/posts", json={"body": "Fresh catch today"}, headers=ann.headers)
    assert posted.status_code == 201
    # Read your writes: at once, even if the replica has not replayed the post yet.
    feed = await client.get("/api/feed", headers=ann.headers)
    assert [item["body"] for item in feed.json()["items"]] == ["Fresh catch today"]
    assert replica_statements.count == before  # neither the write nor the reads right after it

    await asyncio.sleep(runtime.database.sticky_seconds + 0.1)
    _, replica = cluster
    _replayed(replica, "SELECT count(*) FROM posts", "1")
    assert (await client.get("/api/feed", headers=ann.headers)).status_code == 200
    assert replica_statements.count > before  # the writer's reads return to the replica afterwards


async def test_a_lagging_replica_leaves_the_rotation_and_rejoins(
    cluster: tuple[PostgresServer, PostgresServer],
    runtime: Runtime,
    client: httpx.AsyncClient,
    replica_statements: _Sent,
) -> None:
    _, replica = cluster
    database = runtime.database
    await database.replicas.check()
    assert database.replicas.pick() is not None
    replica.psql("SELECT pg_wal_replay_pause()", DATABASE)
    try:
        bea = await member(runtime, "Bea")  # written on the primary, not replayed
        await asyncio.sleep(1.0)  # the replica's last replayed transaction is now older than the limit
        await database.replicas.check()
        state = database.replicas.states[0]
        assert not state.in_rotation
        assert state.lag_seconds is not None
        assert state.lag_seconds > 0.5
        assert state.bytes_behind is not None
        assert state.bytes_behind > 0
        before = replica_statements.count
        profile = await client.get(f"/api/users/{bea.username}")
        assert profile.status_code == 200  # found: the primary answered
        assert replica_statements.count == before
        ready = (await client.get("/ready")).json()
        assert ready["status"] == "ok"
        assert ready["replicas"][state.name]["in_rotation"] is False
    finally:
        replica.psql("SELECT pg_wal_replay_resume()", DATABASE)
    await _until(lambda: _rejoined(runtime))


async def _rejoined(runtime: Runtime) -> bool:
    await runtime.database.replicas.check()
    return runtime.database.replicas.pick() is not None


async def test_the_background_check_measures_each_replica(runtime: Runtime) -> None:
    replicas = runtime.database.replicas
    replicas.start()
    try:

        async def measured() -> bool:
            return replicas.states[0].checked_at is not None

        await _until(measured)
    finally:
        await replicas.stop()
    assert replicas.states[0].lag_seconds is not None
    assert replicas.states[0].in_rotation


async def test_a_replica_that_is_down_is_left_out_and_rejoins_when_it_is_back(
    cluster: tuple[PostgresServer, PostgresServer],
    runtime: Runtime,
    client: httpx.AsyncClient,
    replica_statements: _Sent,
) -> None:
    _, replica = cluster
    replica.halt()
    try:
        await runtime.database.replicas.check()
        assert runtime.database.replicas.pick() is None
        assert runtime.database.replicas.states[0].error is not None
        before = replica_statements.count
        assert (await client.get("/api/jobs")).status_code == 200  # the primary answers meanwhile
        assert replica_statements.count == before
    finally:
        replica.start_again()
    await _until(lambda: _rejoined(runtime))
    assert (await client.get("/api/jobs")).status_code == 200
    assert replica_statements.count > before  # back in the rotation, serving reads again


async def test_a_replica_that_fails_a_read_leaves_the_rotation_at_once(
    cluster: tuple[PostgresServer, PostgresServer], runtime: Runtime, client: httpx.AsyncClient
) -> None:
    _, replica = cluster
    replicas = runtime.database.replicas
    # Each a different page, so that the response cache does not answer it.
    assert (await client.get("/api/jobs?limit=3")).status_code == 200  # a pooled connection to the replica
    replica.halt()
    try:
        # No check runs here: the failed read alone takes the replica out.
        first = await client.get("/api/jobs?limit=4")
        assert first.status_code == 503
        assert first.json()["error"]["code"] == "database_unavailable"
        assert replicas.pick() is None
        assert replicas.states[0].error is not None
        assert (await client.get("/api/jobs?limit=5")).status_code == 200  # the primary answers the next
    finally:
        replica.start_again()
    await _until(lambda: _rejoined(runtime))


async def test_with_the_store_unreachable_readers_use_the_primary_and_writes_succeed(
    runtime: Runtime, client: httpx.AsyncClient, replica_statements: _Sent
) -> None:
    ann = await member(runtime, "Rue")
    await asyncio.sleep(runtime.database.sticky_seconds + 0.1)
    # Where the read-your-writes markers live, refusing connections (Redis down).
    runtime.store = refusing_store()
    before = replica_statements.count
    posted = await client.post("/api/posts", json={"body": "Written while Redis is down"}, headers=ann.headers)
    assert posted.status_code == 201  # the marker could not be kept; the committed write still succeeds
    feed = await client.get("/api/feed", headers=ann.headers)
    assert feed.status_code == 200
    assert [item["body"] for item in feed.json()["items"]] == ["Written while Redis is down"]
    assert replica_statements.count == before  # nobody can say who wrote lately: the primary
