"""Post, comment and feed shapes for the JSON API (the pages reuse the input models)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from hiremebahamas.core.text import InputModel, MultiLine

MAX_POST_LENGTH = 5000
MAX_COMMENT_LENGTH = 1000
# The exact limits (counted after trimming) are checked in the service, so the API and the
# pages answer alike; these bounds only stop absurd payloads early.
BodyText = Annotated[MultiLine, Field(max_length=50_000)]


class PostIn(InputModel):
    body: BodyText
    image_upload_id: uuid.UUID | None = None


class PostUpdateIn(InputModel):
    """PATCH: any subset. `image_upload_id: null` removes the image; leaving it out keeps it."""

    body: BodyText | None = None
    image_upload_id: uuid.UUID | None = None


class CommentIn(InputModel):
    body: BodyText


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


class CommentEnvelope(BaseModel):
    comment: CommentOut


class LikeOut(BaseModel):
    liked: bool
    like_count: int
