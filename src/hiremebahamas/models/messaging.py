"""Direct messages: one-to-one conversations, who read what, and notification email choices."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hiremebahamas.models.base import Base, IdMixin, utcnow


class Conversation(IdMixin, Base):
    """Two people talking. The pair is stored lower id first, so a pair has one conversation."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("user_a_id", "user_b_id", name="uq_conversations_pair"),)

    user_a_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user_b_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Who sent the first message: the Free tier limits messages sent in conversations one started.
    started_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Denormalised pointer (no foreign key: messages and conversations would reference each
    # other) so the inbox shows each conversation's last message with one join.
    last_message_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    last_message_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationParticipant(Base):
    """One side of a conversation: its place in that person's inbox and how far they read."""

    __tablename__ = "conversation_participants"
    # The inbox lists a person's conversations, most recent first, in index order.
    __table_args__ = (Index("ix_conversation_participants_inbox", "user_id", "last_message_at", "conversation_id"),)

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Messages from the other person since this one last read; kept on the row so the inbox
    # and the nav badge need no COUNT over messages.
    unread_count: Mapped[int] = mapped_column(default=0)
    # The newest message read (its id and time, to compare positions) and when it was read.
    last_read_message_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    last_read_message_at: Mapped[datetime | None] = mapped_column(default=None)
    last_read_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set when the "unread for 15 minutes" email went out; cleared on read, so one email per
    # unread stretch however many messages arrive.
    unread_emailed_at: Mapped[datetime | None] = mapped_column(default=None)


class Message(IdMixin, Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_conversation_created", "conversation_id", "created_at", "id"),
        Index("ix_messages_sender_created", "sender_id", "created_at"),
        # A client retrying a send reuses its key: the same key never makes a second message.
        UniqueConstraint("sender_id", "client_id", name="uq_messages_sender_client_id"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    sender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Removed by moderators: the conversation keeps its place, without its text.
    removed_at: Mapped[datetime | None] = mapped_column(default=None)


class NotificationPreference(Base):
    """A person's choice for one notification type; no row means the type's default."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    type: Mapped[str] = mapped_column(String(50), primary_key=True)
    email: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
