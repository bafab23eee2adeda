"""`hiremebahamas analytics backfill`: rebuild the event log from the records, then roll up.

For the demo data, or a site that ran before the log existed: every account, post, comment,
like, follow, message, application, published job and subscription already says when it
happened and who did it, which is what the log would have recorded. The log, the active days and
the figures of the window are replaced, so this is for a first install, not for a site whose log
already holds what the records cannot tell (visits, logins before the last, searches).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, literal, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from hiremebahamas.analytics.events import Event
from hiremebahamas.analytics.rollup import PAID_STATUSES, day_start, rollup_day
from hiremebahamas.billing.revenue import monthly_cents
from hiremebahamas.billing.tiers import load_tiers, tier_by_code
from hiremebahamas.core.sql import utc_day
from hiremebahamas.models import (
    ActiveDay,
    AnalyticsEvent,
    Comment,
    DailyFigure,
    Follow,
    Job,
    JobApplication,
    LastActive,
    Message,
    Post,
    PostLike,
    Subscription,
    User,
)

# (event, who, when) read from the records.
_SOURCES: tuple[tuple[Event, InstrumentedAttribute[Any], InstrumentedAttribute[Any]], ...] = (
    (Event.SIGNED_UP, User.id, User.created_at),
    (Event.EMAIL_VERIFIED, User.id, User.email_verified_at),
    (Event.LOGGED_IN, User.id, User.last_login_at),
    (Event.POST_CREATED, Post.author_id, Post.created_at),
    (Event.COMMENT_CREATED, Comment.author_id, Comment.created_at),
    (Event.POST_LIKED, PostLike.user_id, PostLike.created_at),
    (Event.FOLLOWED, Follow.follower_id, Follow.created_at),
    (Event.MESSAGE_SENT, Message.sender_id, Message.created_at),
    (Event.JOB_APPLIED, JobApplication.applicant_id, JobApplication.created_at),
    (Event.JOB_POSTED, Job.posted_by_id, Job.published_at),
)


async def _copy(session: AsyncSession, since: datetime) -> None:
    empty: ColumnElement[Any] = literal_column("'{}'")
    for event, who, when in _SOURCES:
        rows = select(literal(event.value), who, when, empty).where(when >= since, who.is_not(None))
        target = insert(AnalyticsEvent).from_select(["name", "user_id", "occurred_at", "properties"], rows)
        await session.execute(target)


async def _subscriptions(session: AsyncSession, since: datetime) -> None:
    """A start (and an end) per paid subscription: the MRR movements of the window."""
    tiers = await load_tiers(session)
    query = select(Subscription).where(Subscription.status.in_(PAID_STATUSES))
    rows: list[dict[str, Any]] = []
    for subscription in (await session.execute(query)).scalars():
        mrr = round(monthly_cents(tier_by_code(tiers, subscription.tier), subscription.interval), 4)
        if subscription.created_at >= since:
            change = {"mrr_before": 0, "mrr_after": mrr, "reactivation": False}
            rows.append(_event(Event.SUBSCRIPTION_STARTED, subscription, subscription.created_at, change))
        if subscription.ended_at is not None and subscription.ended_at >= since:
            change = {"mrr_before": mrr, "mrr_after": 0}
            rows.append(_event(Event.SUBSCRIPTION_ENDED, subscription, subscription.ended_at, change))
    if rows:
        await session.execute(insert(AnalyticsEvent), rows)


def _event(event: Event, subscription: Subscription, when: datetime, properties: dict[str, Any]) -> dict[str, Any]:
    return {"name": event.value, "user_id": subscription.user_id, "occurred_at": when, "properties": properties}


async def backfill(session: AsyncSession, days: int, today: date) -> int:
    """Replace the log of the last `days` days (today included) from the records and roll up
    each of those days but today; answers the number of events written."""
    first = today - timedelta(days=days - 1)
    since = day_start(first)
    await session.execute(delete(AnalyticsEvent).where(AnalyticsEvent.occurred_at >= since))
    await session.execute(delete(ActiveDay).where(ActiveDay.day >= first))
    await session.execute(delete(DailyFigure).where(DailyFigure.day >= first))
    await _copy(session, since)
    await _subscriptions(session, since)
    day = utc_day(session, AnalyticsEvent.occurred_at)
    marks = (
        select(day, AnalyticsEvent.user_id)
        .where(AnalyticsEvent.occurred_at >= since, AnalyticsEvent.user_id.is_not(None))
        .distinct()
    )
    await session.execute(insert(ActiveDay).from_select(["day", "user_id"], marks))
    await session.execute(delete(LastActive))
    latest = select(ActiveDay.user_id, func.max(ActiveDay.day)).group_by(ActiveDay.user_id)
    await session.execute(insert(LastActive).from_select(["user_id", "day"], latest))
    for offset in range(days - 1):
        await rollup_day(session, first + timedelta(days=offset))
    count = select(func.count()).where(AnalyticsEvent.occurred_at >= since)
    return int((await session.execute(count)).scalar_one())
