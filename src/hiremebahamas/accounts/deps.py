"""Who is making the request: a bearer access token (API clients) or the session cookie; and the
API rate limit, which counts by it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.accounts import service
from hiremebahamas.core.errors import EmailUnverified, Unauthenticated
from hiremebahamas.core.ratelimit import LimitScope
from hiremebahamas.core.security import SESSION_COOKIE
from hiremebahamas.models import AccountType, AuthSession, StaffRole, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.web.deps import READ_METHODS, DbSession, get_runtime, get_settings, request_ip
from hiremebahamas.web.meta import mark_private

BEARER = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="JWT",
    description="The access token from POST /api/auth/login or /api/auth/refresh.",
    auto_error=False,
)


@dataclass(frozen=True)
class Viewer:
    """A plain copy of the signed-in user for templates. Page errors roll the unit of work
    back, which expires ORM objects; the error page must still render the layout."""

    id: uuid.UUID
    username: str
    email: str
    first_name: str
    last_name: str
    account_type: AccountType
    email_verified: bool
    staff_role: StaffRole | None

    @property
    def is_admin(self) -> bool:
        return self.staff_role is StaffRole.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.staff_role is not None

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(
            id=user.id,
            username=user.username,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            account_type=user.account_type,
            email_verified=user.email_verified,
            staff_role=user.staff_role,
        )


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
    request.state.viewer = Viewer.of(auth.user) if auth else None
    await _choose_reads(request, db, auth)
    return auth


async def _choose_reads(request: Request, db: AsyncSession, auth: Auth | None) -> None:
    """Where this request's reads go (core/db.py), decided here because every request passes
    here before its handler, and here is where the reader is known: a replica, for a GET or
    HEAD by someone who neither wrote in the last seconds nor has just signed in (the new
    session, and perhaps the account, may not have reached the replicas yet)."""
    if request.method not in READ_METHODS:
        return
    runtime = get_runtime(request)
    database = runtime.database
    if not database.replica_engines:
        return
    if auth is not None:
        just_signed_in = utcnow() - auth.session.created_at < timedelta(seconds=database.sticky_seconds)
        if just_signed_in or await database.wrote_recently(runtime.store, auth.user.id):
            return
    database.read_from_replica(db)


async def current_auth(
    request: Request,
    auth: Annotated[Auth | None, Depends(optional_auth)],
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> Auth:
    """`_bearer` only declares the scheme (OpenAPI) on the operations that need signing in;
    optional_auth has read the header already. (Every API call reads it, for rate limits.)"""
    if auth is None:
        raise Unauthenticated(getattr(request.state, "auth_error", None))
    mark_private(request)  # a page only its signed-in reader sees: noindex
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


async def limit_api(request: Request, auth: OptionalAuth) -> None:
    """RATE_LIMIT_API: signed-in callers are counted per user (many people can share one office
    IP); anonymous ones per IP."""
    identity = ("user", str(auth.user.id)) if auth else ("ip", request_ip(request))
    await get_runtime(request).limiter.hit(LimitScope.API, *identity)
