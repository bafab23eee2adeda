"""What every page needs from notifications: the nav badge counts, and keeping the signed-in
user readable on an error page."""

from __future__ import annotations

from fastapi import Request

from hiremebahamas.accounts.deps import OptionalAuth
from hiremebahamas.notifications import service
from hiremebahamas.web.deps import DbSession


async def load_nav_counts(request: Request, auth: OptionalAuth, db: DbSession) -> None:
    """Page views of signed-in people: both badge counts in one query, for base.html (read by
    web/rendering.py). Form posts skip it: they redirect."""
    if auth is None or request.method != "GET":
        return
    request.state.nav_counts = await service.counts(db, auth.user.id)
