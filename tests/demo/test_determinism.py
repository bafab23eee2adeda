"""The same seed on an empty database makes the same data."""

from __future__ import annotations

import time

from sqlalchemy import text

from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.demo.loader import load_demo_data
from hiremebahamas.demo.sizes import PRESETS
from tests.conftest import empty_tables

SNAPSHOT = [
    "SELECT id, username, created_at FROM users ORDER BY id",
    "SELECT id, author_id, body, like_count, comment_count FROM posts ORDER BY id",
    "SELECT follower_id, followee_id FROM follows ORDER BY 1, 2",
    "SELECT id, title, status, salary_min, featured_until FROM jobs ORDER BY id",
    "SELECT id, status FROM job_applications ORDER BY id",
    "SELECT id, sender_id, body FROM messages ORDER BY id",
    "SELECT id, user_id, type FROM notifications ORDER BY id",
]


async def _snapshot(runtime: Runtime) -> list[list[tuple[object, ...]]]:
    async with runtime.database.engine.connect() as connection:
        return [[tuple(row) for row in await connection.execute(text(sql))] for sql in SNAPSHOT]


async def test_same_seed_same_rows(settings: Settings, runtime: Runtime) -> None:
    now = time.time()
    await load_demo_data(settings, PRESETS["tiny"], seed=11, now=now)
    first = await _snapshot(runtime)
    await empty_tables(runtime.database)
    await load_demo_data(settings, PRESETS["tiny"], seed=11, now=now)
    assert await _snapshot(runtime) == first
    await empty_tables(runtime.database)
    await load_demo_data(settings, PRESETS["tiny"], seed=12, now=now)
    assert await _snapshot(runtime) != first
