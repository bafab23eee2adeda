"""JSON API: /api/notifications (list, mark read, badge counts, email preferences, one-click
unsubscribe)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from hiremebahamas.accounts.deps import CurrentUser
from hiremebahamas.core.pagination import Page
from hiremebahamas.notifications import preferences, service
from hiremebahamas.notifications.schemas import (
    CountsOut,
    MarkReadIn,
    MarkReadOut,
    NotificationOut,
    PreferencesIn,
    PreferencesOut,
    UnsubscribeOut,
)
from hiremebahamas.web.csrf import not_cookie_authenticated
from hiremebahamas.web.deps import AppSettings, DbSession
from hiremebahamas.web.pagination import Paging

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("")
async def list_notifications(
    user: CurrentUser, db: DbSession, paging: Paging, unread: Annotated[bool, Query()] = False
) -> Page[NotificationOut]:
    """Newest first; `?unread=true` for the unread ones only."""
    page = await service.list_notifications(db, user, paging, unread_only=unread)
    return Page(items=page.items, next_cursor=page.next_cursor)


@router.post("/read")
async def mark_read(body: MarkReadIn, user: CurrentUser, db: DbSession) -> MarkReadOut:
    """`{"ids": [...]}` or `{"all": true}`; ids that are not yours are ignored."""
    marked = await service.mark_read(db, user, None if body.all else body.ids)
    return MarkReadOut(marked=marked, unread_count=await service.unread_count(db, user.id))


@router.get("/counts")
async def counts(user: CurrentUser, db: DbSession) -> CountsOut:
    """The nav badges: unread notifications and conversations with unread messages."""
    return await service.counts(db, user.id)


@router.get("/preferences")
async def get_preferences(user: CurrentUser, db: DbSession) -> PreferencesOut:
    return PreferencesOut(items=await preferences.email_choices(db, user.id))


@router.put("/preferences")
async def set_preferences(body: PreferencesIn, user: CurrentUser, db: DbSession) -> PreferencesOut:
    await preferences.set_email_choices(db, user.id, body.email)
    return PreferencesOut(items=await preferences.email_choices(db, user.id))


@router.post("/unsubscribe")
@not_cookie_authenticated
async def unsubscribe(
    db: DbSession, settings: AppSettings, token: Annotated[str, Query(max_length=300)] = ""
) -> UnsubscribeOut:
    """One-click unsubscribe (RFC 8058) with the token of a notification email; no sign-in."""
    type_ = await preferences.unsubscribe(db, settings, token)
    return UnsubscribeOut(type=type_, email=False)
