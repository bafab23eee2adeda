"""Pages: the notification list, email preferences (/account/notifications), and the
unsubscribe link of notification emails (works without signing in)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response

from hiremebahamas.accounts.deps import Auth, CurrentAuth, optional_auth
from hiremebahamas.core.errors import ValidationFailed
from hiremebahamas.core.pagination import DEFAULT_LIMIT, PageParams
from hiremebahamas.notifications import preferences, service
from hiremebahamas.notifications.types import KINDS
from hiremebahamas.web.deps import AppSettings, DbSession
from hiremebahamas.web.forms import FormStr
from hiremebahamas.web.pagination import page_cursor
from hiremebahamas.web.rendering import redirect, render, safe_next

router = APIRouter(dependencies=[Depends(optional_auth)], include_in_schema=False)


async def _list_context(request: Request, db: DbSession, auth: Auth) -> dict[str, Any]:
    unread_only = request.query_params.get("unread") in ("1", "true")
    paging = PageParams(page_cursor(request), DEFAULT_LIMIT)
    page = await service.list_notifications(db, auth.user, paging, unread_only=unread_only)
    return {"page": page, "unread_only": unread_only}


@router.get("/notifications")
async def notifications_page(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
    return render(request, "notifications/list.html", await _list_context(request, db, auth))


@router.get("/notifications/_list")
async def notifications_list(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
    """The list alone: live.js swaps it in when a notification arrives."""
    return render(request, "notifications/_list.html", await _list_context(request, db, auth))


@router.post("/notifications/read")
async def mark_read(
    request: Request,
    db: DbSession,
    auth: CurrentAuth,
    id: FormStr = "",
    all: FormStr = "",
    next: FormStr = "",
) -> Response:
    if all:
        await service.mark_read(db, auth.user, None)
    else:
        try:
            ids = [uuid.UUID(id)]
        except ValueError as exc:
            raise ValidationFailed("Choose a notification.", fields={"id": "Not a notification."}) from exc
        await service.mark_read(db, auth.user, ids)
    return redirect(request, safe_next(next, "/notifications"))


@router.get("/account/notifications")
async def preferences_page(request: Request, db: DbSession, auth: CurrentAuth) -> Response:
    choices = await preferences.email_choices(db, auth.user.id)
    return render(request, "notifications/preferences.html", {"choices": choices})


@router.post("/account/notifications")
async def save_preferences(
    request: Request,
    db: DbSession,
    auth: CurrentAuth,
    email: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    wanted = set(email)
    choices = {choice.type: choice.type in wanted for choice in await preferences.email_choices(db, auth.user.id)}
    await preferences.set_email_choices(db, auth.user.id, choices)
    return redirect(request, "/account/notifications", flash=("success", "Your email choices are saved."))


def _unsubscribed(request: Request, type_: str, token: str, email: bool) -> Response:
    context = {"label": KINDS[type_].label, "token": token, "email": email}
    return render(request, "notifications/unsubscribed.html", context)


@router.get("/notifications/unsubscribe")
async def unsubscribe(request: Request, db: DbSession, settings: AppSettings, token: str = "") -> Response:
    """One click from an email turns that type's emails off; the page offers to undo it."""
    type_ = await preferences.unsubscribe(db, settings, token)
    return _unsubscribed(request, type_, token, email=False)


@router.post("/notifications/unsubscribe")
async def resubscribe(request: Request, db: DbSession, settings: AppSettings, token: FormStr = "") -> Response:
    type_ = await preferences.unsubscribe(db, settings, token, email=True)
    return _unsubscribed(request, type_, token, email=True)
