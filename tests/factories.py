"""Members written straight to the database, for tests that need people but are not about
registering them: one argon2 hash for the whole run instead of two per person."""

from __future__ import annotations

from functools import cache
from typing import Any

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
