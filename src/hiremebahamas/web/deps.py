"""Request dependencies: the runtime, the unit-of-work session, client details, rate limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.config import Settings
from hiremebahamas.core.clientip import client_ip
from hiremebahamas.core.errors import BadRequest
from hiremebahamas.core.ratelimit import LimitScope
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.text import url_has_controls


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_settings(request: Request) -> Settings:
    return get_runtime(request).settings


# The methods that only read: their requests may be answered from a replica (core/db.py).
READ_METHODS = frozenset({"GET", "HEAD"})


async def db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One unit of work per request: commit after the handler returns (before the response is
    sent), roll back when it raises. Whoever a committed write request was made by reads from
    the primary for a few seconds after (read-your-writes, core/db.py)."""
    runtime = get_runtime(request)
    async with runtime.database.unit_of_work(runtime.tasks) as session:
        yield session
    auth = getattr(request.state, "auth", None)  # who accounts/deps.py found signed in, if anyone
    if auth is not None and request.method not in READ_METHODS:
        await runtime.database.note_writer(runtime.store, auth.user.id)


# scope="function" runs the commit before the response goes out, so a client never sees
# success for a write that then fails to commit.
DbSession = Annotated[AsyncSession, Depends(db_session, scope="function")]
AppRuntime = Annotated[Runtime, Depends(get_runtime)]
AppSettings = Annotated[Settings, Depends(get_settings)]


async def refuse_url_controls(request: Request) -> None:
    """Before anything reads the path or query: text in them goes to the database as it came;
    and a parameter without a name (`?=x`) is a malformed address, not one to ignore."""
    query = request.scope.get("query_string", b"")
    if url_has_controls(request.scope["path"], query):
        raise BadRequest("The address contains control characters; remove them and try again.")
    # A pair that starts with "=", found without parsing the query of every request.
    if query.startswith(b"=") or b"&=" in query:
        raise BadRequest("The address has a parameter without a name; remove it and try again.")


def request_ip(request: Request) -> str:
    return client_ip(request, get_settings(request).trusted_proxies)


async def limit_auth(request: Request) -> None:
    await get_runtime(request).limiter.hit(LimitScope.AUTH, "ip", request_ip(request))


async def discard_attempt(request: Request, db: AsyncSession) -> None:
    """Roll back what a failed form staged, then reload the signed-in user and session (a
    rollback expires every loaded object) so the handler can re-show its form."""
    await db.rollback()
    auth = getattr(request.state, "auth", None)
    if auth is not None:
        await db.refresh(auth.user)
        await db.refresh(auth.session)
