"""The nightly rollup runs once per day whoever runs it, and backfill rebuilds the log from the
records (the demo data has no events of its own)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from hiremebahamas.analytics.backfill import backfill
from hiremebahamas.analytics.events import Event
from hiremebahamas.analytics.tasks import roll_up_yesterday
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import (
    ActiveDay,
    AnalyticsEvent,
    BillingInterval,
    DailyFigure,
    Post,
    SubscriptionStatus,
    TierCode,
)
from hiremebahamas.models.base import new_id, utcnow
from tests.analytics.test_metrics import _log, _subscription, at
from tests.factories import add_user


async def _value(runtime: Runtime, metric: str, day: object, dimension: str = "") -> int | None:
    async with runtime.database.sessionmaker() as session:
        query = select(DailyFigure.value).where(
            DailyFigure.metric == metric, DailyFigure.day == day, DailyFigure.dimension == dimension
        )
        return (await session.execute(query)).scalar_one_or_none()


async def test_yesterday_is_rolled_up_once_and_old_events_pruned(runtime: Runtime) -> None:
    now = utcnow()
    yesterday = now.date() - timedelta(days=1)
    ancient = now - timedelta(days=runtime.settings.analytics_retention_days + 2)
    await _log(runtime, (Event.POST_CREATED, new_id(), at(yesterday), {}), (Event.POST_CREATED, new_id(), ancient, {}))
    await roll_up_yesterday(runtime.tasks.context, now)
    assert await _value(runtime, "events.post_created", yesterday) == 1
    await _log(runtime, (Event.POST_CREATED, new_id(), at(yesterday, 13), {}))
    await roll_up_yesterday(runtime.tasks.context, now)  # claimed already: nothing changes
    assert await _value(runtime, "events.post_created", yesterday) == 1
    async with runtime.database.sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(AnalyticsEvent))).scalar_one() == 2
        oldest = (await session.execute(select(func.min(AnalyticsEvent.occurred_at)))).scalar_one()
    assert oldest >= at(yesterday, 0)


async def test_backfill_rebuilds_the_log_from_the_records(runtime: Runtime) -> None:
    today = utcnow().date()
    three_days_ago = at(today - timedelta(days=3))
    async with runtime.database.sessionmaker.begin() as session:
        ann = await add_user(session, email="ann@example.com", username="ann", created_at=three_days_ago)
        bob = await add_user(session, email="bob@example.com", username="bob", created_at=three_days_ago)
        await add_user(session, email="old@example.com", username="old", created_at=at(today - timedelta(days=50)))
        session.add(Post(author_id=ann.id, body="Hello", created_at=at(today - timedelta(days=2))))
    await _subscription(runtime, TierCode.PRO, BillingInterval.MONTH, created_at=at(today - timedelta(days=2)))
    await _subscription(
        runtime, TierCode.PRO, BillingInterval.MONTH, SubscriptionStatus.CANCELED,
        created_at=at(today - timedelta(days=40)), ended_at=at(today - timedelta(days=1)),
    )  # fmt: skip
    await _log(runtime, (Event.VISITED, bob.id, at(today - timedelta(days=2)), {}))  # replaced by the rebuild
    async with runtime.database.sessionmaker.begin() as session:
        written = await backfill(session, 10, today)
    # Ann, Bob, the two payers (accounts made now: today), their verifications, Ann's post,
    # one subscription started and one ended in the window; not the account of 50 days ago.
    assert await _value(runtime, "events.signed_up", today - timedelta(days=3)) == 2
    assert await _value(runtime, "events.post_created", today - timedelta(days=2)) == 1
    assert (
        await _value(runtime, "retained_d1", today - timedelta(days=3), (today - timedelta(days=3)).isoformat()) is None
    )
    assert await _value(runtime, "retained_d1", today - timedelta(days=2), (today - timedelta(days=3)).isoformat()) == 1
    assert await _value(runtime, "mrr_new", today - timedelta(days=2)) == 999
    assert await _value(runtime, "mrr_churned", today - timedelta(days=1)) == -999
    assert await _value(runtime, "events.visited", today - timedelta(days=2)) is None
    async with runtime.database.sessionmaker() as session:
        marks = (await session.execute(select(func.count()).select_from(ActiveDay))).scalar_one()
        events = (await session.execute(select(func.count()).select_from(AnalyticsEvent))).scalar_one()
    assert events == written
    assert marks >= 3
