"""Background tasks of messaging: the email about a message still unread after 15 minutes."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update

from hiremebahamas.core import tasks
from hiremebahamas.models import ConversationParticipant, Message, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.notifications import emails, preferences
from hiremebahamas.notifications.types import MESSAGE_CREATED


@tasks.task
async def email_unread_message(
    context: tasks.TaskContext, *, conversation_id: str, recipient_id: str, message_id: str
) -> None:
    """Email the recipient if the message is still unread, they want such emails, and no email
    went out yet for this unread stretch. The stretch is claimed in the database before sending
    (and released if sending fails), so two runs never send two emails."""
    conversation, recipient, message_key = uuid.UUID(conversation_id), uuid.UUID(recipient_id), uuid.UUID(message_id)
    participant = ConversationParticipant
    async with context.database.sessionmaker() as session, session.begin():
        message = await session.get(Message, message_key)
        if message is None or not await preferences.wants_email(session, recipient, MESSAGE_CREATED):
            return
        claimed_at = utcnow()
        claim = (
            update(participant)
            .where(
                participant.conversation_id == conversation,
                participant.user_id == recipient,
                participant.unread_count > 0,
                participant.unread_emailed_at.is_(None),
                # Still unread: nothing read yet, or the last read message is older.
                (participant.last_read_message_at.is_(None)) | (participant.last_read_message_at < message.created_at),
            )
            .values(unread_emailed_at=claimed_at)
            .returning(participant.user_id)
        )
        if (await session.execute(claim)).first() is None:
            return
        people = {
            u.id: u
            for u in (await session.execute(select(User).where(User.id.in_([recipient, message.sender_id])))).scalars()
        }
    to, sender = people.get(recipient), people.get(message.sender_id)
    if to is None or sender is None or not to.is_active:
        return
    outgoing = emails.unread_message(context.settings, to, sender, conversation, message.body)
    try:
        await context.email.send(emails.with_unsubscribe(context.settings, outgoing, recipient, MESSAGE_CREATED))
    except Exception:
        async with context.database.sessionmaker() as session, session.begin():  # let a retry send it
            await session.execute(
                update(participant)
                .where(
                    participant.conversation_id == conversation,
                    participant.user_id == recipient,
                    participant.unread_emailed_at == claimed_at,
                )
                .values(unread_emailed_at=None)
            )
        raise


def register(registry: tasks.TaskRegistry) -> None:
    registry.add(email_unread_message)
