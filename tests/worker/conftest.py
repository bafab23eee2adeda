"""Worker tests run the app with REDIS_URL set, so committed tasks go to the arq queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio import Redis

from hiremebahamas.config import Settings
from tests.conftest import make_settings
from tests.servers import RedisServer


@pytest.fixture
async def redis_url(redis_server: RedisServer) -> str:
    url = redis_server.url(7)
    client = Redis.from_url(url)
    await client.flushdb()  # jobs of an earlier test (or engine) must not carry over
    await client.aclose()
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path, redis_url: str) -> Settings:
    return make_settings(database_url=database_url, var_dir=tmp_path / "web", redis_url=redis_url)


@pytest.fixture
def worker_settings(database_url: str, tmp_path: Path, redis_url: str) -> Settings:
    """The worker's own settings: a separate outbox, so we see which process sent an email."""
    return make_settings(database_url=database_url, var_dir=tmp_path / "worker", redis_url=redis_url)
