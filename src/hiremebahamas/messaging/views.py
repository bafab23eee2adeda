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
from hiremebahamas.billing import entitlements
from hiremebahamas.billing.views import upgrade_context
from hiremebahamas.core.errors import AppError, UpgradeRequired
from hiremebahamas.core.pagination import DEFAULT_LIMIT, PageParams, Position
from hiremebahamas.core.text import clean_line
from hiremebahamas.messaging import recipients, service
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


async def _allowance(db: DbSession, auth: Auth, upgrade: dict[str, Any] | None) -> dict[str, Any]:
    """The page's word on the plan's message allowance: the upgrade prompt when a message was
    refused over it, else a warning once most of it is used (in conversations one starts)."""
    usage = await entitlements.message_usage(db, auth.user.id)
    return {"upgrade": upgrade, "allowance": usage if upgrade is None and entitlements.nearly_used(usage) else None}


async def _refusal_or_upgrade(request: Request, db: DbSession, exc: AppError) -> tuple[Refusal, dict[str, Any] | None]:
    """A plan's limit is shown on the page, with the typed text kept (not on the error page)."""
    refusal = await refused_form(request, db, exc)
    return refusal, await upgrade_context(request, exc) if isinstance(exc, UpgradeRequired) else None


async def _new_page(
    request: Request,
    db: DbSession,
    auth: Auth,
    form: dict[str, str],
    refusal: Refusal | None = None,
    upgrade: dict[str, Any] | None = None,
    q: str = "",
) -> Response:
    """Find the person by name (`q`), then write to the one chosen (`form["recipient"]`)."""
    chosen = await recipients.recipient_named(db, auth.user, form["recipient"]) if form["recipient"] else None
    context = {
        "client_id": secrets.token_urlsafe(16),
        "max_message": MAX_MESSAGE_LENGTH,
        "q": q,
        "chosen": chosen,
        "people": await recipients.find_recipients(db, auth.user, q) if q and chosen is None else [],
        **await _allowance(db, auth, upgrade),
    }
    return render_form(request, "messaging/new.html", context, form, refusal)


@router.get("/messages/new")
async def new_message(request: Request, db: DbSession, auth: CurrentAuth, to: str = "", q: str = "") -> Response:
    return await _new_page(request, db, auth, {"recipient": to[:100], "body": ""}, q=clean_line(q)[:100])


@router.get("/messages/new/people")
async def find_people(request: Request, db: DbSession, auth: CurrentAuth, q: str = "") -> Response:
    """The list of people matching `q` alone: typing in the "To" box swaps it in (htmx)."""
    people = await recipients.find_recipients(db, auth.user, clean_line(q)[:100])
    return render(request, "messaging/_recipients.html", {"people": people, "q": q})


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
        refusal, upgrade = await _refusal_or_upgrade(request, db, exc)
        return await _new_page(request, db, auth, {"recipient": recipient, "body": body}, refusal, upgrade)
    return redirect(request, f"/messages/{sent.view.conversation.id}#message-{sent.message.id}")


async def _conversation_page(
    request: Request,
    db: DbSession,
    auth: Auth,
    conversation_id: uuid.UUID,
    *,
    form: dict[str, str] | None = None,
    refusal: Refusal | None = None,
    upgrade: dict[str, Any] | None = None,
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
        **(await _allowance(db, auth, upgrade) if view.conversation.started_by_id == auth.user.id else {}),
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
        refusal, upgrade = await _refusal_or_upgrade(request, db, exc)
        return await _conversation_page(
            request, db, auth, conversation_id, form={"body": body}, refusal=refusal, upgrade=upgrade
        )
    return redirect(request, f"/messages/{conversation_id}#message-{sent.message.id}")
