"""Following and blocking people by username, and the followers / following lists.

The graph queries themselves live in `graph.py`; this module adds who may do what to whom.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hiremebahamas.analytics.events import Event, record
from hiremebahamas.core.errors import NotFound
from hiremebahamas.core.pagination import PageParams, Position, newest_first_after
from hiremebahamas.models import Block, Follow, Profile, User
from hiremebahamas.notifications.service import notify
from hiremebahamas.profiles import service as profiles
from hiremebahamas.profiles.people import PersonCard, card, visible_to
from hiremebahamas.social import graph


@dataclass(frozen=True)
class FollowState:
    user: User
    following: bool
    followers_count: int
    following_count: int


@dataclass(frozen=True)
class PeoplePage:
    items: list[PersonCard]
    next_cursor: str | None


async def _existing_user(session: AsyncSession, username: str) -> User:
    """Anyone with that username, whatever their visibility: unfollowing and blocking must
    always work, even when the other person already blocked you."""
    user = (await session.execute(select(User).where(User.username == username.strip().lower()))).scalar_one_or_none()
    if user is None:
        raise NotFound(profiles.NOT_FOUND)
    return user


async def _state(session: AsyncSession, user: User, following: bool) -> FollowState:
    followers, following_count = await graph.follow_counts(session, user.id)
    return FollowState(user, following, followers, following_count)


async def follow_user(session: AsyncSession, actor: User, username: str) -> FollowState:
    """Idempotent: following twice is one follow and one notification. A new follow counts
    against the plan's limit on people followed (graph.follow asks billing: 402 past it)."""
    person = await profiles.visible_person(session, actor, username)
    if await graph.follow(session, actor.id, person.user.id):
        record(session, Event.FOLLOWED, actor.id)
        await notify(session, person.user.id, "follow.created", actor_id=actor.id, data={"username": actor.username})
    return await _state(session, person.user, True)


async def unfollow_user(session: AsyncSession, actor: User, username: str) -> FollowState:
    user = await _existing_user(session, username)
    await graph.unfollow(session, actor.id, user.id)
    return await _state(session, user, False)


async def block_user(session: AsyncSession, actor: User, username: str) -> User:
    """Idempotent; also ends follows both ways (see graph.block)."""
    user = await _existing_user(session, username)
    await graph.block(session, actor.id, user.id)
    return user


async def unblock_user(session: AsyncSession, actor: User, username: str) -> User:
    user = await _existing_user(session, username)
    await graph.unblock(session, actor.id, user.id)
    return user


async def _people_page(
    session: AsyncSession,
    link: type[Follow] | type[Block],
    person_column: InstrumentedAttribute[uuid.UUID],
    owner_column: InstrumentedAttribute[uuid.UUID],
    owner_id: uuid.UUID,
    viewer_id: uuid.UUID | None,
    params: PageParams,
) -> PeoplePage:
    """People linked to `owner_id` (by a follow or a block), newest link first: one query."""
    created_at: InstrumentedAttribute[datetime] = link.created_at
    statement = (
        select(User, Profile, created_at)
        .join(link, person_column == User.id)
        .outerjoin(Profile, Profile.user_id == User.id)
        .where(owner_column == owner_id)
        .order_by(created_at.desc(), person_column.desc())
        .limit(params.limit + 1)
    )
    if link is Follow:
        statement = statement.where(visible_to(viewer_id))
    if (after := newest_first_after(created_at, person_column, params.cursor)) is not None:
        statement = statement.where(after)
    rows = (await session.execute(statement)).all()
    next_cursor = None
    if len(rows) > params.limit:
        last_user, _, last_at = rows[params.limit - 1]
        next_cursor = Position(last_at, last_user.id).encode()
    return PeoplePage([card(user, profile) for user, profile, _ in rows[: params.limit]], next_cursor)


async def followers(session: AsyncSession, viewer: User | None, username: str, params: PageParams) -> PeoplePage:
    person = await profiles.visible_person(session, viewer, username)
    viewer_id = viewer.id if viewer else None
    return await _people_page(
        session, Follow, Follow.follower_id, Follow.followee_id, person.user.id, viewer_id, params
    )


async def following(session: AsyncSession, viewer: User | None, username: str, params: PageParams) -> PeoplePage:
    person = await profiles.visible_person(session, viewer, username)
    viewer_id = viewer.id if viewer else None
    return await _people_page(
        session, Follow, Follow.followee_id, Follow.follower_id, person.user.id, viewer_id, params
    )


async def blocked_people(session: AsyncSession, user: User, params: PageParams) -> PeoplePage:
    """Whom `user` blocked: the one list where blocked people appear, so they can be unblocked."""
    return await _people_page(session, Block, Block.blocked_id, Block.blocker_id, user.id, user.id, params)
