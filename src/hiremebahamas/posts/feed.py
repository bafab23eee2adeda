"""The feed: your own posts and those of people you follow, newest first.

Pages come from each reader's home timeline (posts/timelines.py: the ids of the newest posts,
written when a post is made), so a page view costs a range read and one query loading those
posts; deeper pages, and the first visit, read the database.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import metrics
from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.pagination import PageParams
from hiremebahamas.models import User
from hiremebahamas.posts import repository
from hiremebahamas.posts.cards import PostCard, PostPage, cursor_after
from hiremebahamas.posts.rendering import mentions_in
from hiremebahamas.posts.timelines import LENGTH, Entry, Timelines


async def feed_page(session: AsyncSession, timelines: Timelines, viewer: User, params: PageParams) -> PostPage:
    """A page of the viewer's feed: ids from their timeline (built from the database on the
    first visit), the posts loaded fresh with the feed's rules applied again."""
    ids = await timelines.page(viewer.id, params.cursor, params.limit + 1)
    metrics.count_cache("feed", "hit" if ids is not None else "miss" if params.cursor is None else "bypass")
    if ids is None and params.cursor is None:
        entries = await repository.feed_entries(session, viewer.id, LENGTH)
        await timelines.replace(viewer.id, [Entry.of(post_id, at) for post_id, at in entries])
        ids = [post_id for post_id, _ in entries[: params.limit + 1]]
    if ids is None:  # deeper than the timeline reaches
        cards = await repository.feed_cards(session, viewer.id, params.cursor, params.limit + 1)
        return await _page(session, viewer, cards, params.limit, has_more=len(cards) > params.limit)
    cards = await repository.feed_cards_by_ids(session, viewer.id, ids)
    # A post deleted or hidden since it entered the timeline leaves a gap, not an early end.
    return await _page(session, viewer, cards, params.limit, has_more=len(ids) > params.limit)


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
