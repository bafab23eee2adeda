"""The daily rollup: one day's figures from the event log, the active days and the subscription
records, stored in `analytics_daily` (docs/analytics.md defines each one).

A day is rolled up once it is over (the schedule does yesterday, `hiremebahamas analytics
rollup --date` any day); rolling a day up again replaces its figures, so a late event or a fixed
definition is one command away. Every query reads one day of events (the `occurred_at` index) or
a few days of active-day marks (their primary key), so a day costs the same whatever the number
of members.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, delete, distinct, exists, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from hiremebahamas.analytics.events import FIRST_ACTIONS, Event
from hiremebahamas.billing.revenue import mrr_of, subscription_counts
from hiremebahamas.billing.tiers import load_tiers
from hiremebahamas.models import (
    ActiveDay,
    AnalyticsEvent,
    DailyFigure,
    Job,
    JobApplication,
    LastActive,
    Subscription,
    SubscriptionStatus,
)
from hiremebahamas.models.base import utcnow

RETENTION_DAYS = (1, 7, 30)
# A subscription was paying on a past day if it had started and not yet ended: canceled ones
# were paid for until they ended; one still incomplete or on trial never was.
PAID_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE, SubscriptionStatus.CANCELED)
MOVEMENTS = ("new", "reactivation", "expansion", "contraction", "churned")

Figures = dict[tuple[str, str], int]


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _on(day: date) -> tuple[datetime, datetime]:
    return day_start(day), day_start(day + timedelta(days=1))


def _events_on(day: date) -> ColumnElement[bool]:
    start, end = _on(day)
    return and_(AnalyticsEvent.occurred_at >= start, AnalyticsEvent.occurred_at < end)


async def _event_counts(session: AsyncSession, day: date, figures: Figures) -> None:
    query = select(AnalyticsEvent.name, func.count()).where(_events_on(day)).group_by(AnalyticsEvent.name)
    for name, count in (await session.execute(query)).all():
        figures[(f"events.{name}", "")] = count


async def _active(session: AsyncSession, day: date, figures: Figures) -> None:
    """Members active on the day, and on any of the 7 and 30 days to it. For today they are
    members whose last active day is recent enough (one range of an index); a past day needs
    its marks, as members active since have moved their last day on."""
    for metric, days in (("dau", 1), ("wau", 7), ("mau", 30)):
        since = day - timedelta(days=days - 1)
        if day >= utcnow().date():
            query = select(func.count()).where(LastActive.day >= since)
        else:
            query = select(func.count(distinct(ActiveDay.user_id))).where(ActiveDay.day.between(since, day))
        figures[(metric, "")] = (await session.execute(query)).scalar_one()


async def _retention(session: AsyncSession, day: date, figures: Figures) -> None:
    """Of the members who signed up `k` days before `day`, how many were active on `day`."""
    for k in RETENTION_DAYS:
        cohort = day - timedelta(days=k)
        start, end = _on(cohort)
        active = exists().where(ActiveDay.day == day, ActiveDay.user_id == AnalyticsEvent.user_id)
        query = select(func.count(distinct(AnalyticsEvent.user_id))).where(
            AnalyticsEvent.name == Event.SIGNED_UP.value,
            AnalyticsEvent.occurred_at >= start,
            AnalyticsEvent.occurred_at < end,
            active,
        )
        figures[(f"retained_d{k}", cohort.isoformat())] = (await session.execute(query)).scalar_one()


NEW_MEMBER_DAYS = 30
"""A first action counts in the funnel when it comes this soon after signing up."""


async def _first_actions(session: AsyncSession, day: date, figures: Figures) -> None:
    """New members (signed up in the 30 days before) whose first post, application or message
    was on `day`. Read from the new members' side: a few sign-ups, each with two lookups of
    their own events (the user index), rather than every action of the day."""
    names = [event.value for event in FIRST_ACTIONS]
    start, end = _on(day)
    acted = aliased(AnalyticsEvent)

    def actions(since: datetime | None, until: datetime) -> ColumnElement[bool]:
        when = [acted.occurred_at < until] + ([acted.occurred_at >= since] if since is not None else [])
        return exists().where(acted.user_id == AnalyticsEvent.user_id, acted.name.in_(names), *when)

    query = select(func.count(distinct(AnalyticsEvent.user_id))).where(
        AnalyticsEvent.name == Event.SIGNED_UP.value,
        AnalyticsEvent.occurred_at >= day_start(day - timedelta(days=NEW_MEMBER_DAYS)),
        AnalyticsEvent.occurred_at < end,
        actions(start, end),
        ~actions(None, start),
    )
    figures[("first_actions", "")] = (await session.execute(query)).scalar_one()


async def _revenue(session: AsyncSession, day: date, figures: Figures) -> None:
    """MRR and paying subscriptions at the day's end, and the paid ones started that day (by
    tier), from the subscription records."""
    end = _on(day)[1]
    counts = await subscription_counts(
        session,
        Subscription.status.in_(PAID_STATUSES),
        Subscription.created_at < end,
        or_(Subscription.ended_at.is_(None), Subscription.ended_at >= end),
    )
    figures[("mrr_cents", "")] = round(mrr_of(await load_tiers(session), counts))
    by_tier = Counter[str]()
    for (tier, _interval), n in counts.items():
        by_tier[tier.value] += n
    for tier_code, n in by_tier.items():
        figures[("paying", tier_code)] = n
    start = _on(day)[0]
    started = (
        select(Subscription.tier, func.count())
        .where(Subscription.status.in_(PAID_STATUSES), Subscription.created_at >= start, Subscription.created_at < end)
        .group_by(Subscription.tier)
    )
    for tier, n in (await session.execute(started)).all():
        figures[("new_paid", tier.value)] = n


def movement_of(name: str, properties: dict[str, object]) -> tuple[str, float] | None:
    """Which MRR movement a subscription event is, and by how much (negative for a loss)."""
    before, after = properties.get("mrr_before"), properties.get("mrr_after")
    if not isinstance(before, int | float) or not isinstance(after, int | float):
        return None
    change = float(after) - float(before)
    if name == Event.SUBSCRIPTION_STARTED.value:
        return ("reactivation" if properties.get("reactivation") else "new"), change
    if name == Event.SUBSCRIPTION_ENDED.value:
        return "churned", change
    if name in (Event.SUBSCRIPTION_UPGRADED.value, Event.SUBSCRIPTION_DOWNGRADED.value):
        return ("expansion" if change > 0 else "contraction"), change
    return None


async def _movements(session: AsyncSession, day: date, figures: Figures) -> None:
    names = [
        event.value
        for event in (
            Event.SUBSCRIPTION_STARTED,
            Event.SUBSCRIPTION_ENDED,
            Event.SUBSCRIPTION_UPGRADED,
            Event.SUBSCRIPTION_DOWNGRADED,
        )
    ]
    query = select(AnalyticsEvent.name, AnalyticsEvent.properties).where(
        _events_on(day), AnalyticsEvent.name.in_(names)
    )
    totals = dict.fromkeys(MOVEMENTS, 0.0)
    for name, properties in (await session.execute(query)).all():
        if (found := movement_of(name, properties)) is not None:
            totals[found[0]] += found[1]
    for movement, cents in totals.items():
        figures[(f"mrr_{movement}", "")] = round(cents)


FIRST_APPLICANT_HOURS = (1, 3, 6, 12, 24, 48, 96, 168, 336)
"""The upper bounds (hours after publication) the waits for a job's first applicant are counted
under; a longer wait counts under the last."""


def hours_bucket(hours: float) -> int:
    return next((bound for bound in FIRST_APPLICANT_HOURS if hours <= bound), FIRST_APPLICANT_HOURS[-1])


async def _first_applicants(session: AsyncSession, day: date, figures: Figures) -> None:
    """The jobs whose first application came on `day`, by how long after publication (one row
    per wait bucket): the marketplace's time to first applicant, without a join of every job of
    a window with its applications at each view."""
    start, end = _on(day)
    earlier = aliased(JobApplication)
    before = exists().where(earlier.job_id == JobApplication.job_id, earlier.created_at < start)
    query = (
        select(Job.published_at, func.min(JobApplication.created_at))
        .join(Job, Job.id == JobApplication.job_id)
        .where(JobApplication.created_at >= start, JobApplication.created_at < end, ~before)
        .group_by(Job.id, Job.published_at)
    )
    for published, first in (await session.execute(query)).all():
        if published is None:
            continue
        wait = max(0.0, (aware(first) - aware(published)).total_seconds() / 3600)
        key = ("first_applicant_hours", str(hours_bucket(wait)))
        figures[key] = figures.get(key, 0) + 1


def aware(moment: datetime | str) -> datetime:
    """An aggregate's timestamp (SQLite's min() answers naive UTC text)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


TOP_FAILED_SEARCHES = 50
"""Search words without results kept per day (the most searched)."""


async def _failed_searches(session: AsyncSession, day: date, figures: Figures) -> None:
    terms = AnalyticsEvent.properties["terms"].as_string()
    query = (
        select(terms, func.count())
        .where(
            _events_on(day),
            AnalyticsEvent.name == Event.SEARCH_RUN.value,
            AnalyticsEvent.properties["results"].as_integer() == 0,
        )
        .group_by(terms)
        .order_by(func.count().desc(), terms)
        .limit(TOP_FAILED_SEARCHES)
    )
    for words, count in (await session.execute(query)).all():
        if words:
            figures[("search_no_results", words)] = count


Part = Callable[[AsyncSession, date, Figures], Awaitable[None]]

# What members did: the costly part of a day's figures (today's events are the most numerous).
ACTIVITY: tuple[Part, ...] = (_event_counts, _active, _retention, _first_actions, _failed_searches, _first_applicants)
# MRR and its movements: a few rows, and what the summary must show as of now.
REVENUE: tuple[Part, ...] = (_revenue, _movements)


async def figures_of(session: AsyncSession, day: date, parts: tuple[Part, ...] = ACTIVITY + REVENUE) -> Figures:
    figures: Figures = {}
    for part in parts:
        await part(session, day, figures)
    return figures


async def rollup_day(session: AsyncSession, day: date) -> int:
    """Compute and store `day`'s figures in place of any stored before; how many were stored."""
    figures = await figures_of(session, day)
    await session.execute(delete(DailyFigure).where(DailyFigure.day == day))
    rows = [{"metric": m, "dimension": d, "day": day, "value": v} for (m, d), v in sorted(figures.items())]
    await session.execute(insert(DailyFigure), rows)
    return len(rows)


async def prune(session: AsyncSession, retention_days: int, today: date) -> None:
    """Raw events and active-day marks past the retention period go; the daily figures made
    from them stay."""
    oldest = today - timedelta(days=retention_days)
    await session.execute(delete(AnalyticsEvent).where(AnalyticsEvent.occurred_at < day_start(oldest)))
    await session.execute(delete(ActiveDay).where(ActiveDay.day < oldest))
    await session.execute(delete(LastActive).where(LastActive.day < oldest))
