"""Home timelines, in Redis and in the process: the same reads, trims and expiries."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from hiremebahamas.core.pagination import Position
from hiremebahamas.posts import timelines
from hiremebahamas.posts.timelines import Entry, MemoryTimelines, RedisTimelines, Timelines
from tests.servers import RedisServer, free_port

START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "redis"])
async def lines(request: pytest.FixtureRequest) -> AsyncIterator[Timelines]:
    if request.param == "memory":
        yield MemoryTimelines(idle_seconds=60)
        return
    server: RedisServer = request.getfixturevalue("redis_server")
    client = Redis.from_url(server.url(5))
    await client.flushdb()
    try:
        yield RedisTimelines(client, idle_seconds=60)
    finally:
        await client.aclose()


def _posts(count: int) -> list[tuple[uuid.UUID, datetime]]:
    """Newest first; the last two share a microsecond, as posts made at once can."""
    made = [(uuid.uuid4(), START + timedelta(seconds=n)) for n in range(count - 1)]
    made.append((uuid.uuid4(), made[-1][1]))
    return sorted(made, key=lambda post: (post[1], post[0]), reverse=True)


async def test_pages_follow_the_feed_order_including_ties(lines: Timelines) -> None:
    posts = _posts(6)
    assert await lines.page(uuid.UUID(int=1), None, 3) is None  # not built yet
    reader = uuid.uuid4()
    await lines.replace(reader, [Entry.of(post_id, at) for post_id, at in posts])
    seen: list[uuid.UUID] = []
    position: Position | None = None
    while page := await lines.page(reader, position, 2):
        seen += page
        last = next(post for post in posts if post[0] == page[-1])
        position = Position(last[1], last[0])
    assert seen == [post_id for post_id, _ in posts]


async def test_adds_go_only_to_timelines_that_exist_and_are_trimmed(
    lines: Timelines, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timelines, "LENGTH", 3)
    reader, stranger = uuid.uuid4(), uuid.uuid4()
    await lines.replace(reader, [])
    assert await lines.page(reader, None, 5) == []  # built, and empty
    posts = _posts(5)
    for post_id, at in reversed(posts):
        await lines.add(Entry.of(post_id, at), [reader, stranger])
    assert await lines.page(stranger, None, 5) is None  # fan-out never builds a timeline
    newest = [post_id for post_id, _ in posts[:3]]
    assert await lines.page(reader, None, 3) == newest
    # Asking past what a trimmed timeline holds: the database must answer the rest.
    assert await lines.page(reader, None, 4) is None
    await lines.drop(reader)
    assert await lines.page(reader, None, 1) is None


async def test_with_redis_down_a_timeline_is_a_miss_and_nothing_is_kept() -> None:
    client = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    try:
        down = RedisTimelines(client, idle_seconds=60)
        await down.replace(uuid.uuid4(), [])  # not raised: the feed was already answered
        assert await down.page(uuid.uuid4(), None, 20) is None  # so the feed reads the database
    finally:
        await client.aclose()
