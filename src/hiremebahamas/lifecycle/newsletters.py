"""Newsletters and announcements written by staff: a draft (Markdown), its preview, a test sent
to its author, then scheduled; sent as a campaign (campaigns.py) to those of its audience who
opted in to marketing email. Every staff action is in the audit log."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.billing.entitlements import LIVE_STATUSES
from hiremebahamas.config import Settings
from hiremebahamas.core import audit, tasks
from hiremebahamas.core.email import OutgoingEmail, defer_email
from hiremebahamas.core.errors import Conflict, NotFound
from hiremebahamas.jobs.postings.markdown import render_markdown
from hiremebahamas.lifecycle import campaigns
from hiremebahamas.lifecycle.emails import consented_email
from hiremebahamas.lifecycle.schemas import NEWSLETTER_KINDS, NewsletterIn
from hiremebahamas.models import (
    AccountType,
    Audience,
    CampaignStatus,
    EmailCampaign,
    EmailSend,
    NotificationPreference,
    Profile,
    SendStatus,
    Subscription,
    TierCode,
    TierGrant,
    User,
)
from hiremebahamas.models.base import new_id, utcnow
from hiremebahamas.notifications.types import MARKETING

TARGET = "newsletter"


def _paid(tier: TierCode) -> ColumnElement[bool]:
    now = utcnow()
    subscribed = exists().where(
        Subscription.user_id == User.id, Subscription.tier == tier, Subscription.status.in_(LIVE_STATUSES)
    )
    comped = exists().where(
        TierGrant.user_id == User.id,
        TierGrant.tier == tier,
        TierGrant.starts_at <= now,
        TierGrant.ends_at > now,
        TierGrant.ended_at.is_(None),
    )
    return or_(subscribed, comped)


def audience_clauses(campaign: EmailCampaign) -> list[ColumnElement[bool]]:
    value = campaign.audience_value
    if campaign.audience == Audience.SEEKERS:
        return [User.account_type == AccountType.JOB_SEEKER]
    if campaign.audience == Audience.EMPLOYERS:
        return [User.account_type == AccountType.EMPLOYER]
    if campaign.audience == Audience.TIER and value is not None:
        tier = TierCode(value)
        if tier == TierCode.FREE:
            return [~_paid(TierCode.PRO), ~_paid(TierCode.BUSINESS)]
        return [_paid(tier)]
    if campaign.audience == Audience.ISLAND and value is not None:
        return [exists().where(Profile.user_id == User.id, Profile.island == value)]
    return []


@lru_cache(maxsize=8)
def _body_html(markdown: str) -> str:
    """Rendered once for all of a campaign's readers, not once each."""
    return render_markdown(markdown)


def email_for(settings: Settings, campaign: EmailCampaign, user: User) -> OutgoingEmail:
    return consented_email(
        settings,
        user,
        MARKETING,
        "mail/lifecycle/newsletter.jinja",
        subject=campaign.subject,
        reason="You get this email because you chose to hear product news and announcements from HireMeBahamas.",
        body_html=_body_html(campaign.body_markdown),
        body_text=campaign.body_markdown,
    )


async def _compose(session: AsyncSession, settings: Settings, campaign: EmailCampaign, user: User) -> OutgoingEmail:
    return email_for(settings, campaign, user)


for _kind in NEWSLETTER_KINDS:
    campaigns.plan(_kind, campaigns.Plan(preference=MARKETING, audience=audience_clauses, compose=_compose))


def _snapshot(campaign: EmailCampaign) -> dict[str, object]:
    return {
        "kind": campaign.kind.value,
        "subject": campaign.subject,
        "audience": campaign.audience.value,
        "audience_value": campaign.audience_value,
        "status": campaign.status.value,
        "scheduled_for": campaign.scheduled_for.isoformat() if campaign.scheduled_for else None,
    }


async def get(session: AsyncSession, newsletter_id: uuid.UUID) -> EmailCampaign:
    campaign = await session.get(EmailCampaign, newsletter_id)
    if campaign is None or campaign.kind not in NEWSLETTER_KINDS:
        raise NotFound("No such newsletter.")
    return campaign


async def save(
    session: AsyncSession, actor: User, data: NewsletterIn, newsletter_id: uuid.UUID | None
) -> EmailCampaign:
    """Create a draft, or change one not yet sending (a scheduled one goes back to draft)."""
    if newsletter_id is None:
        campaign_id = new_id()
        campaign = EmailCampaign(
            id=campaign_id, key=f"newsletter:{campaign_id}", kind=data.kind, created_by_id=actor.id
        )
        session.add(campaign)
        before = None
    else:
        campaign = await get(session, newsletter_id)
        if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
            raise Conflict("This newsletter is already sending or sent: it can no longer change.")
        before = _snapshot(campaign)
    campaign.kind, campaign.subject, campaign.body_markdown = data.kind, data.subject, data.body
    campaign.audience, campaign.audience_value = data.audience, data.audience_value
    campaign.status, campaign.scheduled_for, campaign.updated_at = CampaignStatus.DRAFT, None, utcnow()
    await session.flush()
    audit.record(session, actor, "newsletter.saved", TARGET, campaign.id, before=before, after=_snapshot(campaign))
    return campaign


async def send_test(session: AsyncSession, settings: Settings, actor: User, newsletter_id: uuid.UUID) -> EmailCampaign:
    """The email as its readers will get it, to its author's own address only."""
    campaign = await get(session, newsletter_id)
    message = email_for(settings, campaign, actor)
    defer_email(session, replace(message, subject=f"[Test] {message.subject}"))
    audit.record(session, actor, "newsletter.test_sent", TARGET, campaign.id, after={"to": actor.email})
    return campaign


async def schedule(
    session: AsyncSession, actor: User, newsletter_id: uuid.UUID, send_at: datetime | None
) -> EmailCampaign:
    campaign = await get(session, newsletter_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise Conflict("Only a draft can be scheduled.")
    before = _snapshot(campaign)
    campaign.status = CampaignStatus.SCHEDULED
    campaign.scheduled_for = max(send_at, utcnow()) if send_at is not None else utcnow()
    campaign.updated_at = utcnow()
    audit.record(session, actor, "newsletter.scheduled", TARGET, campaign.id, before=before, after=_snapshot(campaign))
    return campaign


async def start_due(session: AsyncSession, now: datetime | None = None) -> int:
    """The periodic run: the scheduled newsletters whose time has come start sending."""
    from hiremebahamas.lifecycle.tasks import send_campaign_chunk

    query = select(EmailCampaign).where(
        EmailCampaign.status == CampaignStatus.SCHEDULED, EmailCampaign.scheduled_for <= (now or utcnow())
    )
    due = list((await session.execute(query.with_for_update(skip_locked=True))).scalars())
    for campaign in due:
        campaign.status, campaign.updated_at = CampaignStatus.SENDING, utcnow()
        tasks.defer(session, send_campaign_chunk, campaign_id=str(campaign.id))
    return len(due)


async def counts(session: AsyncSession, campaign: EmailCampaign) -> dict[str, int]:
    """Sent, failed, and how many of those it reached have since turned marketing email off."""
    by_status = await campaigns.counts(session, campaign.key)
    unsubscribed = (
        select(func.count())
        .select_from(EmailSend)
        .join(
            NotificationPreference,
            and_(
                NotificationPreference.user_id == EmailSend.user_id,
                NotificationPreference.type == MARKETING,
                NotificationPreference.email.is_(False),
            ),
        )
        .where(EmailSend.key == campaign.key, EmailSend.status == SendStatus.SENT)
    )
    return {
        "sent": by_status[SendStatus.SENT],
        "failed": by_status[SendStatus.FAILED],
        "unsubscribed": int((await session.execute(unsubscribed)).scalar_one()),
    }


async def listing(session: AsyncSession, limit: int = 50) -> list[EmailCampaign]:
    query = (
        select(EmailCampaign)
        .where(EmailCampaign.kind.in_(NEWSLETTER_KINDS))
        .order_by(EmailCampaign.created_at.desc(), EmailCampaign.id.desc())
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())
