"""The runner of the welcome sequences (sequences.py): for each step, the people whose delay
after joining has passed, in keyset batches of the users' (created_at, id) index. Each person's
step is claimed in the sent log once: sent (by the worker, tasks.py), or skipped when its goal is
met or the person turned these emails off. A step not sent within CATCH_UP of falling due is
left alone, so turning the sequence on never emails everyone who ever joined."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import exists, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import sent_log, tasks
from hiremebahamas.lifecycle.audience import reachable
from hiremebahamas.lifecycle.sequences import Step, step_key
from hiremebahamas.models import AccountType, EmailSend, SendStatus, User
from hiremebahamas.notifications.preferences import who_wants_email
from hiremebahamas.notifications.types import WELCOME

BATCH = 500
CATCH_UP = timedelta(days=2)

Position = tuple[datetime, uuid.UUID]


async def claim_batch(
    session: AsyncSession, account_type: AccountType, step: Step, now: datetime, after: Position | None
) -> tuple[list[uuid.UUID], Position | None]:
    """Claim the step for the next batch of people it is due to; (those to email, where the next
    batch starts, None when this was the last)."""
    from hiremebahamas.lifecycle.tasks import send_welcome_step  # it renders with sequences

    key = step_key(account_type, step)
    due_before, due_after = now - step.delay, now - step.delay - CATCH_UP
    already = exists().where(EmailSend.user_id == User.id, EmailSend.key == key)
    query = (
        select(User.id, User.created_at)
        .where(
            User.account_type == account_type,
            User.created_at <= due_before,
            User.created_at > due_after,
            *reachable(),
            ~already,
        )
        .order_by(User.created_at, User.id)
        .limit(BATCH)
    )
    if after is not None:
        query = query.where(tuple_(User.created_at, User.id) > after)
    rows = list(await session.execute(query))
    if not rows:
        return [], None
    ids = [row[0] for row in rows]
    wanting = await who_wants_email(session, ids, WELCOME)
    done = await step.goal(session, ids) if step.goal is not None else set()
    to_email = [user_id for user_id in ids if user_id in wanting and user_id not in done]
    for user_id in ids:
        if user_id in to_email and await sent_log.claim(session, user_id, key):
            tasks.defer(session, send_welcome_step, user_id=str(user_id), key=key)
        elif user_id not in to_email:
            await sent_log.claim(session, user_id, key, SendStatus.SKIPPED)
    last = rows[-1]
    return to_email, (last[1], last[0]) if len(rows) == BATCH else None
