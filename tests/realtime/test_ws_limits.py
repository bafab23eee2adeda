"""WS /ws limits on a real server, in one process and with Redis: handshakes per minute and
connections held at once, per person."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from websockets.exceptions import ConnectionClosed

from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from tests.conftest import make_settings
from tests.messaging.people import member
from tests.realtime.live import next_event, open_socket, served
from tests.servers import RedisServer

HANDSHAKES_PER_MINUTE = 12
MOST_AT_ONCE = 2


@pytest.fixture(params=["in-process", "redis"])
async def redis_url(request: pytest.FixtureRequest) -> str | None:
    if request.param == "in-process":
        return None
    server: RedisServer = request.getfixturevalue("redis_server")
    url = server.url(9)
    client = Redis.from_url(url)
    await client.flushdb()  # counts of an earlier test must not carry over
    await client.aclose()
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path, redis_url: str | None) -> Settings:
    return make_settings(
        database_url=database_url,
        var_dir=tmp_path / "var",
        redis_url=redis_url,
        rate_limit_ws=f"{HANDSHAKES_PER_MINUTE}/minute",
        ws_max_connections_per_user=MOST_AT_ONCE,
    )


async def closed_with(socket: Any) -> tuple[int, str]:
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(socket.recv(), 5)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def test_a_person_holds_at_most_so_many_connections_at_once(app: Any, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    async with served(app) as base:
        async with open_socket(base, token=ann.access_token) as first, open_socket(base, token=ann.access_token):
            await next_event(first, "hello")
            async with open_socket(base, token=ann.access_token) as third:
                assert await closed_with(third) == (4429, "too many connections: at most 2 at once")
            async with open_socket(base, token=bob.access_token) as other:  # per person
                await next_event(other, "hello")
        # Closing frees the slots (once the server has seen the close: a moment later).
        for _ in range(4):  # within the handshakes a minute allows
            await asyncio.sleep(0.1)
            async with (
                open_socket(base, token=ann.access_token) as one,
                open_socket(base, token=ann.access_token) as two,
            ):
                try:
                    await next_event(one, "hello", within=1)
                    await next_event(two, "hello", within=1)
                    break
                except ConnectionClosed:
                    pass
        else:
            pytest.fail("the closed connections kept their slots")


async def test_handshakes_are_rate_limited_per_person(app: Any, runtime: Runtime) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    async with served(app) as base:
        for _ in range(HANDSHAKES_PER_MINUTE):
            async with open_socket(base, token=ann.access_token) as socket:
                await next_event(socket, "hello")
        async with open_socket(base, token=ann.access_token) as socket:
            code, reason = await closed_with(socket)
        assert code == 4429
        assert reason.startswith("too many connection attempts: retry in ")
        async with open_socket(base, token=bob.access_token) as socket:  # from the same IP
            await next_event(socket, "hello")


async def test_failed_sign_ins_are_rate_limited_per_ip(app: Any, runtime: Runtime) -> None:
    ann = await member(runtime, "Ann")
    async with served(app) as base:
        for _ in range(HANDSHAKES_PER_MINUTE):
            async with open_socket(base, authorization="Bearer not.a.token") as socket:
                assert await closed_with(socket) == (4401, "unauthenticated")
        async with open_socket(base) as socket:
            code, _reason = await closed_with(socket)
        assert code == 4429
        async with open_socket(base, token=ann.access_token) as socket:  # people signed in are counted apart
            await next_event(socket, "hello")
