"""The sent log (models/email.py): claim an email for a person before sending it, so that a
rerun after a crash, a redelivered webhook or a second process finds it taken and sends nothing.
A crash between the claim and SMTP loses that one email rather than sending it twice."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core.sql import insert_ignoring_conflicts, insert_many_ignoring_conflicts
from hiremebahamas.models import EmailSend, SendStatus
from hiremebahamas.models.base import new_id, utcnow


async def claim(session: AsyncSession, user_id: uuid.UUID, key: str, status: SendStatus = SendStatus.CLAIMED) -> bool:
    """True for the one caller that records (user, key) first."""
    now = utcnow()
    return await insert_ignoring_conflicts(
        session, EmailSend, id=new_id(), user_id=user_id, key=key, status=status, created_at=now, updated_at=now
    )


async def claim_many(
    session: AsyncSession, user_ids: Collection[uuid.UUID], key: str, status: SendStatus = SendStatus.CLAIMED
) -> set[uuid.UUID]:
    """`claim` for a batch in two statements: those of `user_ids` this call recorded first."""
    if not user_ids:
        return set()
    now = utcnow()
    ours = {user_id: new_id() for user_id in user_ids}
    rows = [
        {"id": row_id, "user_id": user_id, "key": key, "status": status, "created_at": now, "updated_at": now}
        for user_id, row_id in ours.items()
    ]
    await insert_many_ignoring_conflicts(session, EmailSend, rows)
    query = select(EmailSend.user_id).where(EmailSend.id.in_(list(ours.values())))
    return set((await session.execute(query)).scalars())


async def mark(session: AsyncSession, user_id: uuid.UUID, key: str, status: SendStatus) -> None:
    await session.execute(
        update(EmailSend)
        .where(EmailSend.user_id == user_id, EmailSend.key == key)
        .values(status=status, updated_at=utcnow())
    )
