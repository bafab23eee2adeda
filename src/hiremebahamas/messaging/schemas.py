"""Conversation and message shapes for the JSON API and live events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from hiremebahamas.core.text import InputModel, MultiLine

MAX_MESSAGE_LENGTH = 5000
MAX_CLIENT_ID_LENGTH = 100
# Counted as sent; the service checks again after trimming, for callers that are not requests.
BodyText = Annotated[MultiLine, Field(min_length=1, max_length=MAX_MESSAGE_LENGTH)]
ClientId = Annotated[str, Field(min_length=1, max_length=MAX_CLIENT_ID_LENGTH)]


class StartConversationIn(InputModel):
    recipient: Annotated[str, Field(min_length=1, max_length=100)]
    body: BodyText
    # Or the `Idempotency-Key` header: a retry with the same key returns the first answer.
    client_id: ClientId | None = None


class MessageIn(InputModel):
    body: BodyText
    client_id: ClientId | None = None


class PersonOut(BaseModel):
    id: uuid.UUID
    username: str
    first_name: str
    last_name: str
    avatar_url: str | None


class MessageOut(BaseModel):
    id: uuid.UUID
    conversation_id: uuid.UUID
    sender: PersonOut
    body: str
    client_id: str | None
    created_at: datetime
    # Pass as `?after=` to fetch what came after this message.
    cursor: str
    removed_by_moderators: bool = False
    """Its text is gone (`body` is empty); the conversation keeps its place."""


class MessageEnvelope(BaseModel):
    message: MessageOut


class ConversationOut(BaseModel):
    id: uuid.UUID
    other: PersonOut
    started_by_me: bool
    last_message: MessageOut | None
    last_message_at: datetime | None
    unread_count: int
    # How far the other person read: your messages up to this one show "Seen".
    other_last_read_message_id: uuid.UUID | None
    other_last_read_at: datetime | None
    # False when a block stands between you: the history stays, new messages cannot be sent.
    can_send: bool
    created_at: datetime


class ConversationEnvelope(BaseModel):
    conversation: ConversationOut
    message: MessageOut | None = None


class ReadOut(BaseModel):
    conversation_id: uuid.UUID
    last_read_message_id: uuid.UUID | None
    read_at: datetime | None
    unread_count: int


class MessagePageOut(BaseModel):
    """Newest last. `next_cursor` pages back to older messages; with `?after=` it continues
    forward (null once you are up to date)."""

    items: list[MessageOut]
    next_cursor: str | None
    other_last_read_message_id: uuid.UUID | None
