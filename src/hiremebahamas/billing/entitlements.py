"""What a plan lets someone do. Every tier-gated action asks this module, and only this module.

- Monthly allowances (messages in conversations the user started, posts, featured jobs) are
  counted in `usage_counters`, one row per (user, metric, calendar month in UTC), taken with one
  atomic upsert that only increments while the count is under the limit: two requests racing for
  the last unit cannot both get it, and a refused attempt leaves the count unchanged.
- Totals (people followed, team members) are counted from their own tables, under a
  per-user (per-company) transaction lock on PostgreSQL so racing requests count one another.
- The plan is computed from the subscription's state and the time (`now`, injectable): a
  subscription canceled at the end of its period stops granting its tier once the period is
  over, with no job needed for the downgrade.
- A comp (`TierGrant`, given by an admin) counts as a subscription of its tier that ends at
  `ends_at`: the same comparison, the same lapse without a job. It is loaded beside the
  subscriptions, one query for any number of people, and is never a subscription itself, so
  nothing that reads Stripe's subscriptions and invoices (revenue) sees it.

Over a limit: `UpgradeRequired(required_tier=...)` (HTTP 402 `upgrade_required`), naming the
cheapest plan that lifts it. Exactly at the limit is allowed; one over is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.billing.tiers import TierSpec, load_tiers, tier_by_code
from hiremebahamas.core.errors import AppError, Conflict, UpgradeRequired
from hiremebahamas.core.sql import dialect_name
from hiremebahamas.models import (
    BillingInterval,
    Company,
    CompanyMember,
    CompanyRole,
    Conversation,
    Follow,
    Subscription,
    SubscriptionStatus,
    TierCode,
    TierGrant,
    UsageCounter,
    User,
)
from hiremebahamas.models.base import utcnow

# Statuses that keep the paid tier: past_due too, while Stripe retries the card.
LIVE_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING, SubscriptionStatus.PAST_DUE)


class Metric(StrEnum):
    """Monthly allowances kept in `usage_counters`."""

    MESSAGES = "messages"
    POSTS = "posts"
    FEATURED_JOBS = "featured_jobs"


@dataclass(frozen=True)
class Plan:
    """A user's plan right now: the tier in force, all tiers (to suggest upgrades) and the
    subscription that grants it (None on Free), or the comp that does (`grant`)."""

    tier: TierSpec
    tiers: list[TierSpec]
    subscription: Subscription | None
    grant: TierGrant | None = None


def month_of(moment: datetime) -> str:
    return moment.strftime("%Y-%m")


def grants_tier(subscription: Subscription, now: datetime) -> bool:
    """Whether this subscription still gives its tier at `now`."""
    if subscription.status not in LIVE_STATUSES:
        return False
    ends = subscription.current_period_end
    return not (subscription.cancel_at_period_end and ends is not None and ends <= now)


async def live_subscriptions(session: AsyncSession, user_ids: Iterable[uuid.UUID]) -> list[Subscription]:
    query = select(Subscription).where(Subscription.user_id.in_(list(user_ids)), Subscription.status.in_(LIVE_STATUSES))
    return list((await session.execute(query.order_by(Subscription.created_at))).scalars())


def grant_is_live(grant: TierGrant, now: datetime) -> bool:
    return grant.ended_at is None and grant.starts_at <= now < grant.ends_at


async def live_grants(session: AsyncSession, user_ids: Iterable[uuid.UUID], now: datetime) -> list[TierGrant]:
    """The comps in force at `now` of these people, in one query."""
    query = select(TierGrant).where(
        TierGrant.user_id.in_(list(user_ids)),
        TierGrant.ended_at.is_(None),
        TierGrant.starts_at <= now,
        TierGrant.ends_at > now,
    )
    return list((await session.execute(query.order_by(TierGrant.created_at))).scalars())


@dataclass(frozen=True)
class Holdings:
    """What gives people a paid tier: their live subscriptions and comps, by person."""

    subscriptions: dict[uuid.UUID, list[Subscription]]
    grants: dict[uuid.UUID, list[TierGrant]]

    def plan(self, tiers: list[TierSpec], user_id: uuid.UUID, now: datetime) -> Plan:
        return best_plan(tiers, self.subscriptions.get(user_id, []), now, self.grants.get(user_id, []))


async def holdings_of(session: AsyncSession, user_ids: Iterable[uuid.UUID], now: datetime) -> Holdings:
    """Two queries whatever the number of people (lists show everyone's plan)."""
    ids = list(user_ids)
    subscriptions: dict[uuid.UUID, list[Subscription]] = {}
    for subscription in await live_subscriptions(session, ids):
        subscriptions.setdefault(subscription.user_id, []).append(subscription)
    grants: dict[uuid.UUID, list[TierGrant]] = {}
    for grant in await live_grants(session, ids, now):
        grants.setdefault(grant.user_id, []).append(grant)
    return Holdings(subscriptions, grants)


def best_plan(
    tiers: list[TierSpec], subscriptions: list[Subscription], now: datetime, grants: Iterable[TierGrant] = ()
) -> Plan:
    """The highest tier anything gives; a paid subscription wins a tie with a comp (it is what
    the person manages on their billing page)."""
    plan = Plan(tier_by_code(tiers, TierCode.FREE), tiers, None)
    for subscription in subscriptions:
        if not grants_tier(subscription, now):
            continue
        tier = tier_by_code(tiers, subscription.tier)
        if tier.rank > plan.tier.rank:
            plan = Plan(tier, tiers, subscription)
    for grant in grants:
        tier = tier_by_code(tiers, grant.tier)
        if grant_is_live(grant, now) and tier.rank > plan.tier.rank:
            plan = Plan(tier, tiers, None, grant)
    return plan


async def plan_of(session: AsyncSession, user_id: uuid.UUID, now: datetime | None = None) -> Plan:
    tiers, now = await load_tiers(session), now or utcnow()
    return (await holdings_of(session, [user_id], now)).plan(tiers, user_id, now)


def _refusal(plan: Plan, allows: Callable[[TierSpec], bool], message: str) -> AppError:
    """402 naming the cheapest better plan that allows it; 409 when no plan does."""
    better = next((tier for tier in plan.tiers if tier.rank > plan.tier.rank and allows(tier)), None)
    if better is None:
        return Conflict(f"{message} No plan allows more.")
    price = better.price_label(BillingInterval.MONTH)
    return UpgradeRequired(
        f"{message} Upgrade to {better.name} ({price}) to lift the limit.", required_tier=better.code.value
    )


def _above(limit: int | None, amount: int) -> bool:
    return limit is None or limit > amount


async def _consume(session: AsyncSession, user_id: uuid.UUID, metric: Metric, limit: int | None, now: datetime) -> bool:
    """Take one unit of a monthly allowance: True when taken, False when none is left.

    One statement: INSERT (first use this month) or, on conflict, increment only while the
    count is under the limit. On PostgreSQL the conflicting row is locked until commit, so a
    racing request waits and then sees the new count.
    """
    if limit is not None and limit <= 0:
        return False
    values: dict[str, Any] = {"user_id": user_id, "metric": metric.value, "period": month_of(now), "used": 1}
    dialect = dialect_name(session)
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(UsageCounter).values(**values, updated_at=now)
    upsert = statement.on_conflict_do_update(
        index_elements=[UsageCounter.user_id, UsageCounter.metric, UsageCounter.period],
        set_={"used": UsageCounter.used + 1, "updated_at": now},
        where=(UsageCounter.used < limit) if limit is not None else None,
    ).returning(UsageCounter.used)
    return (await session.execute(upsert)).scalar_one_or_none() is not None


async def _lock(session: AsyncSession, key: str) -> None:
    """Serialise counting a total per key until commit (PostgreSQL; SQLite runs one writer at a time)."""
    if dialect_name(session) == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


async def _monthly(
    session: AsyncSession,
    user: User,
    metric: Metric,
    limit_of: Callable[[TierSpec], int | None],
    what: str,
    now: datetime,
) -> None:
    plan = await plan_of(session, user.id, now)
    limit = limit_of(plan.tier)
    if not await _consume(session, user.id, metric, limit, now):
        allowed = f"includes {limit} {what} per calendar month, and you have used them all" if limit else ""
        message = f"The {plan.tier.name} plan {allowed or f'does not include {what}'}."
        raise _refusal(plan, lambda tier: _above(limit_of(tier), limit or 0), message)


async def ensure_can_send_message(
    session: AsyncSession, sender: User, conversation: Conversation, now: datetime | None = None
) -> None:
    """Counts a message in a conversation the sender started; replies elsewhere are unlimited."""
    if conversation.started_by_id != sender.id:
        return
    what = "messages in conversations you start"
    await _monthly(session, sender, Metric.MESSAGES, lambda tier: tier.messages_per_month, what, now or utcnow())


async def ensure_can_post(session: AsyncSession, author: User, now: datetime | None = None) -> None:
    """Counts a new post against the monthly allowance."""
    await _monthly(session, author, Metric.POSTS, lambda tier: tier.posts_per_month, "posts", now or utcnow())


async def ensure_can_feature_job(session: AsyncSession, user: User, now: datetime | None = None) -> None:
    """Counts a featured (pinned) job against the monthly allowance; call it where a job is featured."""
    what = "featured jobs"
    await _monthly(
        session, user, Metric.FEATURED_JOBS, lambda tier: tier.featured_jobs_per_month, what, now or utcnow()
    )


async def ensure_can_follow(session: AsyncSession, follower_id: uuid.UUID, now: datetime | None = None) -> None:
    """Called right after a new follow is inserted: refuses (rolling it back) when it takes the
    follower over their plan's total."""
    plan = await plan_of(session, follower_id, now)
    limit = plan.tier.follows
    if limit is None:
        return
    await _lock(session, f"follows:{follower_id}")
    following = await follow_count(session, follower_id)
    if following > limit:
        message = f"The {plan.tier.name} plan lets you follow up to {limit} people."
        raise _refusal(plan, lambda tier: _above(tier.follows, limit), message)


async def follow_count(session: AsyncSession, follower_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(Follow).where(Follow.follower_id == follower_id)
    return int((await session.execute(query)).scalar_one())


async def can_post_jobs(session: AsyncSession, user: User) -> bool:
    """Whether the user's plan publishes jobs (the job form says so before Publish is pressed)."""
    return (await plan_of(session, user.id)).tier.can_post_jobs


async def ensure_can_post_job(session: AsyncSession, user: User) -> None:
    """Called by the jobs service before a job is opened (created open, or a draft published)."""
    plan = await plan_of(session, user.id)
    if not plan.tier.can_post_jobs:
        message = f"The {plan.tier.name} plan does not include posting jobs."
        raise _refusal(plan, lambda tier: tier.can_post_jobs, message)


async def ensure_can_see_job_stats(session: AsyncSession, user: User) -> None:
    """A job's statistics (views, applications by day) come with the plan that posts jobs."""
    plan = await plan_of(session, user.id)
    if not plan.tier.can_post_jobs:
        message = f"Job statistics are not part of the {plan.tier.name} plan."
        raise _refusal(plan, lambda tier: tier.can_post_jobs, message)


async def ensure_can_add_team_member(session: AsyncSession, user: User, company: Company) -> None:
    """Called by the companies service before someone joins a company's team. The team's size
    is set by the best plan among the company's owners (`user` is the owner adding)."""
    owners = select(CompanyMember.user_id).where(
        CompanyMember.company_id == company.id, CompanyMember.role == CompanyRole.OWNER
    )
    owner_ids = {user.id, *(await session.execute(owners)).scalars()}
    tiers, now = await load_tiers(session), utcnow()
    holdings = await holdings_of(session, owner_ids, now)
    plan = max((holdings.plan(tiers, owner, now) for owner in owner_ids), key=lambda each: each.tier.rank)
    seats = plan.tier.team_seats
    if seats is None:
        return
    await _lock(session, f"team:{company.id}")
    count = select(func.count()).select_from(CompanyMember).where(CompanyMember.company_id == company.id)
    members = int((await session.execute(count)).scalar_one())
    if members + 1 > seats:
        message = f"The {plan.tier.name} plan allows {seats} team member{'s' if seats != 1 else ''} per company."
        raise _refusal(plan, lambda tier: _above(tier.team_seats, members), message)


@dataclass(frozen=True)
class Usage:
    used: int
    limit: int | None
    period: str | None  # "YYYY-MM" for monthly allowances, None for totals


# Pages warn once this share of a monthly allowance is used (8 of 10 messages).
WARN_AT = 0.8


def nearly_used(usage: Usage) -> bool:
    return usage.limit is not None and usage.used >= usage.limit * WARN_AT


async def message_usage(session: AsyncSession, user_id: uuid.UUID, now: datetime | None = None) -> Usage:
    """This month's messages in conversations the user started, against their plan's allowance."""
    now = now or utcnow()
    plan = await plan_of(session, user_id, now)
    period = month_of(now)
    query = select(UsageCounter.used).where(
        UsageCounter.user_id == user_id, UsageCounter.period == period, UsageCounter.metric == Metric.MESSAGES
    )
    used = (await session.execute(query)).scalar_one_or_none() or 0
    return Usage(used, plan.tier.messages_per_month, period)


async def usage_of(
    session: AsyncSession, user_id: uuid.UUID, plan: Plan, now: datetime | None = None
) -> dict[str, Usage]:
    """What the user used of each allowance (this month's counters and their follows)."""
    period = month_of(now or utcnow())
    query = select(UsageCounter.metric, UsageCounter.used).where(
        UsageCounter.user_id == user_id, UsageCounter.period == period
    )
    used: dict[str, int] = dict((await session.execute(query)).all())
    tier = plan.tier
    return {
        Metric.MESSAGES.value: Usage(used.get(Metric.MESSAGES, 0), tier.messages_per_month, period),
        Metric.POSTS.value: Usage(used.get(Metric.POSTS, 0), tier.posts_per_month, period),
        Metric.FEATURED_JOBS.value: Usage(used.get(Metric.FEATURED_JOBS, 0), tier.featured_jobs_per_month, period),
        "follows": Usage(await follow_count(session, user_id), tier.follows, None),
    }
