"""Members for messaging, notification, live-event and worker tests: written directly (no
password hashing), each signed in with a bearer token and a browser cookie."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select

from hiremebahamas.accounts.service import ClientInfo, start_session
from hiremebahamas.core import security
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import AccountType, Block, Message, Notification, User
from hiremebahamas.models.base import utcnow
from tests.helpers import PASSWORD


@dataclass
class Member:
    id: uuid.UUID
    username: str
    email: str
    access_token: str
    cookie: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@cache
def _password_hash() -> str:
    return security.hash_password(PASSWORD)


async def member(runtime: Runtime, first_name: str, *, verified: bool = True) -> Member:
    email = f"{first_name.lower()}@example.com"
    async with runtime.database.sessionmaker.begin() as session:
        user = User(
            email=email,
            username=f"{first_name.lower()}-rolle",
            password_hash=_password_hash(),
            first_name=first_name,
            last_name="Rolle",
            account_type=AccountType.JOB_SEEKER,
            email_verified_at=utcnow() if verified else None,
        )
        session.add(user)
        await session.flush()
        login = await start_session(session, runtime.settings, user, ClientInfo())
    return Member(user.id, user.username, email, login.tokens.access_token, login.cookie_value)


async def block(runtime: Runtime, blocker: uuid.UUID, blocked: uuid.UUID) -> None:
    async with runtime.database.sessionmaker.begin() as session:
        session.add(Block(blocker_id=blocker, blocked_id=blocked))


async def messages_in(runtime: Runtime, conversation_id: str) -> list[Message]:
    async with runtime.database.sessionmaker() as session:
        query = select(Message).where(Message.conversation_id == uuid.UUID(conversation_id))
        return list((await session.execute(query.order_by(Message.created_at))).scalars())


async def notifications_of(runtime: Runtime, user_id: uuid.UUID, type_: str | None = None) -> list[Notification]:
    async with runtime.database.sessionmaker() as session:
        query = select(Notification).where(Notification.user_id == user_id)
        if type_ is not None:
            query = query.where(Notification.type == type_)
        return list((await session.execute(query)).scalars())
