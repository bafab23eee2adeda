"""Home timelines: each active reader's feed as the ids of its newest posts, kept in Redis (or in
the process without REDIS_URL) and written when a post is made: fan-out on write, the way
Mastodon keeps home timelines.

Why: choosing a feed page from the posts table means merging the newest posts of everyone the
reader follows; for someone following thousands, or following no one active, no index serves
that cheaply on every page view. A timeline turns the page into a range read of ids plus one
query that loads those posts by primary key.

- With Redis down, a page reads the database as on a first visit, and nothing is kept.
- Only timelines being read exist: a timeline nobody has read for CACHE_FEED_TTL seconds expires,
  and the next visit builds it again from the database (one query). Fan-out adds a new post only
  to timelines that exist, so a post by an account with 50,000 followers costs one write per
  follower who is actually reading, in batches, in a background task.
- A timeline holds the newest LENGTH posts; a page deeper than that reads the database.
- Following, unfollowing and blocking drop the reader's timeline (rebuilt on the next visit),
  so it never holds posts of the wrong people; the page query applies the feed's rules again
  anyway (blocks, deactivated authors, deleted posts).
- Scores are creation times in integer microseconds (exact in a double); posts created in the
  same microsecond are ordered by id, as the database orders them.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
import time
import uuid
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import tasks
from hiremebahamas.core.cache import STORE_ERRORS, KeyValueStore, RedisStore
from hiremebahamas.core.pagination import Position
from hiremebahamas.models import Follow

logger = logging.getLogger(__name__)

LENGTH = 400
BATCH = 500


@dataclass(frozen=True, order=True)
class Entry:
    """One post in a timeline, ordered as the feed is (oldest first here; read in reverse)."""

    score: int
    post_id: str

    @classmethod
    def of(cls, post_id: uuid.UUID, created_at: datetime) -> Entry:
        return cls(micros(created_at), post_id.hex)


def micros(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def _before(entry: Entry, position: Position | None) -> bool:
    """Whether `entry` comes after `position` in the feed's newest-first order."""
    return position is None or entry < Entry(micros(position.at), position.id.hex)


class Timelines(Protocol):
    async def page(self, user_id: uuid.UUID, position: Position | None, count: int) -> list[uuid.UUID] | None:
        """Up to `count` post ids after `position`, newest first; None when the timeline is not
        there or does not reach that far (then the database answers)."""
        ...

    async def replace(self, user_id: uuid.UUID, entries: Sequence[Entry]) -> None: ...

    async def add(self, entry: Entry, user_ids: Iterable[uuid.UUID]) -> None:
        """Add a post to those of these timelines that exist."""
        ...

    async def drop(self, *user_ids: uuid.UUID) -> None: ...


def _complete_page(entries: list[Entry], position: Position | None, count: int, full: bool) -> list[uuid.UUID] | None:
    """The ids after `position`; None when the timeline ran out and may not hold everything (it
    was trimmed to LENGTH), so the rest must come from the database."""
    after = [entry for entry in entries if _before(entry, position)][:count]
    if len(after) < count and full:
        return None
    return [uuid.UUID(hex=entry.post_id) for entry in after]


# Adds a post to each timeline in KEYS that exists, keeping the newest LENGTH; ARGV: score,
# member, LENGTH. A missing timeline stays missing: it is built whole on its owner's next visit.
_ADD_TO_EXISTING = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('ZADD', key, ARGV[1], ARGV[2])
    redis.call('ZREMRANGEBYRANK', key, 0, -(tonumber(ARGV[3]) + 1))
  end
end
return 0
"""
# Marks a timeline that exists but holds no post (someone who follows nobody active yet).
_EMPTY = "-"


class RedisTimelines:
    def __init__(self, redis: Redis, idle_seconds: int, prefix: str = "hmb:timeline:") -> None:
        self.redis = redis
        self.idle_seconds = max(1, idle_seconds)
        self.prefix = prefix
        self._add = redis.register_script(_ADD_TO_EXISTING)

    def _key(self, user_id: uuid.UUID) -> str:
        return f"{self.prefix}{user_id.hex}"

    async def page(self, user_id: uuid.UUID, position: Position | None, count: int) -> list[uuid.UUID] | None:
        key = self._key(user_id)
        top = "+inf" if position is None else str(micros(position.at))
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                # A few extra for the posts that share the cursor's microsecond, filtered below.
                pipe.zrevrangebyscore(key, top, "-inf", start=0, num=count + 8, withscores=True)
                pipe.zcard(key)
                pipe.expire(key, self.idle_seconds)
                rows, size, _ = await pipe.execute()
        except STORE_ERRORS:
            # Redis down: the feed reads the database, as for a first visit (module docstring).
            logger.warning("home timelines unavailable; reading the feed from the database", exc_info=True)
            return None
        if size == 0:
            return None
        entries = sorted(
            (Entry(int(score), member.decode()) for member, score in rows if member != _EMPTY.encode()), reverse=True
        )
        return _complete_page(entries, position, count, full=size >= LENGTH)

    async def replace(self, user_id: uuid.UUID, entries: Sequence[Entry]) -> None:
        key = self._key(user_id)
        members: dict[str, float] = {entry.post_id: entry.score for entry in entries[:LENGTH]}
        with contextlib.suppress(*STORE_ERRORS):  # down: built again on a visit once it is back
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(key)
                pipe.zadd(key, members or {_EMPTY: 0})
                pipe.expire(key, self.idle_seconds)
                await pipe.execute()

    async def add(self, entry: Entry, user_ids: Iterable[uuid.UUID]) -> None:
        keys = [self._key(user_id) for user_id in user_ids]
        for start in range(0, len(keys), BATCH):
            await self._add(keys=keys[start : start + BATCH], args=[entry.score, entry.post_id, LENGTH])

    async def drop(self, *user_ids: uuid.UUID) -> None:
        if user_ids:
            await self.redis.delete(*(self._key(user_id) for user_id in user_ids))


class MemoryTimelines:
    """The same for one process (the embedded default, where the web process is all there is)."""

    def __init__(self, idle_seconds: int) -> None:
        self.idle_seconds = max(1, idle_seconds)
        self._lines: dict[uuid.UUID, tuple[list[Entry], float]] = {}

    def _live(self, user_id: uuid.UUID) -> list[Entry] | None:
        found = self._lines.get(user_id)
        if found is None or found[1] <= time.monotonic():
            self._lines.pop(user_id, None)
            return None
        return found[0]

    async def page(self, user_id: uuid.UUID, position: Position | None, count: int) -> list[uuid.UUID] | None:
        entries = self._live(user_id)
        if entries is None:
            return None
        self._lines[user_id] = (entries, time.monotonic() + self.idle_seconds)
        return _complete_page(list(reversed(entries)), position, count, full=len(entries) >= LENGTH)

    async def replace(self, user_id: uuid.UUID, entries: Sequence[Entry]) -> None:
        if len(self._lines) > 10_000:  # a bound for a long-running process: forget the expired
            for key in [key for key in self._lines if self._live(key) is None]:
                self._lines.pop(key, None)
        self._lines[user_id] = (sorted(entries[:LENGTH]), time.monotonic() + self.idle_seconds)

    async def add(self, entry: Entry, user_ids: Iterable[uuid.UUID]) -> None:
        for user_id in user_ids:
            entries = self._live(user_id)
            if entries is not None and entry not in entries:
                bisect.insort(entries, entry)
                del entries[:-LENGTH]

    async def drop(self, *user_ids: uuid.UUID) -> None:
        for user_id in user_ids:
            self._lines.pop(user_id, None)


_OF_STORE: weakref.WeakKeyDictionary[KeyValueStore, Timelines] = weakref.WeakKeyDictionary()


def timelines_of(store: KeyValueStore, idle_seconds: int) -> Timelines:
    """The timelines beside a key-value store: in Redis with a Redis store, else in this
    process, shared by its requests and its in-process tasks (which hold the same store)."""
    timelines = _OF_STORE.get(store)
    if timelines is None:
        if isinstance(store, RedisStore):
            timelines = RedisTimelines(store.client, idle_seconds)
        else:
            timelines = MemoryTimelines(idle_seconds)
        _OF_STORE[store] = timelines
    return timelines


def drop_after_commit(session: AsyncSession, *user_ids: uuid.UUID) -> None:
    """Drop these readers' timelines once a change to whom they follow commits."""
    tasks.defer(session, drop_timelines, user_ids=sorted(str(user_id) for user_id in user_ids))


@tasks.inline_task
async def drop_timelines(context: tasks.TaskContext, *, user_ids: list[str]) -> None:
    if context.store is not None:
        timelines = timelines_of(context.store, context.settings.cache_feed_ttl)
        await timelines.drop(*(uuid.UUID(user_id) for user_id in user_ids))


def fan_out_after_commit(session: AsyncSession, post_id: uuid.UUID, author_id: uuid.UUID, at: datetime) -> None:
    """Once a new post commits: into its author's timeline before the request answers (they
    see it at once), and into the timelines of their followers in the background."""
    post, author, at_text = str(post_id), str(author_id), at.isoformat()
    tasks.defer(session, add_to_own_timeline, post_id=post, author_id=author, at=at_text)
    tasks.defer(session, fan_out_post, post_id=post, author_id=author, at=at_text)


def _entry(post_id: str, at: str) -> Entry:
    return Entry(micros(datetime.fromisoformat(at)), uuid.UUID(post_id).hex)


@tasks.inline_task
async def add_to_own_timeline(context: tasks.TaskContext, *, post_id: str, author_id: str, at: str) -> None:
    if context.store is not None:
        timelines = timelines_of(context.store, context.settings.cache_feed_ttl)
        await timelines.add(_entry(post_id, at), [uuid.UUID(author_id)])


@tasks.task
async def fan_out_post(context: tasks.TaskContext, *, post_id: str, author_id: str, at: str) -> None:
    """Safe to run twice: adding a post a timeline already holds changes nothing."""
    if context.store is None:
        return
    query = select(Follow.follower_id).where(Follow.followee_id == uuid.UUID(author_id))
    async with context.database.sessionmaker() as session:
        followers = list((await session.execute(query)).scalars())
    await timelines_of(context.store, context.settings.cache_feed_ttl).add(_entry(post_id, at), followers)
