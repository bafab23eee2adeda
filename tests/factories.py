"""Members written straight to the database, for tests that need people but are not about
registering them: one argon2 hash for the whole run instead of two per person."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.accounts.service import ClientInfo, NewLogin, start_session
from hiremebahamas.config import Settings
from hiremebahamas.core import security
from hiremebahamas.models import AccountType, User
from hiremebahamas.models.base import utcnow
from tests.helpers import PASSWORD


@cache
def _password_hash() -> str:
    return security.hash_password(PASSWORD)


async def add_user(
    session: AsyncSession,
    *,
    email: str,
    username: str,
    first_name: str = "Ann",
    last_name: str = "Rolle",
    employer: bool = False,
    verified: bool = True,
    **columns: Any,
) -> User:
    """A user whose password is PASSWORD, flushed so it has its id; `columns` sets any other."""
    user = User(
        email=email,
        username=username,
        password_hash=_password_hash(),
        first_name=first_name,
        last_name=last_name,
        account_type=AccountType.EMPLOYER if employer else AccountType.JOB_SEEKER,
        email_verified_at=utcnow() if verified else None,
        **columns,
    )
    session.add(user)
    await session.flush()
    return user


async def sign_in(session: AsyncSession, settings: Settings, user: User) -> NewLogin:
    """A live session for `user`: its bearer tokens and its browser cookie."""
    return await start_session(session, settings, user, ClientInfo())


@dataclass(frozen=True)
class Member:
    """A signed-in member: a bearer token for the API, the browser cookie for pages."""

    id: uuid.UUID
    username: str
    email: str
    access_token: str
    cookie: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    @classmethod
    async def sign_in(cls, session: AsyncSession, settings: Settings, user: User) -> Self:
        login = await sign_in(session, settings, user)
        return cls(user.id, user.username, user.email, login.tokens.access_token, login.cookie_value)
