"""Post, comment and feed shapes for the JSON API (the pages reuse the input models)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from hiremebahamas.core.text import InputModel, MultiLine

MAX_POST_LENGTH = 5000
MAX_COMMENT_LENGTH = 1000
# Counted as sent; the service checks again after trimming, for callers that are not requests.
PostText = Annotated[MultiLine, Field(min_length=1, max_length=MAX_POST_LENGTH)]
CommentText = Annotated[MultiLine, Field(min_length=1, max_length=MAX_COMMENT_LENGTH)]


class PostIn(InputModel):
    body: PostText
    image_upload_id: uuid.UUID | None = None


class PostUpdateIn(InputModel):
    """PATCH: any subset. `image_upload_id: null` removes the image; leaving it out keeps it."""

    body: PostText | None = None
    image_upload_id: uuid.UUID | None = None


class CommentIn(InputModel):
    body: CommentText


class AuthorOut(BaseModel):
    username: str
    first_name: str
    last_name: str
    avatar_url: str | None
    headline: str


class ImageOut(BaseModel):
    url: str
    thumbnail_url: str


class PostOut(BaseModel):
    id: uuid.UUID
    author: AuthorOut
    body: str
    body_html: str
    image: ImageOut | None
    like_count: int
    comment_count: int
    liked_by_me: bool
    created_at: datetime
    edited_at: datetime | None
    removed_by_moderators: bool = False
    """Only its author still sees such a post."""


class PostEnvelope(BaseModel):
    post: PostOut


class CommentOut(BaseModel):
    id: uuid.UUID
    post_id: uuid.UUID
    author: AuthorOut
    body: str
    body_html: str
    created_at: datetime
    can_delete: bool
    removed_by_moderators: bool = False
    """Only its author still sees such a comment."""


class CommentEnvelope(BaseModel):
    comment: CommentOut


class LikeOut(BaseModel):
    liked: bool
    like_count: int
