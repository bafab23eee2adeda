"""Page-handler helpers shared by the profile, social and moderation pages.

A page that refuses something (404, 403, 409 …) must still render the site layout for the
signed-in user. When the error escapes the handler, the unit of work rolls back, which expires
the loaded user, and the layout then cannot read it. These helpers roll back *inside* the
handler and reload the user first, so the error page renders normally.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.errors import AppError, Unauthenticated
from hiremebahamas.web.rendering import is_htmx, render

P = ParamSpec("P")


async def discard_attempt(request: Request, db: AsyncSession) -> None:
    """Roll back what a failed action staged, then reload the signed-in user the page shows
    (a rollback expires every loaded object)."""
    await db.rollback()
    auth = getattr(request.state, "auth", None)
    if auth is not None:
        await db.refresh(auth.user)
        await db.refresh(auth.session)


async def error_page(request: Request, db: AsyncSession, error: AppError) -> Response:
    """The error as a page (or, for htmx, an alert in the page's flash area)."""
    await discard_attempt(request, db)
    htmx = is_htmx(request)
    context = {"status": error.status_code, "message": error.message, "code": error.code}
    template = "errors/_alert.html" if htmx else "errors/error.html"
    response = render(request, template, context, status_code=error.status_code)
    if htmx:
        response.headers["HX-Retarget"] = "#flash-area"
        response.headers["HX-Reswap"] = "innerHTML"
    response.headers.update(error.headers())
    return response


def shows_errors(view: Callable[P, Awaitable[Response]]) -> Callable[P, Awaitable[Response]]:
    """Decorate a page handler taking `request` and `db`: AppErrors become error pages
    (signing in is still left to the shared handler, which redirects to the login page)."""

    @functools.wraps(view)
    async def handler(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return await view(*args, **kwargs)
        except Unauthenticated:
            raise
        except AppError as error:
            request: Any = kwargs["request"]
            db: Any = kwargs["db"]
            return await error_page(request, db, error)

    return handler
