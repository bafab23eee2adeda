"""Post rules: write, edit, delete, like, comment, and who may see what.

Blocks: content of people you blocked, or who blocked you, does not exist for you. Reading,
liking or commenting on such a post answers 404 `not_found`, exactly like a post that was
deleted, so a block is never revealed. Acting on a visible post you may not change (editing
someone else's post) answers 403 `forbidden`.

Publishing (posting, commenting, liking) needs a verified email: 403 `email_unverified`.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass

from sqlalchemy import Integer, Uuid, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.dml import ReturningUpdate

from hiremebahamas.analytics.events import Event, record
from hiremebahamas.billing import entitlements
from hiremebahamas.core.errors import EmailUnverified, Forbidden, NotFound, ValidationFailed
from hiremebahamas.core.pagination import PageParams
from hiremebahamas.core.sql import affected_rows, insert_ignoring_conflicts
from hiremebahamas.models import Comment, Post, PostLike, UploadPurpose, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.notifications.service import notify
from hiremebahamas.posts import repository, timelines
from hiremebahamas.posts.cards import CommentCard, CommentPage, PostCard, cursor_after
from hiremebahamas.posts.rendering import mentioned_usernames, mentions_in
from hiremebahamas.posts.schemas import MAX_COMMENT_LENGTH, MAX_POST_LENGTH, CommentIn, PostIn, PostUpdateIn
from hiremebahamas.uploads.service import owned_upload

POST_NOT_FOUND = "This post does not exist or was deleted."
COMMENT_NOT_FOUND = "This comment does not exist or was deleted."
# People beyond this many in one text are not notified (a list of names is not a conversation).
MAX_MENTION_NOTIFICATIONS = 20


@dataclass(frozen=True)
class LikeResult:
    liked: bool
    like_count: int


@dataclass(frozen=True)
class PostView:
    card: PostCard
    usernames: frozenset[str]


def _require_verified(actor: User) -> None:
    if not actor.email_verified:
        raise EmailUnverified()


def clean_body(text: str, limit: int, what: str) -> str:
    """Trimmed text with Unix line breaks, 1..limit characters."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise ValidationFailed(f"Write something in your {what}.", fields={"body": f"Write something in your {what}."})
    if len(body) > limit:
        message = f"Keep your {what} to {limit} characters (it has {len(body)})."
        raise ValidationFailed(message, fields={"body": message})
    return body


async def _checked_image(session: AsyncSession, actor: User, upload_id: uuid.UUID | None) -> uuid.UUID | None:
    """An upload may illustrate a post only if its author uploaded it as a post image. Someone
    else's upload answers like a missing one, so ids cannot be probed."""
    if upload_id is None:
        return None
    upload = await owned_upload(session, {actor.id}, upload_id, UploadPurpose.POST_IMAGE, "image_upload_id")
    return upload.id


async def _notify_mentions(session: AsyncSession, author: User, names: set[str], data: dict[str, str]) -> None:
    names.discard(author.username)
    if not names:
        return
    people = await repository.mentionable_users(session, author.id, sorted(names)[:MAX_MENTION_NOTIFICATIONS])
    for person in people:
        await notify(session, person.id, "post.mentioned", actor_id=author.id, data=data)


def check_can_post(actor: User, text: str) -> str:
    """The checks of `create_post` that need no database, for forms that must pass them before
    storing an attached image. Returns the cleaned text."""
    _require_verified(actor)
    return clean_body(text, MAX_POST_LENGTH, "post")


async def create_post(session: AsyncSession, actor: User, data: PostIn) -> Post:
    body = check_can_post(actor, data.body)
    await entitlements.ensure_can_post(session, actor)  # billing: posts per month
    post = Post(
        author_id=actor.id, body=body, image_upload_id=await _checked_image(session, actor, data.image_upload_id)
    )
    session.add(post)
    await session.flush()
    await _notify_mentions(session, actor, mentioned_usernames(body), {"post_id": str(post.id)})
    timelines.fan_out_after_commit(session, post.id, actor.id, post.created_at)
    record(session, Event.POST_CREATED, actor.id)
    return post


async def _visible_post(session: AsyncSession, viewer: User, post_id: uuid.UUID) -> Post:
    post = await repository.visible_post(session, viewer.id, post_id)
    if post is None:
        raise NotFound(POST_NOT_FOUND)
    return post


async def _refuse(session: AsyncSession, actor: User, author_id: uuid.UUID, what: str, message: str) -> None:
    """403 for content the actor can see, 404 for content hidden from them."""
    if await repository.is_visible(session, actor.id, author_id):
        raise Forbidden(message)
    raise NotFound(what)


async def _post_to_change(session: AsyncSession, actor: User, post_id: uuid.UUID, *, admin: bool) -> Post:
    post = await session.get(Post, post_id)
    if post is None:
        raise NotFound(POST_NOT_FOUND)
    if post.author_id != actor.id and not (admin and actor.is_staff):
        message = "Only the author can edit this post." if not admin else "Only the author can delete this post."
        await _refuse(session, actor, post.author_id, POST_NOT_FOUND, message)
    return post


def check_can_edit(actor: User, post: Post) -> None:
    if post.author_id != actor.id:
        raise Forbidden("Only the author can edit this post.")


async def update_post(session: AsyncSession, actor: User, post_id: uuid.UUID, data: PostUpdateIn) -> Post:
    """Edit a post's text and/or image (author only). `image_upload_id: null` removes it."""
    post = await _post_to_change(session, actor, post_id, admin=False)
    _require_verified(actor)
    changes = data.model_fields_set
    changed = False
    if "body" in changes and data.body is not None:
        body = clean_body(data.body, MAX_POST_LENGTH, "post")
        if body != post.body:
            new_names = mentioned_usernames(body) - mentioned_usernames(post.body)
            post.body, changed = body, True
            await _notify_mentions(session, actor, new_names, {"post_id": str(post.id)})
    if "image_upload_id" in changes and data.image_upload_id != post.image_upload_id:
        post.image_upload_id, changed = await _checked_image(session, actor, data.image_upload_id), True
    if changed:
        post.edited_at = utcnow()
        await session.flush()
    return post


async def delete_post(session: AsyncSession, actor: User, post_id: uuid.UUID) -> None:
    """By its author or an admin; likes and comments go with it (ON DELETE CASCADE)."""
    post = await _post_to_change(session, actor, post_id, admin=True)
    await session.delete(post)
    await session.flush()


async def get_post(session: AsyncSession, viewer: User, post_id: uuid.UUID) -> PostView:
    card = await repository.post_card(session, viewer.id, post_id)
    if card is None:
        raise NotFound(POST_NOT_FOUND)
    usernames = await repository.existing_usernames(session, viewer.id, mentioned_usernames(card.post.body))
    return PostView(card, usernames)


async def like_post(session: AsyncSession, actor: User, post_id: uuid.UUID) -> LikeResult:
    """Idempotent: liking twice counts once. The counter moves only when a like row was
    really inserted, in one UPDATE, so concurrent likes cannot lose a count."""
    _require_verified(actor)
    post = await _visible_post(session, actor, post_id)
    if not await insert_ignoring_conflicts(session, PostLike, post_id=post.id, user_id=actor.id, created_at=utcnow()):
        return LikeResult(True, post.like_count)
    count = await _bump(session, post, Post.like_count, 1)
    record(session, Event.POST_LIKED, actor.id)
    await notify(session, post.author_id, "post.liked", actor_id=actor.id, data={"post_id": str(post.id)})
    return LikeResult(True, count)


async def unlike_post(session: AsyncSession, actor: User, post_id: uuid.UUID) -> LikeResult:
    post = await _visible_post(session, actor, post_id)
    removed = await affected_rows(
        session, delete(PostLike).where(PostLike.post_id == post.id, PostLike.user_id == actor.id)
    )
    if not removed:
        return LikeResult(False, post.like_count)
    return LikeResult(False, await _bump(session, post, Post.like_count, -1))


@functools.cache
def _bump_statement(column: InstrumentedAttribute[int]) -> ReturningUpdate[int]:
    """Built once per counter, as every like and comment runs it."""
    return (
        update(Post)
        .where(Post.id == bindparam("post_id", type_=Uuid))
        .values({column: column + bindparam("by", type_=Integer)})
        .returning(column)
        .execution_options(synchronize_session=False)
    )


async def _bump(session: AsyncSession, post: Post, column: InstrumentedAttribute[int], by: int) -> int:
    """Add `by` to a counter column of `post` in the database (atomic) and return the result."""
    result = await session.execute(_bump_statement(column), {"post_id": post.id, "by": by})
    value = int(result.scalar_one())
    setattr(post, column.key, value)
    return value


async def add_comment(session: AsyncSession, actor: User, post_id: uuid.UUID, data: CommentIn) -> Comment:
    _require_verified(actor)
    post = await _visible_post(session, actor, post_id)
    body = clean_body(data.body, MAX_COMMENT_LENGTH, "comment")
    comment = Comment(post_id=post.id, author_id=actor.id, body=body)
    session.add(comment)
    await session.flush()
    await _bump(session, post, Post.comment_count, 1)
    record(session, Event.COMMENT_CREATED, actor.id)
    ids = {"post_id": str(post.id), "comment_id": str(comment.id)}
    await notify(session, post.author_id, "post.commented", actor_id=actor.id, data=ids)
    await _notify_mentions(session, actor, mentioned_usernames(body), ids)
    return comment


async def delete_comment(session: AsyncSession, actor: User, comment_id: uuid.UUID) -> None:
    """By the comment's author, the post's author, or an admin."""
    query = select(Comment, Post).join(Post, Post.id == Comment.post_id).where(Comment.id == comment_id)
    row = (await session.execute(query)).one_or_none()
    if row is None:
        raise NotFound(COMMENT_NOT_FOUND)
    comment, post = row
    if actor.id not in (comment.author_id, post.author_id) and not actor.is_staff:
        if not await repository.is_visible(session, actor.id, post.author_id):
            raise NotFound(COMMENT_NOT_FOUND)
        await _refuse(session, actor, comment.author_id, COMMENT_NOT_FOUND, "You cannot delete this comment.")
    # Counted only when this request removed the row, so a double delete cannot undercount.
    if await affected_rows(session, delete(Comment).where(Comment.id == comment.id)):
        session.expunge(comment)
        await _bump(session, post, Post.comment_count, -1)


async def comment_view(session: AsyncSession, viewer: User, comment: Comment) -> tuple[CommentCard, frozenset[str]]:
    """A comment just written, as its author sees it. Its post was checked by `add_comment` in
    this unit of work, so it is taken from the session rather than checked again."""
    post = await session.get(Post, comment.post_id)
    cards = await repository.comment_cards(session, viewer.id, post, None, 1, only=comment.id) if post else []
    if not cards:
        raise NotFound(COMMENT_NOT_FOUND)
    return cards[0], await repository.existing_usernames(session, viewer.id, mentioned_usernames(comment.body))


async def list_comments(
    session: AsyncSession,
    viewer: User,
    post_id: uuid.UUID,
    params: PageParams,
    *,
    only: uuid.UUID | None = None,
) -> CommentPage:
    post = await repository.visible_post(session, viewer.id, post_id)
    if post is None:  # perhaps removed by moderators: its author still reads it, and its comments
        card = await repository.post_card(session, viewer.id, post_id)
        if card is None:
            raise NotFound(POST_NOT_FOUND)
        post = card.post
    cards = await repository.comment_cards(session, viewer.id, post, params.cursor, params.limit + 1, only=only)
    items = cards[: params.limit]
    usernames = await repository.existing_usernames(session, viewer.id, mentions_in(c.comment.body for c in items))
    more = len(cards) > params.limit
    return CommentPage(items, cursor_after(items[-1]) if more and items else None, usernames)
