"""Remembered choices: the ids an expensive ranking picked, kept for a while in the key-value
store, so that a page view loads those rows by primary key instead of ranking again.

What is remembered is only *which* rows (ids in order); the rows themselves are always read
fresh, and the caller re-applies its cheap rules (still open, not yet followed, not blocked) when
it loads them, so a remembered list can hold fewer rows than it did, never a wrong one.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import tasks
from hiremebahamas.core.cache import KeyValueStore


@dataclass(frozen=True)
class Memory:
    """Where choices are remembered, and for how long (CACHE_DEFAULT_TTL; 0 remembers nothing)."""

    store: KeyValueStore
    ttl: int


async def remembered_ids(memory: Memory, key: str, choose: Callable[[], Awaitable[list[uuid.UUID]]]) -> list[uuid.UUID]:
    """The ids `choose()` returned for `key` within the last `memory.ttl` seconds, or its answer now."""
    if memory.ttl > 0 and (raw := await memory.store.get(key)) is not None:
        try:
            return [uuid.UUID(value) for value in json.loads(raw)]
        except (ValueError, TypeError):
            pass  # written by another version of the app: choose again
    ids = await choose()
    if memory.ttl > 0:
        await memory.store.set(key, json.dumps([str(value) for value in ids]), memory.ttl)
    return ids


# The choices made for one person ("jobs-for-you", ...), declared at import by the modules that
# make them: forgotten together when what they are made from (the person's profile) changes.
_PERSONAL: set[str] = set()


@dataclass(frozen=True)
class PersonalChoice:
    name: str

    def key(self, user_id: uuid.UUID) -> str:
        return f"{self.name}:{user_id}"


def personal_choice(name: str) -> PersonalChoice:
    _PERSONAL.add(name)
    return PersonalChoice(name)


def forget_person_after_commit(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Forget every choice made for `user_id` once the change to their profile commits."""
    forget_after_commit(session, *(PersonalChoice(name).key(user_id) for name in _PERSONAL))


def forget_after_commit(session: AsyncSession, *keys: str) -> None:
    """Have `keys` forgotten once `session` commits (before the request answers), so the next
    page view chooses again."""
    tasks.defer(session, forget_remembered, keys=sorted(keys))


@tasks.inline_task
async def forget_remembered(context: tasks.TaskContext, *, keys: list[str]) -> None:
    if context.store is not None:
        await context.store.delete(*keys)
