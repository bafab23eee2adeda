"""What every page needs from notifications: the nav badge counts, and keeping the signed-in
user readable on an error page."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request

from hiremebahamas.accounts.deps import Auth, OptionalAuth
from hiremebahamas.core.errors import AppError
from hiremebahamas.notifications import service
from hiremebahamas.web.deps import DbSession


async def load_nav_counts(request: Request, auth: OptionalAuth, db: DbSession) -> None:
    """Page views of signed-in people: both badge counts in one query, for base.html (read by
    web/rendering.py). Form posts skip it: they redirect."""
    if auth is None or request.method != "GET":
        return
    request.state.nav_counts = await service.counts(db, auth.user.id)


async def keep_viewer_readable(request: Request, db: DbSession) -> AsyncIterator[None]:
    """When a page action fails, the unit of work rolls back, which expires every loaded
    object: detach the (unchanged) signed-in user first so the error page can still show them.
    Use with scope="function", so this runs before the rollback."""
    try:
        yield
    except AppError:
        auth: Auth | None = getattr(request.state, "auth", None)
        if auth is not None:
            for loaded in (auth.user, auth.session):
                if loaded in db:
                    db.expunge(loaded)
        raise


async def discard_attempt(request: Request, db: DbSession) -> None:
    """Roll back what a failed form staged, then reload the signed-in user the page shows."""
    await db.rollback()
    auth: Auth | None = getattr(request.state, "auth", None)
    if auth is not None:
        await db.refresh(auth.user)
        await db.refresh(auth.session)
