"""What a page of posts or comments shows, loaded in one query, and its JSON output.

A card is a post (or comment) with its author's name, headline and avatar, the post's image
and whether the viewer liked it. Mentions are rendered against the usernames resolved for the
whole page at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from hiremebahamas.core.pagination import Page, Position
from hiremebahamas.models import Comment, Post, Upload, User
from hiremebahamas.posts import media
from hiremebahamas.posts.rendering import render_text
from hiremebahamas.posts.schemas import AuthorOut, CommentOut, ImageOut, PostOut


@dataclass(frozen=True)
class Author:
    user: User
    headline: str
    avatar_upload_id: uuid.UUID | None

    @property
    def avatar_url(self) -> str | None:
        return media.avatar_url(self.avatar_upload_id)

    def out(self) -> AuthorOut:
        user = self.user
        return AuthorOut(
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
            avatar_url=self.avatar_url,
            headline=self.headline,
        )


@dataclass(frozen=True)
class PostCard:
    post: Post
    author: Author
    image: Upload | None
    liked_by_me: bool

    @property
    def id(self) -> uuid.UUID:
        return self.post.id

    @property
    def created_at(self) -> datetime:
        return self.post.created_at

    @property
    def image_urls(self) -> ImageOut | None:
        return media.image_out(self.image)

    def body_html(self, usernames: frozenset[str]) -> Markup:
        return render_text(self.post.body, usernames)

    def out(self, usernames: frozenset[str]) -> PostOut:
        post = self.post
        return PostOut(
            id=post.id,
            author=self.author.out(),
            body=post.body,
            body_html=str(self.body_html(usernames)),
            image=self.image_urls,
            like_count=post.like_count,
            comment_count=post.comment_count,
            liked_by_me=self.liked_by_me,
            created_at=post.created_at,
            edited_at=post.edited_at,
            removed_by_moderators=post.removed_at is not None,
        )


@dataclass(frozen=True)
class CommentCard:
    comment: Comment
    author: Author
    # Who wrote the post: its owner may delete any comment on it.
    post_author_id: uuid.UUID

    @property
    def id(self) -> uuid.UUID:
        return self.comment.id

    @property
    def created_at(self) -> datetime:
        return self.comment.created_at

    def can_delete(self, viewer: User) -> bool:
        return viewer.is_staff or viewer.id in (self.comment.author_id, self.post_author_id)

    def body_html(self, usernames: frozenset[str]) -> Markup:
        return render_text(self.comment.body, usernames)

    def out(self, viewer: User, usernames: frozenset[str]) -> CommentOut:
        comment = self.comment
        return CommentOut(
            id=comment.id,
            post_id=comment.post_id,
            author=self.author.out(),
            body=comment.body,
            body_html=str(self.body_html(usernames)),
            created_at=comment.created_at,
            can_delete=self.can_delete(viewer),
            removed_by_moderators=comment.removed_at is not None,
        )


@dataclass(frozen=True)
class PostPage:
    items: list[PostCard]
    next_cursor: str | None
    usernames: frozenset[str]
    """Mentioned usernames that exist (and the viewer may see), for rendering."""

    def out(self) -> Page[PostOut]:
        return Page[PostOut](items=[card.out(self.usernames) for card in self.items], next_cursor=self.next_cursor)


@dataclass(frozen=True)
class CommentPage:
    items: list[CommentCard]
    next_cursor: str | None
    usernames: frozenset[str]

    def out(self, viewer: User) -> Page[CommentOut]:
        items = [card.out(viewer, self.usernames) for card in self.items]
        return Page[CommentOut](items=items, next_cursor=self.next_cursor)


def cursor_after(item: PostCard | CommentCard | None) -> str | None:
    return Position(item.created_at, item.id).encode() if item is not None else None
