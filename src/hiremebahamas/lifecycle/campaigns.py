"""Sending one email to many (a campaign: a week's digest, a newsletter) through the worker, in
chunks of CHUNK people in id order, throttled to EMAIL_SEND_RATE a second.

Each chunk is one task: it reads the next people after the campaign's cursor, claims each one's
email in the sent log just before handing it to SMTP (one at a time, so a crash loses at most
the one in flight and never sends one twice), then moves the cursor and queues the next chunk.
A chunk that dies (a worker killed, a deploy) is taken up again from the cursor: arq retries it,
and the periodic run `resume_stalled` queues again any campaign whose cursor has not moved for
STALLED_AFTER. People the chunk had reached already find their claim and are skipped.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosmtplib
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.config import Settings
from hiremebahamas.core import sent_log, tasks
from hiremebahamas.core.email import OutgoingEmail
from hiremebahamas.core.tasks import TaskContext
from hiremebahamas.lifecycle.audience import reachable
from hiremebahamas.models import CampaignKind, CampaignStatus, EmailCampaign, EmailSend, SendStatus, User
from hiremebahamas.models.base import utcnow
from hiremebahamas.notifications.preferences import who_wants_email

logger = logging.getLogger(__name__)

CHUNK = 200
STALLED_AFTER = timedelta(minutes=15)

Composer = Callable[[AsyncSession, Settings, EmailCampaign, User], Awaitable[OutgoingEmail | None]]


@dataclass(frozen=True)
class Plan:
    """How a kind of campaign is sent: the consent it needs, whom it is for, what each gets
    (None: nothing worth sending to that person, who is recorded as skipped)."""

    preference: str
    audience: Callable[[EmailCampaign], list[ColumnElement[bool]]]
    compose: Composer


PLANS: dict[CampaignKind, Plan] = {}


def plan(kind: CampaignKind, value: Plan) -> None:
    """Each kind's module declares its plan here (digest.py, ...)."""
    PLANS[kind] = value


async def start(session: AsyncSession, kind: CampaignKind, key: str) -> EmailCampaign | None:
    """Create the campaign `key` and queue its first chunk after the commit; None if it exists."""
    from hiremebahamas.lifecycle.tasks import send_campaign_chunk

    if (await session.execute(select(EmailCampaign.id).where(EmailCampaign.key == key))).first() is not None:
        return None
    campaign = EmailCampaign(key=key, kind=kind, status=CampaignStatus.SENDING)
    session.add(campaign)
    await session.flush()
    tasks.defer(session, send_campaign_chunk, campaign_id=str(campaign.id))
    return campaign


async def send_chunk(context: TaskContext, campaign_id: uuid.UUID) -> None:
    from hiremebahamas.lifecycle.tasks import send_campaign_chunk

    async with context.database.sessionmaker() as session:
        campaign = await session.get(EmailCampaign, campaign_id)
        if campaign is None or campaign.status != CampaignStatus.SENDING:
            return
        how = PLANS[campaign.kind]
        query = select(User).where(*reachable(), *how.audience(campaign)).order_by(User.id).limit(CHUNK)
        if campaign.cursor is not None:
            query = query.where(User.id > campaign.cursor)
        people = list((await session.execute(query)).scalars())
        wanting = await who_wants_email(session, [person.id for person in people], how.preference)
    for person in people:
        await _send_one(context, campaign, how, person, wanted=person.id in wanting)
    async with tasks.unit_of_work(context) as session:
        values: dict[str, object] = {"updated_at": utcnow()}
        if people:
            values["cursor"] = people[-1].id
        if len(people) < CHUNK:
            values |= {"status": CampaignStatus.SENT, "finished_at": utcnow()}
        else:
            tasks.defer(session, send_campaign_chunk, campaign_id=str(campaign_id))
        await session.execute(update(EmailCampaign).where(EmailCampaign.id == campaign_id).values(**values))


async def _send_one(context: TaskContext, campaign: EmailCampaign, how: Plan, person: User, *, wanted: bool) -> None:
    async with tasks.unit_of_work(context) as session:
        if not wanted:
            await sent_log.claim(session, person.id, campaign.key, SendStatus.SKIPPED)
            return
        if not await sent_log.claim(session, person.id, campaign.key):
            return  # reached before a crash: sent (or lost in flight), never twice
        message = await how.compose(session, context.settings, campaign, person)
        if message is None:
            await sent_log.mark(session, person.id, campaign.key, SendStatus.SKIPPED)
            return
    try:
        await context.email.send(message)
    except (aiosmtplib.SMTPException, OSError):
        logger.warning("campaign email refused", extra={"campaign": campaign.key}, exc_info=True)
        status = SendStatus.FAILED
    else:
        status = SendStatus.SENT
    async with tasks.unit_of_work(context) as session:
        await sent_log.mark(session, person.id, campaign.key, status)
    if context.settings.email_send_rate > 0:
        await asyncio.sleep(1 / context.settings.email_send_rate)


async def resume_stalled(context: TaskContext, now: datetime | None = None) -> int:
    """Queue again the campaigns whose cursor has not moved for STALLED_AFTER."""
    from hiremebahamas.lifecycle.tasks import send_campaign_chunk

    moment = now or utcnow()
    async with tasks.unit_of_work(context) as session:
        query = select(EmailCampaign.id).where(
            EmailCampaign.status == CampaignStatus.SENDING, EmailCampaign.updated_at < moment - STALLED_AFTER
        )
        stalled = list((await session.execute(query)).scalars())
        for campaign_id in stalled:
            await session.execute(
                update(EmailCampaign).where(EmailCampaign.id == campaign_id).values(updated_at=moment)
            )
            tasks.defer(session, send_campaign_chunk, campaign_id=str(campaign_id))
    if stalled:
        logger.info("stalled campaigns resumed", extra={"count": len(stalled)})
    return len(stalled)


async def counts(session: AsyncSession, key: str) -> dict[SendStatus, int]:
    """How many of a campaign's emails are in each state of the sent log."""
    query = select(EmailSend.status, func.count()).where(EmailSend.key == key).group_by(EmailSend.status)
    found = {status: int(n) for status, n in await session.execute(query)}
    return {status: found.get(status, 0) for status in SendStatus}
