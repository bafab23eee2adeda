"""The in-process key-value store stays bounded, whatever keys arrive."""

from __future__ import annotations

import pytest

from hiremebahamas.core.cache import MemoryStore


async def test_past_its_bound_the_store_drops_the_expired_then_the_oldest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MemoryStore, "MAX_ENTRIES", 3)
    store = MemoryStore()
    await store.set("gone", "x", 0)  # expired at once
    await store.set("old", "1", 60)
    await store.set("newer", "2", 60)
    await store.set("new", "3", 60)  # at the bound: the expired one makes room
    assert [await store.get(key) for key in ("old", "newer", "new")] == ["1", "2", "3"]
    for n in range(5):  # a stream of keys never seen again
        await store.set_bytes(f"page-{n}", b"...", 60)
    assert len(store._data) <= 3
    assert await store.get_bytes("page-4") == b"..."
    assert await store.get("old") is None  # the oldest written went first
