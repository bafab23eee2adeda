"""Recurring revenue, from the subscription records: what each plan brings in a month, for one
member (the changes the analytics log records) or for everyone (the current MRR).

A subscription counts while Stripe says it is paid for or being retried (active, past due); a
trial pays nothing yet, and a subscription set to cancel counts until it ends: its churn falls in
the month it ends. Annual plans count as a twelfth of their price a month. Amounts are in cents,
as floats (an annual plan's twelfth is rarely whole); figures are rounded where they are shown.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.analytics.events import Event, record
from hiremebahamas.billing.tiers import TierSpec, load_tiers, tier_by_code
from hiremebahamas.models import BillingInterval, Subscription, SubscriptionStatus, TierCode

PAYING_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)


def monthly_cents(tier: TierSpec, interval: BillingInterval) -> float:
    if interval is BillingInterval.YEAR:
        return tier.annual_price_cents / 12
    return float(tier.monthly_price_cents)


async def member_mrr(session: AsyncSession, user_id: uuid.UUID) -> float:
    query = select(Subscription.tier, Subscription.interval).where(
        Subscription.user_id == user_id, Subscription.status.in_(PAYING_STATUSES)
    )
    tiers = await load_tiers(session)
    rows = (await session.execute(query)).all()
    return sum(monthly_cents(tier_by_code(tiers, tier), interval) for tier, interval in rows)


Counts = dict[tuple[TierCode, BillingInterval], int]


async def subscription_counts(session: AsyncSession, *where: ColumnElement[bool]) -> Counts:
    """How many subscriptions matching `where` each (tier, interval) has."""
    query = (
        select(Subscription.tier, Subscription.interval, func.count())
        .where(*where)
        .group_by(Subscription.tier, Subscription.interval)
    )
    return {(tier, interval): count for tier, interval, count in (await session.execute(query)).all()}


async def paying_subscriptions(session: AsyncSession) -> Counts:
    """How many paying subscriptions each (tier, interval) has now."""
    return await subscription_counts(session, Subscription.status.in_(PAYING_STATUSES))


def mrr_of(tiers: list[TierSpec], counts: Counts) -> float:
    """The monthly revenue of so many subscriptions of each (tier, interval)."""
    return sum(monthly_cents(tier_by_code(tiers, tier), interval) * n for (tier, interval), n in counts.items())


async def mrr_cents(session: AsyncSession) -> float:
    return mrr_of(await load_tiers(session), await paying_subscriptions(session))


async def _was_customer(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Whether a subscription of theirs was paid for and ended (a return is a reactivation)."""
    query = select(Subscription.id).where(
        Subscription.user_id == user_id,
        Subscription.status == SubscriptionStatus.CANCELED,
        Subscription.ended_at.is_not(None),
    )
    return (await session.execute(query.limit(1))).first() is not None


async def record_change(session: AsyncSession, user_id: uuid.UUID, before: float) -> None:
    """Log how a member's MRR moved (the analytics' new, expansion, contraction, churn and
    reactivation figures add these up). Call after the subscription rows are flushed."""
    after = await member_mrr(session, user_id)
    if round(after, 2) == round(before, 2):
        return
    if before == 0:
        event, extra = Event.SUBSCRIPTION_STARTED, {"reactivation": await _was_customer(session, user_id)}
    elif after == 0:
        event, extra = Event.SUBSCRIPTION_ENDED, {}
    else:
        event, extra = (Event.SUBSCRIPTION_UPGRADED if after > before else Event.SUBSCRIPTION_DOWNGRADED), {}
    record(session, event, user_id, mrr_before=round(before, 4), mrr_after=round(after, 4), **extra)
