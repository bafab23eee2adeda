"""Members for messaging, notification, live-event and worker tests: written directly (no
password hashing), each signed in with a bearer token and a browser cookie."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Block, Message, Notification
from tests.factories import Member, add_user


async def member(runtime: Runtime, first_name: str, *, verified: bool = True) -> Member:
    email = f"{first_name.lower()}@example.com"
    async with runtime.database.sessionmaker.begin() as session:
        username = f"{first_name.lower()}-rolle"
        user = await add_user(session, email=email, username=username, first_name=first_name, verified=verified)
        return await Member.sign_in(session, runtime.settings, user)


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
