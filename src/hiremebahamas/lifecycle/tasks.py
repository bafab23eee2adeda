"""Lifecycle's background work: the periodic run of the welcome sequences (welcome.py) and
sending one claimed step, checked again when it goes out (an unsubscribe in between wins); the
weekly digest's start on Mondays, a campaign's chunks, and taking up stalled campaigns."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from hiremebahamas.core import sent_log, tasks
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.schedule import claim_period
from hiremebahamas.core.tasks import TaskContext, TaskRegistry
from hiremebahamas.lifecycle import campaigns, digest, emails, newsletters, welcome
from hiremebahamas.lifecycle.content import matching_jobs
from hiremebahamas.lifecycle.sequences import SEQUENCES, find_step
from hiremebahamas.models import CampaignKind, SendStatus, User
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


# Mondays from noon UTC (8 a.m. in Nassau): the week's digest starts once.
DIGEST_WEEKDAY, DIGEST_HOUR = 0, 12


async def start_weekly_digest(context: TaskContext, now: datetime | None = None) -> None:
    now = now or utcnow()
    if now.weekday() != DIGEST_WEEKDAY or now.hour < DIGEST_HOUR:
        return
    key = digest.week_key(now)
    if not await claim_period(context, "weekly_digest", key):
        return
    async with tasks.unit_of_work(context) as session:
        await campaigns.start(session, CampaignKind.DIGEST, key)


@tasks.task
async def send_campaign_chunk(context: TaskContext, *, campaign_id: str) -> None:
    await campaigns.send_chunk(context, uuid.UUID(campaign_id))


async def resume_stalled_campaigns(context: TaskContext) -> None:
    await campaigns.resume_stalled(context)


async def start_scheduled_newsletters(context: TaskContext) -> None:
    async with tasks.unit_of_work(context) as session:
        started = await newsletters.start_due(session)
    if started:
        logger.info("newsletters started", extra={"count": started})


def register(registry: TaskRegistry) -> None:
    registry.add(send_welcome_step, send_campaign_chunk)
    # The in-process schedule (core/schedule.py) does the same when no worker is configured.
    registry.every("welcome_sequences", send_welcome_sequences, minutes=range(3, 60, 10))
    registry.every("weekly_digest", start_weekly_digest, minutes={1, 31})
    registry.every("stalled_campaigns", resume_stalled_campaigns, minutes=range(9, 60, 10))
    registry.every("newsletters", start_scheduled_newsletters, minutes=set(range(60)))
