"""Who is making the request: a bearer access token (API clients) or the session cookie."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from hiremebahamas.accounts import service
from hiremebahamas.core.errors import EmailUnverified, Unauthenticated
from hiremebahamas.models import AuthSession, User
from hiremebahamas.web.deps import DbSession, get_settings

SESSION_COOKIE = "hmb_session"


@dataclass(frozen=True)
class Auth:
    user: User
    session: AuthSession
    via_cookie: bool


async def optional_auth(request: Request, db: DbSession) -> Auth | None:
    """The signed-in user, or None. A bad bearer token is remembered, not raised, so that
    public endpoints still answer; `current_auth` turns it into a clear 401."""
    header = request.headers.get("authorization")
    auth: Auth | None = None
    if header:
        scheme, _, token = header.partition(" ")
        live = None
        if scheme.lower() == "bearer" and token.strip():
            live = await service.resolve_access_token(db, get_settings(request), token.strip())
        if live is None:
            request.state.auth_error = "Your access token is invalid or has expired. Refresh it or log in again."
        else:
            auth = Auth(user=live[1], session=live[0], via_cookie=False)
    elif cookie := request.cookies.get(SESSION_COOKIE):
        live = await service.resolve_cookie(db, cookie)
        if live is not None:
            auth = Auth(user=live[1], session=live[0], via_cookie=True)
    request.state.auth = auth
    return auth


async def current_auth(request: Request, auth: Annotated[Auth | None, Depends(optional_auth)]) -> Auth:
    if auth is None:
        raise Unauthenticated(getattr(request.state, "auth_error", None))
    return auth


async def verified_auth(auth: Annotated[Auth, Depends(current_auth)]) -> Auth:
    """For actions that write something others see: posting, messaging, applying, hiring."""
    if not auth.user.email_verified:
        raise EmailUnverified()
    return auth


OptionalAuth = Annotated[Auth | None, Depends(optional_auth)]
CurrentAuth = Annotated[Auth, Depends(current_auth)]
VerifiedAuth = Annotated[Auth, Depends(verified_auth)]


def current_user(auth: CurrentAuth) -> User:
    return auth.user


CurrentUser = Annotated[User, Depends(current_user)]
