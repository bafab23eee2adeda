"""Remembered choices: the ids an expensive ranking picked, kept for a while in the key-value
store, so that a page view loads those rows by primary key instead of ranking again.

What is remembered is only *which* rows (ids in order); the rows themselves are always read
fresh, and the caller re-applies its cheap rules (still open, not yet followed, not blocked) when
it loads them, so a remembered list can hold fewer rows than it did, never a wrong one.

Remembering is only a saving: with the store unreachable (Redis down), the answer is worked out
at each view and the page is served as usual.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import tasks
from hiremebahamas.core.cache import STORE_ERRORS, KeyValueStore

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Memory:
    """Where choices are remembered, and for how long (CACHE_DEFAULT_TTL; 0 remembers nothing)."""

    store: KeyValueStore
    ttl: int


async def remembered(memory: Memory, key: str, work_out: Callable[[], Awaitable[T]], read: Callable[[Any], T]) -> T:
    """What `work_out()` answered for `key` within the last `memory.ttl` seconds, or its answer
    now. The answer is kept as JSON; `read` turns the JSON back into it, raising ValueError or
    TypeError on a value it cannot read (one written by another version of the app)."""
    if (raw := await _recall(memory, key)) is not None:
        try:
            return read(json.loads(raw))
        except (ValueError, TypeError):
            pass  # work it out again
    answer = await work_out()
    if memory.ttl > 0:
        try:
            await memory.store.set(key, json.dumps(answer, default=str), memory.ttl)
        except STORE_ERRORS:
            logger.warning("remembered value not kept: the store is unreachable", extra={"key": key})
    return answer


async def _recall(memory: Memory, key: str) -> str | None:
    if memory.ttl <= 0:
        return None
    try:
        return await memory.store.get(key)
    except STORE_ERRORS:
        logger.warning("remembered value not read: the store is unreachable", extra={"key": key})
        return None


def _ids(value: Any) -> list[uuid.UUID]:
    return [uuid.UUID(item) for item in value]


async def remembered_ids(memory: Memory, key: str, choose: Callable[[], Awaitable[list[uuid.UUID]]]) -> list[uuid.UUID]:
    """The ids `choose()` returned for `key` within the last `memory.ttl` seconds, or its answer now."""
    return await remembered(memory, key, choose, _ids)


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
    if context.store is None:
        return
    try:
        await context.store.delete(*keys)
    except STORE_ERRORS:
        # What was remembered is a choice of ids, re-checked at each view, and gone after its TTL.
        logger.warning("remembered values not forgotten: the store is unreachable", extra={"keys": keys})
