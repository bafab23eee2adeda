"""Lifecycle's background work: the periodic run of the welcome sequences (welcome.py), and
sending one claimed email, checked again when it goes out (an unsubscribe in between wins)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from hiremebahamas.core import sent_log, tasks
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.tasks import TaskContext, TaskRegistry
from hiremebahamas.lifecycle import emails, welcome
from hiremebahamas.lifecycle.content import matching_jobs
from hiremebahamas.lifecycle.sequences import SEQUENCES, find_step
from hiremebahamas.models import SendStatus, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.notifications.preferences import wants_email
from hiremebahamas.notifications.types import WELCOME

logger = logging.getLogger(__name__)


async def send_welcome_sequences(context: TaskContext, now: datetime | None = None) -> None:
    """Every step of every sequence, batch by batch, each batch in its own unit of work."""
    now = now or utcnow()
    claimed = 0
    for account_type, steps in SEQUENCES.items():
        for step in steps:
            after: welcome.Position | None = None
            while True:
                async with tasks.unit_of_work(context) as session:
                    emailed, after = await welcome.claim_batch(session, account_type, step, now, after)
                claimed += len(emailed)
                if after is None:
                    break
    if claimed:
        logger.info("welcome emails claimed", extra={"count": claimed})


async def deliver(context: TaskContext, user_id: uuid.UUID, key: str, message: OutgoingEmail) -> None:
    """Hand a claimed email to SMTP and record how it went in the sent log."""
    try:
        await context.email.send(message)
    except Exception:
        logger.exception("lifecycle email failed", extra={"key": key})
        status = SendStatus.FAILED
    else:
        status = SendStatus.SENT
    async with tasks.unit_of_work(context) as session:
        await sent_log.mark(session, user_id, key, status)


@tasks.task
async def send_welcome_step(context: TaskContext, *, user_id: str, key: str) -> None:
    found = find_step(key)
    recipient = uuid.UUID(user_id)
    async with context.database.sessionmaker() as session:
        user = await session.get(User, recipient)
        if found is None or user is None or not await wants_email(session, recipient, WELCOME):
            return
        _, step = found
        base = context.settings.base_url
        jobs = await matching_jobs(session, base, recipient) if step.shows_matching_jobs else []
    await deliver(context, recipient, key, emails.welcome_step(context.settings, user, step, jobs))


def register(registry: TaskRegistry) -> None:
    registry.add(send_welcome_step)
    # The in-process schedule (core/schedule.py) does the same when no worker is configured.
    registry.every("welcome_sequences", send_welcome_sequences, minutes=range(3, 60, 10))
