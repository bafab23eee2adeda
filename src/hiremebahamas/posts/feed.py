"""The feed: your own posts and those of people you follow, newest first.

Caching (per `CACHE_FEED_TTL`): the first page of a person's feed is remembered as the list of
its post ids, under a key carrying a per-person version. Choosing which posts belong on the page
(a scan over everyone you follow) is the expensive part; a cache hit instead loads those posts
by primary key, in the same single query that loads authors, images and likes. So a hit still
shows live counts, edits and deletions, and `liked_by_me` is never stale.

Freshness:
- What you do shows at once: a hit also loads your own posts written since the page was cached,
  and the posts of people you followed since then (with a margin for transactions that
  committed late). Nothing has to be invalidated, so there is no invalidation to race.
- Unfollows and blocks apply at once: a hit re-applies the feed's rules to the cached ids.
- New posts by people you already followed appear when the cached page expires (at most the
  TTL), or at once when something calls `FeedCache.invalidate` for you.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import metrics
from hiremebahamas.core.cache import KeyValueStore
from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.pagination import PageParams
from hiremebahamas.models import User
from hiremebahamas.models.base import utcnow
from hiremebahamas.posts import repository
from hiremebahamas.posts.cards import PostCard, PostPage, cursor_after
from hiremebahamas.posts.rendering import mentions_in

# A post or follow committed this long after its row's created_at was stamped still counts as
# newer than the cached page.
LATE_COMMIT_MARGIN = timedelta(seconds=60)


@dataclass(frozen=True)
class CachedPage:
    ids: list[uuid.UUID]
    has_more: bool
    cached_at: datetime

    def dumps(self) -> str:
        return json.dumps({"ids": [str(i) for i in self.ids], "more": self.has_more, "at": self.cached_at.isoformat()})

    @classmethod
    def loads(cls, raw: str) -> CachedPage | None:
        try:
            data = json.loads(raw)
            ids = [uuid.UUID(i) for i in data["ids"]]
            return cls(ids, bool(data["more"]), datetime.fromisoformat(data["at"]))
        except (ValueError, KeyError, TypeError):
            return None  # written by another version of the app: treat as a miss

    def keeps(self, card: PostCard, boundary: PostCard | None) -> bool:
        """A card of the refreshed page: a cached post, or a newer one (the viewer's own, or by
        someone they just followed). One older than the cached page's last post belongs to a
        later page; showing it here would make the next page's cursor skip the posts between."""
        if card.id in self.ids or boundary is None or not self.has_more:
            return True
        return (card.created_at, card.id) > (boundary.created_at, boundary.id)


@dataclass(frozen=True)
class FeedCache:
    store: KeyValueStore
    ttl: int

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    @staticmethod
    def _version_key(user_id: uuid.UUID) -> str:
        return f"feed-version:{user_id}"

    async def key(self, user_id: uuid.UUID, limit: int) -> str:
        version = await self.store.get(self._version_key(user_id)) or "0"
        return f"feed:{user_id}:{version}:{limit}"

    async def read(self, key: str) -> CachedPage | None:
        raw = await self.store.get(key)
        return CachedPage.loads(raw) if raw is not None else None

    async def write(self, key: str, page: CachedPage) -> None:
        await self.store.set(key, page.dumps(), self.ttl)

    async def invalidate(self, user_id: uuid.UUID) -> None:
        """Forget `user_id`'s cached feed pages (all page sizes) by moving to a new version.

        A random version is never reused; it lives for twice the TTL, so when it expires every
        page cached under the default version has expired too.
        """
        await self.store.set(self._version_key(user_id), secrets.token_hex(8), max(2 * self.ttl, 60))


async def feed_page(session: AsyncSession, cache: FeedCache | None, viewer: User, params: PageParams) -> PostPage:
    if params.cursor is not None or cache is None or not cache.enabled:
        metrics.count_cache("feed", "bypass")  # later pages, or the cache turned off
        cards = await repository.feed_cards(session, viewer.id, params.cursor, params.limit + 1)
        return await _page(session, viewer, cards, params.limit, has_more=len(cards) > params.limit)
    key = await cache.key(viewer.id, params.limit)
    cached = await cache.read(key)
    metrics.count_cache("feed", "miss" if cached is None else "hit")
    if cached is None:
        started = utcnow()
        cards = await repository.feed_cards(session, viewer.id, None, params.limit + 1)
        has_more = len(cards) > params.limit
        await cache.write(key, CachedPage([card.id for card in cards[: params.limit]], has_more, started))
        return await _page(session, viewer, cards, params.limit, has_more=has_more)
    since = cached.cached_at - LATE_COMMIT_MARGIN
    cards = await repository.feed_cards_by_id(session, viewer.id, cached.ids, since, params.limit + 1)
    boundary = next((card for card in reversed(cards) if card.id in cached.ids), None)
    cards = [card for card in cards if cached.keeps(card, boundary)]
    return await _page(session, viewer, cards, params.limit, has_more=cached.has_more or len(cards) > params.limit)


async def posts_of(session: AsyncSession, viewer: User, username: str, params: PageParams) -> PostPage:
    """A person's posts, newest first; 404 when there is no such person or a block stands
    between them and the viewer."""
    query = select(User.id).where(User.username == username.strip().lower())
    author_id = (await session.execute(query)).scalar_one_or_none()
    if author_id is None or not await repository.is_visible(session, viewer.id, author_id):
        raise NotFound("We could not find that person.")
    cards = await repository.author_cards(session, viewer.id, author_id, params.cursor, params.limit + 1)
    return await _page(session, viewer, cards, params.limit, has_more=len(cards) > params.limit)


async def _page(session: AsyncSession, viewer: User, cards: list[PostCard], limit: int, *, has_more: bool) -> PostPage:
    items = cards[:limit]
    usernames = await repository.existing_usernames(session, viewer.id, mentions_in(c.post.body for c in items))
    return PostPage(items, cursor_after(items[-1]) if has_more and items else None, usernames)
