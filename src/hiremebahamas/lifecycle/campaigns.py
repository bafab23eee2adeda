"""Sending one email to many (a campaign: a week's digest, a newsletter) through the worker, in
chunks of CHUNK people in id order, throttled to EMAIL_SEND_RATE a second.

Each chunk is one task: it reads the next people after the campaign's cursor, claims their
emails in the sent log in batches of SEND_BATCH just before handing them to SMTP (so a crash
loses at most the rest of a batch, and never sends one twice), then moves the cursor and queues
the next chunk.
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
# Emails claimed in one transaction, then sent one by one: a crash loses at most the rest of a
# batch (claimed, not yet sent), and one transaction per batch keeps the database's share small.
SEND_BATCH = 10
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
    outcomes: list[tuple[uuid.UUID, SendStatus]] = []
    for start in range(0, len(people), SEND_BATCH):
        async with tasks.unit_of_work(context) as session:
            await _record(session, campaign.key, outcomes)
            claimed = await _claim(
                session, context.settings, campaign, how, people[start : start + SEND_BATCH], wanting
            )
        outcomes = [(user_id, await _deliver(context, campaign.key, message)) for user_id, message in claimed]
    async with tasks.unit_of_work(context) as session:
        await _record(session, campaign.key, outcomes)
        values: dict[str, object] = {"updated_at": utcnow()}
        if people:
            values["cursor"] = people[-1].id
        if len(people) < CHUNK:
            values |= {"status": CampaignStatus.SENT, "finished_at": utcnow()}
        else:
            tasks.defer(session, send_campaign_chunk, campaign_id=str(campaign_id))
        await session.execute(update(EmailCampaign).where(EmailCampaign.id == campaign_id).values(**values))


async def _claim(
    session: AsyncSession,
    settings: Settings,
    campaign: EmailCampaign,
    how: Plan,
    people: list[User],
    wanting: set[uuid.UUID],
) -> list[tuple[uuid.UUID, OutgoingEmail]]:
    """Claim a batch's emails; those to send now. People reached before (a chunk taken up
    again) find their claim taken and are left out."""
    await sent_log.claim_many(session, [p.id for p in people if p.id not in wanting], campaign.key, SendStatus.SKIPPED)
    ours = await sent_log.claim_many(session, [p.id for p in people if p.id in wanting], campaign.key)
    claimed = []
    for person in people:
        if person.id not in ours:
            continue
        message = await how.compose(session, settings, campaign, person)
        if message is None:
            await sent_log.mark(session, person.id, campaign.key, SendStatus.SKIPPED)
        else:
            claimed.append((person.id, message))
    return claimed


async def _deliver(context: TaskContext, key: str, message: OutgoingEmail) -> SendStatus:
    try:
        await context.email.send(message)
    except (aiosmtplib.SMTPException, OSError):
        logger.warning("campaign email refused", extra={"campaign": key}, exc_info=True)
        return SendStatus.FAILED
    finally:
        if context.settings.email_send_rate > 0:
            await asyncio.sleep(1 / context.settings.email_send_rate)
    return SendStatus.SENT


async def _record(session: AsyncSession, key: str, outcomes: list[tuple[uuid.UUID, SendStatus]]) -> None:
    """Write how the last batch went, in the unit of work that claims the next."""
    for status in {status for _, status in outcomes}:
        user_ids = [user_id for user_id, outcome in outcomes if outcome == status]
        await session.execute(
            update(EmailSend)
            .where(EmailSend.key == key, EmailSend.user_id.in_(user_ids))
            .values(status=status, updated_at=utcnow())
        )


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
