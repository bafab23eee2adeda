"""JSON API: /api/feed, /api/posts, /api/comments, /api/users/{username}/posts.

Single objects come in an envelope (`{"post": …}`, `{"comment": …}`) like `{"user": …}`;
likes answer `{"liked", "like_count"}`; deletes answer 204.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from hiremebahamas.accounts.deps import CurrentUser, VerifiedAuth
from hiremebahamas.core.pagination import Page
from hiremebahamas.models import User
from hiremebahamas.posts import feed, service
from hiremebahamas.posts.schemas import (
    CommentEnvelope,
    CommentIn,
    CommentOut,
    LikeOut,
    PostEnvelope,
    PostIn,
    PostOut,
    PostUpdateIn,
)
from hiremebahamas.posts.timelines import Timelines, timelines_of
from hiremebahamas.web.deps import AppRuntime, DbSession
from hiremebahamas.web.openapi import NOT_FOUND, UPGRADE_REQUIRED
from hiremebahamas.web.pagination import Paging

router = APIRouter(tags=["posts"])


def home_timelines(runtime: AppRuntime) -> Timelines:
    return timelines_of(runtime.store, runtime.settings.cache_feed_ttl)


TimelinesDep = Annotated[Timelines, Depends(home_timelines)]


async def _post_envelope(db: DbSession, viewer: User, post_id: uuid.UUID) -> PostEnvelope:
    view = await service.get_post(db, viewer, post_id)
    return PostEnvelope(post=view.card.out(view.usernames))


@router.get("/feed")
async def get_feed(user: CurrentUser, db: DbSession, timelines: TimelinesDep, paging: Paging) -> Page[PostOut]:
    """Your posts and those of people you follow, newest first (see posts/timelines.py)."""
    return (await feed.feed_page(db, timelines, user, paging)).out()


@router.post("/posts", status_code=status.HTTP_201_CREATED, responses=UPGRADE_REQUIRED | NOT_FOUND)
async def create_post(body: PostIn, auth: VerifiedAuth, db: DbSession) -> PostEnvelope:
    post = await service.create_post(db, auth.user, body)
    return await _post_envelope(db, auth.user, post.id)


@router.get("/posts/{post_id:uuid}")
async def get_post(post_id: uuid.UUID, user: CurrentUser, db: DbSession) -> PostEnvelope:
    return await _post_envelope(db, user, post_id)


@router.patch("/posts/{post_id:uuid}")
async def update_post(post_id: uuid.UUID, body: PostUpdateIn, user: CurrentUser, db: DbSession) -> PostEnvelope:
    await service.update_post(db, user, post_id, body)
    return await _post_envelope(db, user, post_id)


@router.delete("/posts/{post_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_post(post_id: uuid.UUID, user: CurrentUser, db: DbSession) -> Response:
    await service.delete_post(db, user, post_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/posts/{post_id:uuid}/like")
async def like_post(post_id: uuid.UUID, auth: VerifiedAuth, db: DbSession) -> LikeOut:
    result = await service.like_post(db, auth.user, post_id)
    return LikeOut(liked=result.liked, like_count=result.like_count)


@router.delete("/posts/{post_id:uuid}/like")
async def unlike_post(post_id: uuid.UUID, user: CurrentUser, db: DbSession) -> LikeOut:
    result = await service.unlike_post(db, user, post_id)
    return LikeOut(liked=result.liked, like_count=result.like_count)


@router.get("/posts/{post_id:uuid}/comments")
async def list_comments(post_id: uuid.UUID, user: CurrentUser, db: DbSession, paging: Paging) -> Page[CommentOut]:
    """Oldest first."""
    return (await service.list_comments(db, user, post_id, paging)).out(user)


@router.post("/posts/{post_id:uuid}/comments", status_code=status.HTTP_201_CREATED)
async def add_comment(post_id: uuid.UUID, body: CommentIn, auth: VerifiedAuth, db: DbSession) -> CommentEnvelope:
    comment = await service.add_comment(db, auth.user, post_id, body)
    card, usernames = await service.comment_view(db, auth.user, comment)
    return CommentEnvelope(comment=card.out(auth.user, usernames))


@router.delete("/comments/{comment_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_comment(comment_id: uuid.UUID, user: CurrentUser, db: DbSession) -> Response:
    await service.delete_comment(db, user, comment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/users/{username}/posts")
async def posts_by_user(username: str, user: CurrentUser, db: DbSession, paging: Paging) -> Page[PostOut]:
    """A person's posts, newest first; 404 when they do not exist or a block stands between."""
    return (await feed.posts_of(db, user, username, paging)).out()
