"""Messaging queries. Each list is one query whatever its length (the two people of a
conversation are loaded once, not per message)."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Row,
    Select,
    Uuid,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hiremebahamas.core.pagination import Position, newest_first_after, oldest_first_after
from hiremebahamas.models import Conversation, ConversationParticipant, Message, Profile, User
from hiremebahamas.social.graph import blocked_between_clause


@dataclass(frozen=True)
class ConversationView:
    """A conversation as one of its two people sees it."""

    conversation: Conversation
    mine: ConversationParticipant
    theirs: ConversationParticipant
    me: User
    other: User
    other_avatar_id: uuid.UUID | None
    last_message: Message | None
    blocked: bool
    other_shows_reads: bool
    """The other person's read-receipts control: False hides when they read (no "Seen")."""

    def sender(self, message: Message) -> User:
        return self.me if message.sender_id == self.me.id else self.other

    @property
    def other_last_read_message_id(self) -> uuid.UUID | None:
        return self.theirs.last_read_message_id if self.other_shows_reads else None

    @property
    def other_last_read_at(self) -> datetime | None:
        return self.theirs.last_read_at if self.other_shows_reads else None

    def seen_by_other(self, message: Message) -> bool:
        read = self.theirs
        if not self.other_shows_reads or read.last_read_message_at is None or read.last_read_message_id is None:
            return False
        return (message.created_at, message.id) <= (read.last_read_message_at, read.last_read_message_id)


def other_user_id(user_id: uuid.UUID | BindParameter[uuid.UUID]) -> ColumnElement[uuid.UUID]:
    return case((Conversation.user_a_id == user_id, Conversation.user_b_id), else_=Conversation.user_a_id)


_Row = Row[Conversation, ConversationParticipant, ConversationParticipant, User, uuid.UUID | None, Message, bool, bool]
ViewsQuery = Select[
    Conversation, ConversationParticipant, ConversationParticipant, User, uuid.UUID | None, Message, bool, bool
]

# The statements below run on every message sent and every inbox page. Each is built once with
# the reader's id (`me_id`) and its other values as parameters: building them anew took a third
# of a send's time.


def _views_query() -> ViewsQuery:
    me_id = bindparam("me_id", type_=Uuid)
    mine = aliased(ConversationParticipant)
    theirs = aliased(ConversationParticipant)
    other = aliased(User)
    last = aliased(Message)
    return (
        select(
            Conversation,
            mine,
            theirs,
            other,
            Profile.avatar_upload_id,
            last,
            blocked_between_clause(me_id, other.id).label("blocked"),
            # No profile row yet: the defaults, read receipts on.
            func.coalesce(Profile.read_receipts, true()).label("shows_reads"),
        )
        .join(mine, and_(mine.conversation_id == Conversation.id, mine.user_id == me_id))
        .join(other, other.id == other_user_id(me_id))
        .join(theirs, and_(theirs.conversation_id == Conversation.id, theirs.user_id == other.id))
        .outerjoin(Profile, Profile.user_id == other.id)
        .outerjoin(last, last.id == Conversation.last_message_id)
    )


def _view(me: User, row: _Row) -> ConversationView:
    conversation, mine, theirs, other, avatar, last, blocked, shows_reads = row
    return ConversationView(conversation, mine, theirs, me, other, avatar, last, bool(blocked), bool(shows_reads))


@functools.cache
def _one_view() -> ViewsQuery:
    # Refreshed from the database: a send or read in this unit of work updated the rows in SQL.
    query = _views_query().where(Conversation.id == bindparam("conversation_id", type_=Uuid))
    return query.execution_options(populate_existing=True)


async def conversation_view(session: AsyncSession, me: User, conversation_id: uuid.UUID) -> ConversationView | None:
    """The conversation if `me` is in it; None otherwise (callers answer 404 either way)."""
    params = {"me_id": me.id, "conversation_id": conversation_id}
    row = (await session.execute(_one_view(), params)).one_or_none()
    return _view(me, row) if row is not None else None


@functools.cache
def _inbox_page(*, after: bool) -> ViewsQuery:
    mine = ConversationParticipant
    newest = select(mine.conversation_id).where(mine.user_id == bindparam("me_id", type_=Uuid))
    if after:
        at, conversation_id = bindparam("after_at", type_=mine.last_message_at.type), bindparam("after_id", type_=Uuid)
        newest = newest.where(
            or_(mine.last_message_at < at, and_(mine.last_message_at == at, mine.conversation_id < conversation_id))
        )
    newest = newest.order_by(mine.last_message_at.desc(), mine.conversation_id.desc())
    return _views_query().where(Conversation.id.in_(newest.limit(bindparam("limit", type_=Integer)).scalar_subquery()))


async def conversation_views(
    session: AsyncSession, me: User, position: Position | None, limit: int
) -> list[ConversationView]:
    """`me`'s conversations, most recent first (the inbox index): up to limit + 1 of them."""
    params: dict[str, object] = {"me_id": me.id, "limit": limit + 1}
    if position is not None:
        params |= {"after_at": position.at, "after_id": position.id}
    views = [_view(me, row) for row in await session.execute(_inbox_page(after=position is not None), params)]
    views.sort(key=lambda v: (v.mine.last_message_at, v.conversation.id), reverse=True)
    return views


async def shows_reads(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """The person's read-receipts control (on when they have no profile row yet)."""
    query = select(Profile.read_receipts).where(Profile.user_id == user_id)
    return (await session.execute(query)).scalar_one_or_none() is not False


async def existing_conversation(session: AsyncSession, a: uuid.UUID, b: uuid.UUID) -> Conversation | None:
    low, high = sorted((a, b))
    query = select(Conversation).where(Conversation.user_a_id == low, Conversation.user_b_id == high)
    return (await session.execute(query)).scalar_one_or_none()


async def message_by_client_id(session: AsyncSession, sender_id: uuid.UUID, client_id: str) -> Message | None:
    query = select(Message).where(Message.sender_id == sender_id, Message.client_id == client_id)
    return (await session.execute(query)).scalar_one_or_none()


async def messages_before(
    session: AsyncSession, conversation_id: uuid.UUID, position: Position | None, limit: int
) -> list[Message]:
    """The newest messages (older than `position`), newest first: up to limit + 1."""
    query = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit + 1)
    )
    if (clause := newest_first_after(Message.created_at, Message.id, position)) is not None:
        query = query.where(clause)
    return list((await session.execute(query)).scalars())


async def messages_after(
    session: AsyncSession, conversation_id: uuid.UUID, position: Position, limit: int
) -> list[Message]:
    """Messages newer than `position`, oldest first: up to limit + 1 (catch-up)."""
    after = oldest_first_after(Message.created_at, Message.id, position)
    assert after is not None  # a position always makes a clause
    query = (
        select(Message)
        .where(Message.conversation_id == conversation_id, after)
        .order_by(Message.created_at, Message.id)
        .limit(limit + 1)
    )
    return list((await session.execute(query)).scalars())
