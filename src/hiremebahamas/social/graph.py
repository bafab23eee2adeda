"""Follows and blocks: the queries every feature that shows people or their content shares.

A block works both ways for visibility: if either person blocked the other, neither sees the
other's profile, posts or comments, and neither can follow or message the other.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, and_, delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from hiremebahamas.billing import entitlements
from hiremebahamas.core.errors import BadRequest, Forbidden
from hiremebahamas.core.sql import affected_rows, insert_ignoring_conflicts
from hiremebahamas.models import Block, Follow
from hiremebahamas.posts import timelines

UserIdExpression = ColumnElement[uuid.UUID] | QueryableAttribute[uuid.UUID] | uuid.UUID


def blocked_between_clause(a: UserIdExpression, b: UserIdExpression) -> ColumnElement[bool]:
    """SQL that is true when either of `a` and `b` blocked the other (usable inside a query)."""
    return exists().where(
        or_(
            and_(Block.blocker_id == a, Block.blocked_id == b),
            and_(Block.blocker_id == b, Block.blocked_id == a),
        )
    )


async def is_blocked_between(session: AsyncSession, a: uuid.UUID, b: uuid.UUID) -> bool:
    return bool((await session.execute(select(blocked_between_clause(a, b)))).scalar())


def followee_ids(user_id: uuid.UUID) -> Select[uuid.UUID]:
    """Subquery of the ids `user_id` follows."""
    return select(Follow.followee_id).where(Follow.follower_id == user_id)


async def is_following(session: AsyncSession, follower_id: uuid.UUID, followee_id: uuid.UUID) -> bool:
    query = select(Follow.follower_id).where(Follow.follower_id == follower_id, Follow.followee_id == followee_id)
    return (await session.execute(query)).first() is not None


async def follow_counts(session: AsyncSession, user_id: uuid.UUID) -> tuple[int, int]:
    """(followers, following) of `user_id`, in one query (both columns are indexed)."""
    followers = select(func.count()).select_from(Follow).where(Follow.followee_id == user_id).scalar_subquery()
    following = select(func.count()).select_from(Follow).where(Follow.follower_id == user_id).scalar_subquery()
    row = (await session.execute(select(followers, following))).one()
    return int(row[0]), int(row[1])


async def follow(session: AsyncSession, follower_id: uuid.UUID, followee_id: uuid.UUID) -> bool:
    """Follow someone; True when this created the follow, False when it already existed."""
    if follower_id == followee_id:
        raise BadRequest("You cannot follow yourself.")
    if await is_blocked_between(session, follower_id, followee_id):
        raise Forbidden("You cannot follow this person.")
    created = await insert_ignoring_conflicts(session, Follow, follower_id=follower_id, followee_id=followee_id)
    if created:  # billing: people followed, counting this one
        await entitlements.ensure_can_follow(session, follower_id)
        timelines.drop_after_commit(session, follower_id)  # rebuilt with their posts on the next visit
    return created


async def unfollow(session: AsyncSession, follower_id: uuid.UUID, followee_id: uuid.UUID) -> bool:
    query = delete(Follow).where(Follow.follower_id == follower_id, Follow.followee_id == followee_id)
    removed = await affected_rows(session, query) > 0
    if removed:
        timelines.drop_after_commit(session, follower_id)
    return removed


async def block(session: AsyncSession, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> bool:
    """Block someone: also removes follows in both directions."""
    if blocker_id == blocked_id:
        raise BadRequest("You cannot block yourself.")
    created = await insert_ignoring_conflicts(session, Block, blocker_id=blocker_id, blocked_id=blocked_id)
    await session.execute(
        delete(Follow).where(
            or_(
                and_(Follow.follower_id == blocker_id, Follow.followee_id == blocked_id),
                and_(Follow.follower_id == blocked_id, Follow.followee_id == blocker_id),
            )
        )
    )
    timelines.drop_after_commit(session, blocker_id, blocked_id)
    return created


async def unblock(session: AsyncSession, blocker_id: uuid.UUID, blocked_id: uuid.UUID) -> bool:
    query = delete(Block).where(Block.blocker_id == blocker_id, Block.blocked_id == blocked_id)
    return await affected_rows(session, query) > 0
