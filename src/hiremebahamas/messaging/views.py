"""Pages: the inbox, a conversation, and writing a new message. They work as plain forms;
static/js/live.js adds live updates (new messages, typing, "Seen") and sends without reloading.

Each form carries a fresh `client_id`, so submitting it twice (a double click, a resent form)
still makes one message.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from hiremebahamas.accounts.deps import Auth, CurrentAuth, optional_auth
from hiremebahamas.core.errors import AppError
from hiremebahamas.core.pagination import DEFAULT_LIMIT, PageParams, Position
from hiremebahamas.messaging import service
from hiremebahamas.messaging.schemas import MAX_CLIENT_ID_LENGTH, MAX_MESSAGE_LENGTH
from hiremebahamas.notifications import service as notification_service
from hiremebahamas.web.deps import DbSession
from hiremebahamas.web.forms import FormStr, Refusal, refused_form, render_form
from hiremebahamas.web.pagination import page_cursor
from hiremebahamas.web.rendering import redirect, render

router = APIRouter(dependencies=[Depends(optional_auth)], include_in_schema=False)

MESSAGES_PAGE = 50


def _client_id(value: str) -> str | None:
    value = value.strip()
    return value[:MAX_CLIENT_ID_LENGTH] if value else None


async def _inbox_context(request: Request, db: DbSession, auth: Auth) -> dict[str, Any]:
    page = await service.list_conversations(db, auth.user, PageParams(page_cursor(request), DEFAULT_LIMIT))
    return {"conversations": page.views, "next_cursor": page.next_cursor}


@router.get("/messages")
async def inbox(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
    return render(request, "messaging/inbox.html", await _inbox_context(request, db, auth))


@router.get("/messages/_list")
async def inbox_list(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
    """The inbox list alone: live.js swaps it in when a message arrives."""
    return render(request, "messaging/_inbox_list.html", await _inbox_context(request, db, auth))


def _new_page(request: Request, form: dict[str, str], refusal: Refusal | None = None) -> Response:
    context = {"client_id": secrets.token_urlsafe(16), "max_message": MAX_MESSAGE_LENGTH}
    return render_form(request, "messaging/new.html", context, form, refusal)


@router.get("/messages/new")
async def new_message(request: Request, auth: CurrentAuth, to: str = "") -> Response:
    return _new_page(request, {"recipient": to[:100], "body": ""})


@router.post("/messages")
async def start_conversation(
    request: Request,
    db: DbSession,
    auth: CurrentAuth,
    recipient: FormStr = "",
    body: FormStr = "",
    client_id: FormStr = "",
) -> Response:
    try:
        sent = await service.start_conversation(db, auth.user, recipient, body, _client_id(client_id))
    except AppError as exc:
        refusal = await refused_form(request, db, exc, upgrade_page=True)
        return _new_page(request, {"recipient": recipient, "body": body}, refusal)
    return redirect(request, f"/messages/{sent.view.conversation.id}#message-{sent.message.id}")


async def _conversation_page(
    request: Request,
    db: DbSession,
    auth: Auth,
    conversation_id: uuid.UUID,
    *,
    form: dict[str, str] | None = None,
    refusal: Refusal | None = None,
) -> Response:
    cursor = page_cursor(request)
    if cursor is None and refusal is None:
        await service.mark_read(db, auth.user, conversation_id)  # viewing the newest = reading it
        counted = getattr(request.state, "nav_counts", None)
        if counted is not None and (counted.conversations or counted.notifications):
            # The nav badges were counted before this read: count again.
            request.state.nav_counts = await notification_service.counts(db, auth.user.id)
    page = await service.list_messages(db, auth.user, conversation_id, PageParams(cursor, MESSAGES_PAGE))
    view = page.view
    mine_seen = [m for m in page.messages if m.sender_id == auth.user.id and view.seen_by_other(m)]
    context: dict[str, Any] = {
        "view": view,
        "messages": page.messages,
        "older_cursor": page.next_cursor,
        "seen_message_id": mine_seen[-1].id if mine_seen else None,
        "last_cursor": Position(page.messages[-1].created_at, page.messages[-1].id).encode() if page.messages else "",
        "client_id": secrets.token_urlsafe(16),
        "max_message": MAX_MESSAGE_LENGTH,
    }
    return render_form(request, "messaging/conversation.html", context, form or {"body": ""}, refusal)


@router.get("/messages/{conversation_id}")
async def conversation(request: Request, db: DbSession, auth: CurrentAuth, conversation_id: uuid.UUID) -> Response:
    return await _conversation_page(request, db, auth, conversation_id)


@router.post("/messages/{conversation_id}")
async def send_message(
    request: Request,
    db: DbSession,
    auth: CurrentAuth,
    conversation_id: uuid.UUID,
    body: FormStr = "",
    client_id: FormStr = "",
) -> Response:
    try:
        sent = await service.send_message(db, auth.user, conversation_id, body, _client_id(client_id))
    except AppError as exc:
        refusal = await refused_form(request, db, exc, upgrade_page=True)
        return await _conversation_page(request, db, auth, conversation_id, form={"body": body}, refusal=refusal)
    return redirect(request, f"/messages/{conversation_id}#message-{sent.message.id}")
