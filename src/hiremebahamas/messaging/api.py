"""JSON API: /api/conversations.

Sending takes a client key, as the `Idempotency-Key` header or the body's `client_id` (the
header wins): a retry with the same key answers 200 with the message the first try made,
instead of 201 with a new one.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from hiremebahamas.accounts.deps import CurrentUser, VerifiedAuth
from hiremebahamas.core.pagination import Page, Position
from hiremebahamas.messaging import service
from hiremebahamas.messaging.schemas import (
    MAX_CLIENT_ID_LENGTH,
    ConversationEnvelope,
    ConversationOut,
    MessageEnvelope,
    MessageIn,
    MessagePageOut,
    ReadOut,
    StartConversationIn,
)
from hiremebahamas.web.deps import DbSession
from hiremebahamas.web.openapi import NOT_FOUND, UPGRADE_REQUIRED
from hiremebahamas.web.pagination import Paging

router = APIRouter(prefix="/conversations", tags=["messaging"])

# Printable ASCII without surrounding spaces (which a proxy may drop), like the body's client_id.
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=MAX_CLIENT_ID_LENGTH, pattern=r"^[!-~](?:[ -~]*[!-~])?$"),
]


def _client_key(header: str | None, body_value: str | None) -> str | None:
    return header if header is not None else body_value


@router.get("")
async def list_conversations(user: CurrentUser, db: DbSession, paging: Paging) -> Page[ConversationOut]:
    """Your conversations, most recent first, each with its last message and your unread count."""
    page = await service.list_conversations(db, user, paging)
    return Page(items=[service.conversation_out(v) for v in page.views], next_cursor=page.next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED, responses=UPGRADE_REQUIRED | NOT_FOUND)
async def start_conversation(
    body: StartConversationIn, auth: VerifiedAuth, db: DbSession, response: Response, key: IdempotencyKey = None
) -> ConversationEnvelope:
    """Message someone by username: their conversation with you, or a new one."""
    sent = await service.start_conversation(db, auth.user, body.recipient, body.body, _client_key(key, body.client_id))
    if not sent.created:
        response.status_code = status.HTTP_200_OK
    return ConversationEnvelope(
        conversation=service.conversation_out(sent.view), message=service.message_out(sent.view, sent.message)
    )


@router.get("/{conversation_id:uuid}")
async def get_conversation(conversation_id: uuid.UUID, user: CurrentUser, db: DbSession) -> ConversationEnvelope:
    view = await service.load_view(db, user, conversation_id)
    return ConversationEnvelope(conversation=service.conversation_out(view))


@router.get("/{conversation_id:uuid}/messages")
async def list_messages(
    conversation_id: uuid.UUID,
    user: CurrentUser,
    db: DbSession,
    paging: Paging,
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> MessagePageOut:
    """Newest last. `?cursor=` pages back to older messages; `?after=<a message's cursor>`
    returns what came after it (catching up after a reconnect)."""
    position = Position.decode(after) if after else None
    page = await service.list_messages(db, user, conversation_id, paging, position)
    return MessagePageOut(
        items=[service.message_out(page.view, m) for m in page.messages],
        next_cursor=page.next_cursor,
        other_last_read_message_id=page.view.other_last_read_message_id,
    )


@router.post("/{conversation_id:uuid}/messages", status_code=status.HTTP_201_CREATED, responses=UPGRADE_REQUIRED)
async def send_message(
    conversation_id: uuid.UUID,
    body: MessageIn,
    auth: VerifiedAuth,
    db: DbSession,
    response: Response,
    key: IdempotencyKey = None,
) -> MessageEnvelope:
    sent = await service.send_message(db, auth.user, conversation_id, body.body, _client_key(key, body.client_id))
    if not sent.created:
        response.status_code = status.HTTP_200_OK
    return MessageEnvelope(message=service.message_out(sent.view, sent.message))


@router.post("/{conversation_id:uuid}/read")
async def mark_read(conversation_id: uuid.UUID, user: CurrentUser, db: DbSession) -> ReadOut:
    return await service.mark_read(db, user, conversation_id)
