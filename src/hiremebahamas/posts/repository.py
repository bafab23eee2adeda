"""Queries for posts and comments. Each list is ONE query (posts joined to their authors,
profiles, images and the viewer's likes), plus one for the mentions of the whole page."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import BindParameter, ColumnElement, Integer, Row, Select, Uuid, and_, bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hiremebahamas.core.pagination import Position, newest_first_after
from hiremebahamas.models import Comment, Follow, Post, PostLike, Profile, Upload, User
from hiremebahamas.posts.cards import Author, CommentCard, PostCard
from hiremebahamas.social.graph import blocked_between_clause, followee_ids

# More distinct mentions than this on one page are left unlinked rather than looked up.
MAX_MENTIONS_PER_PAGE = 1000


def visible_author(
    author_id: ColumnElement[uuid.UUID], viewer_id: uuid.UUID | BindParameter[uuid.UUID]
) -> ColumnElement[bool]:
    """Content `viewer_id` may see: its author is active and neither blocked the other.
    Needs User joined on the author."""
    return and_(User.is_active.is_(True), ~blocked_between_clause(author_id, viewer_id))


def in_feed_of(viewer_id: uuid.UUID) -> ColumnElement[bool]:
    return or_(Post.author_id == viewer_id, Post.author_id.in_(followee_ids(viewer_id)))


CardQuery = Select[Post, User, str | None, uuid.UUID | None, Upload | None, bool]


def _post_cards(viewer_id: uuid.UUID | BindParameter[uuid.UUID]) -> CardQuery:
    image = aliased(Upload, name="post_image")
    liked = exists().where(PostLike.post_id == Post.id, PostLike.user_id == viewer_id)
    return (
        select(Post, User, Profile.headline, Profile.avatar_upload_id, image, liked.label("liked_by_me"))
        .join(User, User.id == Post.author_id)
        .outerjoin(Profile, Profile.user_id == Post.author_id)
        .outerjoin(image, image.id == Post.image_upload_id)
        .where(
            visible_author(Post.author_id.expression, viewer_id),
            # Removed by moderators: only its author still sees it (marked so).
            or_(Post.removed_at.is_(None), Post.author_id == viewer_id),
        )
    )


def _post_card(row: Row[Post, User, str | None, uuid.UUID | None, Upload | None, bool]) -> PostCard:
    post, user, headline, avatar_upload_id, image, liked = row
    return PostCard(post, Author(user, headline or "", avatar_upload_id), image, bool(liked))


def _newest_first(query: CardQuery, position: Position | None, limit: int) -> CardQuery:
    after = newest_first_after(Post.created_at, Post.id, position)
    if after is not None:
        query = query.where(after)
    return query.order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)


async def _cards(session: AsyncSession, query: CardQuery) -> list[PostCard]:
    return [_post_card(row) for row in await session.execute(query)]


@functools.cache
def _one_post_card() -> CardQuery:
    """Built once: every post page, and every post written through the API, loads its card."""
    return _post_cards(bindparam("viewer_id", type_=Uuid)).where(Post.id == bindparam("post_id", type_=Uuid))


async def post_card(session: AsyncSession, viewer_id: uuid.UUID, post_id: uuid.UUID) -> PostCard | None:
    rows = await session.execute(_one_post_card(), {"viewer_id": viewer_id, "post_id": post_id})
    cards = [_post_card(row) for row in rows]
    return cards[0] if cards else None


async def feed_cards(
    session: AsyncSession, viewer_id: uuid.UUID, position: Position | None, limit: int
) -> list[PostCard]:
    """Up to `limit` posts of the viewer's feed after `position`, newest first."""
    query = _post_cards(viewer_id).where(in_feed_of(viewer_id))
    return await _cards(session, _newest_first(query, position, limit))


@functools.cache
def _timeline_cards() -> CardQuery:
    """The statement behind every feed page, built once with its values as parameters: building
    it took a tenth of a feed request's time, each time."""
    viewer_id = bindparam("viewer_id", type_=Uuid)
    # Per post, is its author still followed: a key lookup each, where `in_feed_of` would read
    # the whole list of people followed (thousands, for some) to check a page of 20.
    followed = exists().where(Follow.follower_id == viewer_id, Follow.followee_id == Post.author_id)
    query = _post_cards(viewer_id).where(
        Post.id.in_(bindparam("ids", expanding=True, type_=Uuid)), or_(Post.author_id == viewer_id, followed)
    )
    return query.order_by(Post.created_at.desc(), Post.id.desc())


async def feed_cards_by_ids(session: AsyncSession, viewer_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[PostCard]:
    """The posts `ids` of the viewer's timeline as they are now, newest first, with the feed's
    rules applied again (an unfollow, a block or a deletion shows at once)."""
    if not ids:
        return []
    rows = await session.execute(_timeline_cards(), {"viewer_id": viewer_id, "ids": list(ids)})
    return [_post_card(row) for row in rows]


async def feed_entries(session: AsyncSession, viewer_id: uuid.UUID, limit: int) -> list[tuple[uuid.UUID, datetime]]:
    """The ids and times of the newest `limit` posts of the viewer's feed: what builds their
    timeline (posts/timelines.py)."""
    query = (
        select(Post.id, Post.created_at)
        .where(in_feed_of(viewer_id))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    )
    return [(post_id, at) for post_id, at in await session.execute(query)]


async def author_cards(
    session: AsyncSession, viewer_id: uuid.UUID, author_id: uuid.UUID, position: Position | None, limit: int
) -> list[PostCard]:
    query = _post_cards(viewer_id).where(Post.author_id == author_id)
    return await _cards(session, _newest_first(query, position, limit))


# The statements below run on every like, comment and comment page. Each is built once with its
# values as parameters: building the block check anew took longer than running it.


@functools.cache
def _is_visible() -> Select[uuid.UUID]:
    viewer_id = bindparam("viewer_id", type_=Uuid)
    return select(User.id).where(
        User.id == bindparam("author_id", type_=Uuid), visible_author(User.id.expression, viewer_id)
    )


async def is_visible(session: AsyncSession, viewer_id: uuid.UUID, author_id: uuid.UUID) -> bool:
    params = {"viewer_id": viewer_id, "author_id": author_id}
    return (await session.execute(_is_visible(), params)).first() is not None


@functools.cache
def _visible_post() -> Select[Post]:
    viewer_id = bindparam("viewer_id", type_=Uuid)
    return (
        select(Post)
        .join(User, User.id == Post.author_id)
        .where(
            Post.id == bindparam("post_id", type_=Uuid),
            visible_author(Post.author_id.expression, viewer_id),
            Post.removed_at.is_(None),  # nobody likes or comments on a removed post
        )
    )


async def visible_post(session: AsyncSession, viewer_id: uuid.UUID, post_id: uuid.UUID) -> Post | None:
    """The post, if the viewer may see it (its author active, no block either way)."""
    params = {"viewer_id": viewer_id, "post_id": post_id}
    return (await session.execute(_visible_post(), params)).scalar_one_or_none()


CommentQuery = Select[Comment, User, str | None, uuid.UUID | None]


@functools.cache
def _comment_cards(*, after: bool, only: bool) -> CommentQuery:
    viewer_id = bindparam("viewer_id", type_=Uuid)
    query = (
        select(Comment, User, Profile.headline, Profile.avatar_upload_id)
        .join(User, User.id == Comment.author_id)
        .outerjoin(Profile, Profile.user_id == Comment.author_id)
        .where(
            Comment.post_id == bindparam("post_id", type_=Uuid),
            visible_author(Comment.author_id.expression, viewer_id),
            or_(Comment.removed_at.is_(None), Comment.author_id == viewer_id),
        )
    )
    if only:
        query = query.where(Comment.id == bindparam("only", type_=Uuid))
    if after:
        at = bindparam("after_at", type_=Comment.created_at.type)
        query = query.where(
            or_(Comment.created_at > at, and_(Comment.created_at == at, Comment.id > bindparam("after_id", type_=Uuid)))
        )
    return query.order_by(Comment.created_at, Comment.id).limit(bindparam("limit", type_=Integer))


async def comment_cards(
    session: AsyncSession,
    viewer_id: uuid.UUID,
    post: Post,
    position: Position | None,
    limit: int,
    *,
    only: uuid.UUID | None = None,
) -> list[CommentCard]:
    """Comments on `post` after `position`, oldest first, without those of people the viewer
    blocked (or who blocked the viewer); `only` picks one comment."""
    params: dict[str, object] = {"viewer_id": viewer_id, "post_id": post.id, "only": only, "limit": limit}
    if position is not None:
        params |= {"after_at": position.at, "after_id": position.id}
    query = _comment_cards(after=position is not None, only=only is not None)
    return [
        CommentCard(comment, Author(user, headline or "", avatar_upload_id), post.author_id)
        for comment, user, headline, avatar_upload_id in await session.execute(query, params)
    ]


async def existing_usernames(session: AsyncSession, viewer_id: uuid.UUID, names: Collection[str]) -> frozenset[str]:
    """Which of `names` are people the viewer may see: one query for a whole page."""
    if not names:
        return frozenset()
    params = {"viewer_id": viewer_id, "names": sorted(names)[:MAX_MENTIONS_PER_PAGE]}
    return frozenset((await session.execute(_existing_usernames(), params)).scalars())


@functools.cache
def _existing_usernames() -> Select[str]:
    viewer_id = bindparam("viewer_id", type_=Uuid)
    names = bindparam("names", expanding=True, type_=User.username.type)
    return select(User.username).where(User.username.in_(names), visible_author(User.id.expression, viewer_id))


async def mentionable_users(session: AsyncSession, author_id: uuid.UUID, names: Collection[str]) -> list[User]:
    """People to notify of a mention by `author_id`."""
    if not names:
        return []
    query = select(User).where(User.username.in_(sorted(names)), visible_author(User.id.expression, author_id))
    return list((await session.execute(query)).scalars())
