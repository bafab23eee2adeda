"""Messaging rules: one-to-one conversations, sending, reading, typing.

- Only verified members send; nobody messages themselves or someone a block separates them
  from (either way round); deactivated accounts cannot be reached.
- The recipient's "who may message me" control (permissions.py) decides who may start a
  conversation with them or write in one they did not start; in one they started, the other
  person may always answer.
- A message is stored before anyone is told: live events and notifications go out after the
  unit of work commits.
- A retried send is never a second message: the client's key (the `Idempotency-Key` header or
  `client_id`) is unique per sender, and a key seen before answers with the message it made.
- The recipient's unread count lives on their side of the conversation; reading resets it and
  tells the sender ("Seen") unless the reader turned read receipts off.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.analytics.events import Event, record
from hiremebahamas.billing import entitlements
from hiremebahamas.core import realtime, tasks
from hiremebahamas.core.errors import BadRequest, Conflict, EmailUnverified, Forbidden, NotFound, ValidationFailed
from hiremebahamas.core.pagination import PageParams, Position
from hiremebahamas.core.sql import insert_ignoring_conflicts
from hiremebahamas.messaging import repository
from hiremebahamas.messaging.permissions import ensure_accepts_messages
from hiremebahamas.messaging.repository import ConversationView
from hiremebahamas.messaging.schemas import MAX_MESSAGE_LENGTH, ConversationOut, MessageOut, PersonOut, ReadOut
from hiremebahamas.messaging.tasks import email_unread_message
from hiremebahamas.models import Conversation, ConversationParticipant, Message, User
from hiremebahamas.models.base import new_id, utcnow
from hiremebahamas.notifications.service import mark_read_from, notify
from hiremebahamas.notifications.types import MESSAGE_CREATED
from hiremebahamas.profiles.avatars import avatar_url
from hiremebahamas.social.graph import is_blocked_between

UNREAD_EMAIL_DELAY = timedelta(minutes=15)
MESSAGE_EVENT = "message.created"
READ_EVENT = "read"
TYPING_EVENT = "typing"
_NOT_FOUND = "We could not find that conversation."


@dataclass(frozen=True)
class Sent:
    view: ConversationView
    message: Message
    created: bool  # False: the key was seen before, and this is the message it made


def clean_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise ValidationFailed("Write a message first.", fields={"body": "Write a message first."})
    if len(text) > MAX_MESSAGE_LENGTH:
        message = f"Messages can be at most {MAX_MESSAGE_LENGTH} characters (this one has {len(text)})."
        raise ValidationFailed(message, fields={"body": message})
    return text


def person_out(user: User, avatar_upload_id: uuid.UUID | None = None) -> PersonOut:
    return PersonOut(
        id=user.id,
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
        avatar_url=avatar_url(avatar_upload_id),
    )


def message_out(view: ConversationView, message: Message) -> MessageOut:
    sender = view.sender(message)
    avatar = view.other_avatar_id if sender is view.other else None
    return MessageOut(
        id=message.id,
        conversation_id=message.conversation_id,
        sender=person_out(sender, avatar),
        body="" if message.removed_at else message.body,
        client_id=message.client_id,
        created_at=message.created_at,
        cursor=Position(message.created_at, message.id).encode(),
        removed_by_moderators=message.removed_at is not None,
    )


def conversation_out(view: ConversationView) -> ConversationOut:
    conversation = view.conversation
    return ConversationOut(
        id=conversation.id,
        other=person_out(view.other, view.other_avatar_id),
        started_by_me=conversation.started_by_id == view.me.id,
        last_message=message_out(view, view.last_message) if view.last_message is not None else None,
        last_message_at=conversation.last_message_at,
        unread_count=view.mine.unread_count,
        other_last_read_message_id=view.other_last_read_message_id,
        other_last_read_at=view.other_last_read_at,
        can_send=not view.blocked,
        created_at=conversation.created_at,
    )


async def load_view(session: AsyncSession, user: User, conversation_id: uuid.UUID) -> ConversationView:
    view = await repository.conversation_view(session, user, conversation_id)
    if view is None:
        raise NotFound(_NOT_FOUND)
    return view


async def _check_message_allowance(session: AsyncSession, sender: User, conversation: Conversation) -> None:
    """The plan's monthly allowance of messages in conversations the sender started, the first
    message of a new one included (billing/entitlements.py); replies elsewhere are unlimited.
    Over it: `UpgradeRequired` (HTTP 402)."""
    await entitlements.ensure_can_send_message(session, sender, conversation)


async def _check_can_send(
    session: AsyncSession, sender: User, recipient_id: uuid.UUID, conversation: Conversation | None
) -> None:
    if not sender.email_verified:
        raise EmailUnverified()
    if await is_blocked_between(session, sender.id, recipient_id):
        raise Forbidden("You cannot message this person.")
    if conversation is None or conversation.started_by_id != recipient_id:
        await ensure_accepts_messages(session, sender.id, recipient_id)


async def _replayed(session: AsyncSession, sender: User, client_id: str | None) -> Message | None:
    if client_id is None:
        return None
    return await repository.message_by_client_id(session, sender.id, client_id)


async def start_conversation(
    session: AsyncSession, sender: User, recipient_username: str, body: str, client_id: str | None = None
) -> Sent:
    """Send a first message to someone, in the conversation the two already have or a new one."""
    if (replay := await _replayed(session, sender, client_id)) is not None:
        return Sent(await load_view(session, sender, replay.conversation_id), replay, created=False)
    recipient = await _recipient(session, recipient_username)
    if recipient.id == sender.id:
        raise BadRequest("You cannot send a message to yourself.")
    text = clean_body(body)
    existing = await repository.existing_conversation(session, sender.id, recipient.id)
    await _check_can_send(session, sender, recipient.id, existing)
    conversation = existing or await _conversation_between(session, sender, recipient)
    return await _send(session, sender, conversation, text, client_id)


async def send_message(
    session: AsyncSession, sender: User, conversation_id: uuid.UUID, body: str, client_id: str | None = None
) -> Sent:
    if (replay := await _replayed(session, sender, client_id)) is not None:
        if replay.conversation_id != conversation_id:
            raise Conflict("That idempotency key was already used for a message in another conversation.")
        return Sent(await load_view(session, sender, conversation_id), replay, created=False)
    view = await load_view(session, sender, conversation_id)
    text = clean_body(body)
    await _check_can_send(session, sender, view.other.id, view.conversation)
    return await _send(session, sender, view.conversation, text, client_id)


async def _recipient(session: AsyncSession, username: str) -> User:
    query = select(User).where(User.username == username.strip().lstrip("@").lower(), User.is_active)
    user = (await session.execute(query)).scalar_one_or_none()
    if user is None:
        message = "There is nobody with that username."
        raise NotFound(message, fields={"recipient": message})
    return user


async def _conversation_between(session: AsyncSession, sender: User, recipient: User) -> Conversation:
    """The pair's conversation, created if new (two people starting at once get the same one)."""
    existing = await repository.existing_conversation(session, sender.id, recipient.id)
    if existing is not None:
        return existing
    low, high = sorted((sender.id, recipient.id))
    await insert_ignoring_conflicts(
        session, Conversation, id=new_id(), user_a_id=low, user_b_id=high, started_by_id=sender.id, created_at=utcnow()
    )
    conversation = await repository.existing_conversation(session, sender.id, recipient.id)
    assert conversation is not None  # inserted now, or by the racing request
    for person in (low, high):
        await insert_ignoring_conflicts(
            session,
            ConversationParticipant,
            conversation_id=conversation.id,
            user_id=person,
            last_message_at=conversation.created_at,
            unread_count=0,
        )
    return conversation


async def _send(
    session: AsyncSession, sender: User, conversation: Conversation, text: str, client_id: str | None
) -> Sent:
    await _check_message_allowance(session, sender, conversation)
    message_id, now = new_id(), utcnow()
    values: dict[str, Any] = {
        "id": message_id,
        "conversation_id": conversation.id,
        "sender_id": sender.id,
        "body": text,
        "client_id": client_id,
        "created_at": now,
    }
    if not await insert_ignoring_conflicts(session, Message, **values):
        # A retry with the same key raced this request and won: answer with its message.
        replay = await _replayed(session, sender, client_id)
        if replay is None or replay.conversation_id != conversation.id:
            raise Conflict("That idempotency key was already used for another message.")
        return Sent(await load_view(session, sender, conversation.id), replay, created=False)
    recipient_id = conversation.user_b_id if conversation.user_a_id == sender.id else conversation.user_a_id
    unread = await _record_delivery(session, conversation.id, sender.id, recipient_id, message_id, now)
    record(session, Event.MESSAGE_SENT, sender.id)
    view = await load_view(session, sender, conversation.id)
    message = await session.get_one(Message, message_id)
    await _tell(session, view, message, first_unread=unread == 1)
    return Sent(view, message, created=True)


async def _record_delivery(
    session: AsyncSession,
    conversation_id: uuid.UUID,
    sender_id: uuid.UUID,
    recipient_id: uuid.UUID,
    message_id: uuid.UUID,
    now: Any,
) -> int:
    """Move the conversation up both inboxes and count the message as unread for the recipient;
    returns the recipient's unread count. The conversation row is written first, as `mark_read`
    locks it first: concurrent sends and reads queue up instead of deadlocking."""
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(last_message_id=message_id, last_message_at=now)
        .execution_options(synchronize_session=False)
    )
    participant = ConversationParticipant
    await session.execute(
        update(participant)
        .where(participant.conversation_id == conversation_id, participant.user_id == sender_id)
        .values(last_message_at=now)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(
        update(participant)
        .where(participant.conversation_id == conversation_id, participant.user_id == recipient_id)
        .values(last_message_at=now, unread_count=participant.unread_count + 1)
        .returning(participant.unread_count)
        .execution_options(synchronize_session=False)
    )
    return int(cast(CursorResult[Any], result).scalar_one())


async def _tell(session: AsyncSession, view: ConversationView, message: Message, *, first_unread: bool) -> None:
    """After the commit: both people's open pages get the message; the recipient gets one
    notification (and, if still unread 15 minutes later, one email) per unread stretch."""
    recipient = view.other
    out = message_out(view, message).model_dump(mode="json")
    realtime.publish_after_commit(session, [view.me.id, recipient.id], MESSAGE_EVENT, {"message": out})
    if not first_unread:
        return
    data = {"conversation_id": str(view.conversation.id), "message_id": str(message.id)}
    await notify(session, recipient.id, MESSAGE_CREATED, actor_id=view.me.id, data=data)
    tasks.defer_in(
        session,
        UNREAD_EMAIL_DELAY,
        email_unread_message,
        conversation_id=str(view.conversation.id),
        recipient_id=str(recipient.id),
        message_id=str(message.id),
    )


async def mark_read(session: AsyncSession, user: User, conversation_id: uuid.UUID) -> ReadOut:
    """Read receipt up to the newest message; the other person sees "Seen"."""
    locked = select(Conversation).where(Conversation.id == conversation_id).with_for_update()
    conversation = (await session.execute(locked)).scalar_one_or_none()
    view = await repository.conversation_view(session, user, conversation_id) if conversation else None
    if conversation is None or view is None:
        raise NotFound(_NOT_FOUND)
    mine = view.mine
    if conversation.last_message_id is None or (
        mine.last_read_message_id == conversation.last_message_id and mine.unread_count == 0
    ):
        return ReadOut(
            conversation_id=conversation.id,
            last_read_message_id=mine.last_read_message_id,
            read_at=mine.last_read_at,
            unread_count=mine.unread_count,
        )
    now = utcnow()
    participant = ConversationParticipant
    await session.execute(
        update(participant)
        .where(participant.conversation_id == conversation.id, participant.user_id == user.id)
        .values(
            unread_count=0,
            last_read_message_id=conversation.last_message_id,
            last_read_message_at=conversation.last_message_at,
            last_read_at=now,
            unread_emailed_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    await mark_read_from(session, user.id, view.other.id, MESSAGE_CREATED)
    receipt = ReadOut(
        conversation_id=conversation.id, last_read_message_id=conversation.last_message_id, read_at=now, unread_count=0
    )
    data = {"reader": person_out(user).model_dump(mode="json"), **receipt.model_dump(mode="json")}
    # The reader's other open pages always hear of it; the other person only if the reader
    # shows read receipts.
    told = [user.id, view.other.id] if await repository.shows_reads(session, user.id) else [user.id]
    realtime.publish_after_commit(session, told, READ_EVENT, data)
    return receipt


@dataclass(frozen=True)
class MessagePage:
    view: ConversationView
    messages: list[Message]  # oldest first
    next_cursor: str | None


async def list_messages(
    session: AsyncSession, user: User, conversation_id: uuid.UUID, paging: PageParams, after: Position | None = None
) -> MessagePage:
    """Newest last. Without `after`: the newest page (or the page older than `paging.cursor`);
    with `after`: what came after that position, for catching up after a reconnect."""
    view = await load_view(session, user, conversation_id)
    limit = paging.limit
    if after is not None:
        rows = await repository.messages_after(session, conversation_id, after, limit)
        page = rows[:limit]
        cursor = Position(page[-1].created_at, page[-1].id).encode() if len(rows) > limit else None
        return MessagePage(view, page, cursor)
    rows = await repository.messages_before(session, conversation_id, paging.cursor, limit)
    page = rows[:limit]
    cursor = Position(page[-1].created_at, page[-1].id).encode() if len(rows) > limit else None
    return MessagePage(view, list(reversed(page)), cursor)


@dataclass(frozen=True)
class ConversationPage:
    views: list[ConversationView]
    next_cursor: str | None


async def list_conversations(session: AsyncSession, user: User, paging: PageParams) -> ConversationPage:
    views = await repository.conversation_views(session, user, paging.cursor, paging.limit)
    page = views[: paging.limit]
    cursor = None
    if len(views) > paging.limit:
        last = page[-1]
        cursor = Position(last.mine.last_message_at, last.conversation.id).encode()
    return ConversationPage(page, cursor)


async def typing_recipient(session: AsyncSession, user: User, conversation_id: uuid.UUID) -> ConversationView | None:
    """Who to tell that `user` is typing in the conversation: None when they are not in it, or
    a block stands between them (typing is never stored)."""
    view = await repository.conversation_view(session, user, conversation_id)
    if view is None or view.blocked:
        return None
    return view
