"""The answers anonymous visitors get for a profile, cached per CACHE_USER_TTL: the JSON of
GET /api/users/{username} and the page /u/{username}, each under its own `kind`.

Only a profile's full public answer is cached. Every refusal (unknown name, members-only,
suspended or deactivated) is worked out afresh each time, so nothing a visibility rule refuses is
ever stored, and a 404 never outlives the registration of its name.

Freshness:
- Whatever changes the answer (names, username, headline, bio, island, links, skills,
  visibility, availability, picture, experience and education entries) calls
  `forget_after_commit`: the answer is forgotten once the change commits, before the request
  that made it answers (an inline task, core/tasks.py), so the next visitor sees the change.
- No race with a visitor reading meanwhile: keys carry a per-name version read before the
  database, and forgetting moves to a new version. An answer built from data read before the
  commit is stored under the old version, which nobody reads any more (posts/feed.py's way).
- A hit re-checks, in one indexed query, that the name still belongs to the same person and
  that they are active and public, and reads whether they let search engines index them (the
  X-Robots-Tag header is not part of what is kept). A suspension, a deactivation or an edit made outside these
  services (a database console) is therefore never served from the cache.
- Follower and following counts may lag by up to CACHE_USER_TTL: following someone does not
  forget their answer, or a popular profile would never stay cached. Signed-in viewers, who
  can follow, always get the live counts.
"""

from __future__ import annotations

import contextlib
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import metrics, tasks
from hiremebahamas.core.cache import STORE_ERRORS, KeyValueStore
from hiremebahamas.models import Profile, ProfileVisibility, User


def _name(username: str) -> str:
    return username.strip().lower()


def _version_key(username: str) -> str:
    return f"profile-version:{_name(username)}"


@dataclass(frozen=True)
class CachedAnswer:
    body: str
    indexable: bool
    """The person's `search_engine_indexing` control, read afresh with the hit."""


@dataclass(frozen=True)
class ProfileCache:
    store: KeyValueStore
    ttl: int
    kind: str = "profile"
    """What is kept ("profile": the API's JSON, "profile_page": the HTML page); also the name
    of its hit/miss counter."""

    async def key(self, username: str) -> str:
        try:
            version = await self.store.get(_version_key(username)) or "0"
        except STORE_ERRORS:
            version = "0"  # the store is down: nothing is read or kept under this key anyway
        return f"{self.kind}:anonymous:{version}:{_name(username)}"

    async def read(self, session: AsyncSession, key: str, username: str) -> CachedAnswer | None:
        """The cached answer under `key`, if the person is still the one it shows and still
        public to everyone."""
        if self.ttl <= 0:
            metrics.count_cache(self.kind, "bypass")
            return None
        try:
            raw = await self.store.get(key)
        except STORE_ERRORS:  # Redis down: the answer is built afresh, as on a miss
            metrics.count_cache(self.kind, "bypass")
            return None
        if raw is None:
            metrics.count_cache(self.kind, "miss")
            return None
        cached_id, _, body = raw.partition("\n")
        query = (
            select(User.id, User.is_active, Profile.visibility, Profile.search_engine_indexing)
            .outerjoin(Profile, Profile.user_id == User.id)
            .where(User.username == _name(username))
        )
        row = (await session.execute(query)).one_or_none()
        public = row is not None and row.is_active and row.visibility in (None, ProfileVisibility.PUBLIC)
        if not public or row is None or str(row.id) != cached_id:
            with contextlib.suppress(*STORE_ERRORS):  # it expires with its TTL otherwise
                await self.store.delete(key)
            metrics.count_cache(self.kind, "miss")
            return None
        metrics.count_cache(self.kind, "hit")
        return CachedAnswer(body, indexable=row.search_engine_indexing is not False)

    async def write(self, key: str, user_id: uuid.UUID, body: str) -> None:
        if self.ttl > 0:
            with contextlib.suppress(*STORE_ERRORS):  # not kept: the next visitor builds it again
                await self.store.set(key, f"{user_id}\n{body}", self.ttl)

    async def forget(self, *usernames: str) -> None:
        """Forget the cached answers for `usernames` by moving each to a new version. A version
        lives twice the TTL, so when it expires every answer stored under the default one has
        expired too."""
        for username in usernames:
            await self.store.set(_version_key(username), secrets.token_hex(8), max(2 * self.ttl, 60))


def forget_after_commit(session: AsyncSession, *usernames: str) -> None:
    """Have the anonymous answers of `usernames` forgotten once `session` commits."""
    tasks.defer(session, forget_cached_profiles, usernames=sorted({_name(name) for name in usernames}))


@tasks.inline_task
async def forget_cached_profiles(context: tasks.TaskContext, *, usernames: list[str]) -> None:
    if context.store is not None:
        await ProfileCache(context.store, context.settings.cache_user_ttl).forget(*usernames)
