"""Smoke tests for the throwaway server harness in tests/servers.py."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import redis

from tests.servers import free_port, start_postgres, start_redis


def _pid_alive(pid: int) -> bool:
    """Live process check; exited-but-unreaped (zombie) processes count as dead.

    The postmaster is daemonised by pg_ctl and reparented to PID 1, which in
    some containers reaps it late, so a plain kill(pid, 0) is not enough.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}


def test_free_port_is_usable() -> None:
    port = free_port()
    assert 0 < port < 65536


def test_postgres_create_database_and_query() -> None:
    server = start_postgres()
    try:
        assert server.is_running()
        assert server.url("x") == f"postgresql+asyncpg://postgres@127.0.0.1:{server.port}/x"
        server.create_database("x")

        async def query() -> object:
            conn = await asyncpg.connect(host="127.0.0.1", port=server.port, user=server.user, database="x")
            try:
                return await conn.fetchval("select 1")
            finally:
                await conn.close()

        assert asyncio.run(query()) == 1
    finally:
        server.stop()
    assert not server.data_dir.exists()
    assert not _pid_alive(server.pid)
    assert not server.is_running()
    server.stop()  # idempotent


def test_redis_set_get() -> None:
    server = start_redis()
    try:
        assert server.is_running()
        assert server.url(3) == f"redis://127.0.0.1:{server.port}/3"
        client = redis.Redis.from_url(server.url(1))
        try:
            client.set("greeting", "hello")
            assert client.get("greeting") == b"hello"
        finally:
            client.close()
    finally:
        server.stop()
    assert server.process.poll() is not None
    assert not server.is_running()
    assert not server.base_dir.exists()
    server.stop()  # idempotent
