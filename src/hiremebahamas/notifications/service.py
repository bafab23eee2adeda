"""Creating, listing and reading notifications. Every feature that tells someone something goes
through `notify`, so delivery (in-app list, live push, email) is decided in one place."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from hiremebahamas.core import realtime, tasks
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.pagination import PageParams, Position, newest_first_after
from hiremebahamas.core.sql import affected_rows
from hiremebahamas.models import ConversationParticipant, Notification, Profile, User
from hiremebahamas.models.base import new_id, utcnow
from hiremebahamas.notifications.schemas import ActorOut, CountsOut, NotificationOut
from hiremebahamas.notifications.tasks import send_notification_email
from hiremebahamas.notifications.types import describe
from hiremebahamas.profiles.avatars import avatar_url
from hiremebahamas.social.graph import blocked_between_clause

NOTIFICATION_CREATED = "notification.created"
NOTIFICATION_READ = "notification.read"


async def notify(
    session: AsyncSession,
    user_id: uuid.UUID,
    type_: str,
    *,
    actor_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None,
    email: OutgoingEmail | None = None,
) -> Notification | None:
    """Record a notification for `user_id` and tell their open pages once the unit of work
    commits. Nobody is notified of their own actions.

    `email`: for the important types (see notifications/types.py, `emailable`), the email to
    send about it, addressed to the recipient. Pass it here instead of calling `defer_email`:
    it is sent after the commit only if the recipient has not turned that type's emails off
    (checked when it is sent), with an unsubscribe link and `List-Unsubscribe` headers added.
    """
    if actor_id is not None and actor_id == user_id:
        return None
    notification = Notification(
        id=new_id(), user_id=user_id, type=type_, actor_id=actor_id, data=data or {}, created_at=utcnow()
    )
    session.add(notification)
    # The actor is usually the signed-in user, already loaded: no query.
    actor = await session.get(User, actor_id) if actor_id is not None else None
    out = notification_out(notification, actor, None)
    realtime.publish_after_commit(
        session, [user_id], NOTIFICATION_CREATED, {"notification": out.model_dump(mode="json")}
    )
    if email is not None:
        tasks.defer(
            session,
            send_notification_email,
            user_id=str(user_id),
            type=type_,
            to=email.to,
            subject=email.subject,
            text=email.text,
            html=email.html,
            headers=email.headers,
        )
    return notification


def actor_out(user: User | None, avatar_upload_id: uuid.UUID | None) -> ActorOut | None:
    if user is None:
        return None
    return ActorOut(
        id=user.id,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        avatar_url=avatar_url(avatar_upload_id),
    )


def notification_out(
    notification: Notification, actor: User | None, avatar_upload_id: uuid.UUID | None
) -> NotificationOut:
    described = describe(notification.type, actor.full_name if actor else None, notification.data)
    return NotificationOut(
        id=notification.id,
        type=notification.type,
        text=described.text,
        url=described.url,
        actor=actor_out(actor, avatar_upload_id),
        data=notification.data,
        read=notification.read_at is not None,
        read_at=notification.read_at,
        created_at=notification.created_at,
    )


@dataclass(frozen=True)
class NotificationPage:
    items: list[NotificationOut]
    next_cursor: str | None


async def list_notifications(
    session: AsyncSession, user: User, paging: PageParams, *, unread_only: bool = False
) -> NotificationPage:
    """Newest first, with who did it, in one query; hides those from people a block separates."""
    actor_column = cast(QueryableAttribute[uuid.UUID], Notification.actor_id)  # NULLs are let through above
    query = (
        select(Notification, User, Profile.avatar_upload_id)
        .outerjoin(User, User.id == Notification.actor_id)
        .outerjoin(Profile, Profile.user_id == Notification.actor_id)
        .where(
            Notification.user_id == user.id,
            or_(Notification.actor_id.is_(None), ~blocked_between_clause(actor_column, user.id)),
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(paging.limit + 1)
    )
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if (after := newest_first_after(Notification.created_at, Notification.id, paging.cursor)) is not None:
        query = query.where(after)
    rows = list(await session.execute(query))
    items = [notification_out(n, actor, avatar) for n, actor, avatar in rows[: paging.limit]]
    cursor = None
    if len(rows) > paging.limit:
        last = rows[paging.limit - 1][0]
        cursor = Position(last.created_at, last.id).encode()
    return NotificationPage(items, cursor)


async def mark_read(session: AsyncSession, user: User, ids: list[uuid.UUID] | None) -> int:
    """Mark `ids` (or, with None, every unread one) read; others' notifications are untouched."""
    now = utcnow()
    statement = (
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    marked = await affected_rows(session, statement)
    if marked:
        data = {"ids": [str(i) for i in ids] if ids is not None else None, "all": ids is None}
        realtime.publish_after_commit(session, [user.id], NOTIFICATION_READ, data)
    return marked


async def mark_read_from(session: AsyncSession, user_id: uuid.UUID, actor_id: uuid.UUID, type_: str) -> int:
    """Mark read the unread notifications of one type from one person (say, their messages once
    the conversation is read)."""
    statement = (
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.actor_id == actor_id,
            Notification.type == type_,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return await affected_rows(session, statement)


def _unread_notifications(user_id: uuid.UUID) -> Any:
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


async def unread_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    return int((await session.execute(select(_unread_notifications(user_id)))).scalar_one())


async def counts(session: AsyncSession, user_id: uuid.UUID) -> CountsOut:
    """Both nav badges in one query."""
    conversations = (
        select(func.count())
        .select_from(ConversationParticipant)
        .where(and_(ConversationParticipant.user_id == user_id, ConversationParticipant.unread_count > 0))
        .scalar_subquery()
    )
    row = (await session.execute(select(_unread_notifications(user_id), conversations))).one()
    return CountsOut(notifications=int(row[0]), conversations=int(row[1]))
