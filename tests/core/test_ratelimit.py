"""Rate limits shared through a real Redis by every instance, per instance without it, per client IP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from starlette.requests import Request

from hiremebahamas.app import create_app
from hiremebahamas.config import Settings
from hiremebahamas.core.clientip import client_ip
from hiremebahamas.core.runtime import create_runtime
from tests.conftest import empty_tables, make_settings
from tests.servers import RedisServer

RESET = "/api/auth/password-reset/request"


@asynccontextmanager
async def instances(settings: Settings, count: int) -> AsyncIterator[list[httpx.AsyncClient]]:
    """`count` app instances built from the same settings, as behind a load balancer."""
    async with AsyncExitStack() as stack:
        clients = []
        for _ in range(count):
            runtime = create_runtime(settings)
            stack.push_async_callback(runtime.close)
            transport = httpx.ASGITransport(app=create_app(settings, runtime))
            clients.append(await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://t")))
        try:
            yield clients
        finally:
            await empty_tables(runtime.database)


async def _reset_request(client: httpx.AsyncClient, forwarded_for: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return await client.post(RESET, json={"email": "nobody@example.com"}, headers=headers)


def _assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited"
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 61


@pytest.fixture
async def redis_url(redis_server: RedisServer) -> str:
    url = redis_server.url(3)
    client = Redis.from_url(url)
    await client.flushdb()  # counts from an earlier test (or engine) must not carry over
    await client.aclose()
    return url


async def test_instances_share_the_count_through_redis(database_url: str, redis_url: str, tmp_path: Path) -> None:
    settings = make_settings(
        database_url=database_url, var_dir=tmp_path, redis_url=redis_url, rate_limit_auth="3/minute"
    )
    async with instances(settings, 2) as (first, second):
        for client in (first, second, first):
            assert (await _reset_request(client)).status_code == 202
        _assert_limited(await _reset_request(second))
        _assert_limited(await _reset_request(first))


async def test_without_redis_each_instance_counts_alone(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url=database_url, var_dir=tmp_path, rate_limit_auth="3/minute")
    async with instances(settings, 2) as (first, second):
        for _ in range(3):
            assert (await _reset_request(first)).status_code == 202
        _assert_limited(await _reset_request(first))
        assert (await _reset_request(second)).status_code == 202


async def test_clients_behind_a_trusted_proxy_have_their_own_budget(database_url: str, tmp_path: Path) -> None:
    # The test client connects from 127.0.0.1, which is a trusted proxy by default.
    settings = make_settings(database_url=database_url, var_dir=tmp_path, rate_limit_auth="3/minute")
    async with instances(settings, 1) as (client,):
        for _ in range(3):
            assert (await _reset_request(client, "203.0.113.7")).status_code == 202
        _assert_limited(await _reset_request(client, "203.0.113.7"))
        assert (await _reset_request(client, "198.51.100.8")).status_code == 202


async def test_an_untrusted_peer_cannot_dodge_the_limit_with_forwarded_for(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(
        database_url=database_url, var_dir=tmp_path, rate_limit_auth="3/minute", trusted_proxies=["10.0.0.0/8"]
    )
    async with instances(settings, 1) as (client,):
        for number in range(3):
            assert (await _reset_request(client, f"203.0.113.{number}")).status_code == 202
        _assert_limited(await _reset_request(client, "203.0.113.99"))


def _request(peer: str | None, forwarded_for: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded_for.encode())] if forwarded_for is not None else []
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": b"",
        "headers": headers,
        "client": (peer, 50123) if peer else None,
    }
    return Request(scope)


PROXIES = ["127.0.0.1", "::1", "10.0.0.0/8"]


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "expected"),
    [
        ("198.51.100.4", "203.0.113.9", "198.51.100.4"),  # untrusted peer: its header is ignored
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
        # A client's own forged hop stays to the left of what our proxy appended.
        ("127.0.0.1", "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        ("10.0.0.5", "203.0.113.9, 10.1.2.3", "203.0.113.9"),  # two proxies of ours
        ("127.0.0.1", "10.0.0.7, 10.0.0.8", "10.0.0.7"),  # internal caller, every hop ours
        ("::1", "2001:db8::1", "2001:db8::1"),
        (None, "203.0.113.9", "unknown"),
    ],
)
def test_client_ip(peer: str | None, forwarded_for: str | None, expected: str) -> None:
    assert client_ip(_request(peer, forwarded_for), PROXIES) == expected
