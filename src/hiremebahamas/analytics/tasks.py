"""The analytics' background work: storing events, and the nightly rollup and pruning."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from hiremebahamas.analytics.events import store_events
from hiremebahamas.analytics.report import weekly_email, weekly_text
from hiremebahamas.analytics.rollup import prune, rollup_day
from hiremebahamas.core import tasks
from hiremebahamas.core.email import defer_email
from hiremebahamas.core.schedule import claim_period
from hiremebahamas.core.tasks import TaskContext, TaskRegistry
from hiremebahamas.models.base import utcnow

logger = logging.getLogger(__name__)

ROLLUP = "analytics_rollup"
WEEKLY_REPORT = "analytics_weekly_report"


async def roll_up(context: TaskContext, day: date) -> int:
    async with tasks.unit_of_work(context) as session:
        stored = await rollup_day(session, day)
        await prune(session, context.settings.analytics_retention_days, day + timedelta(days=1))
    logger.info("analytics rolled up", extra={"day": day.isoformat(), "figures": stored})
    return stored


async def roll_up_yesterday(context: TaskContext, now: datetime | None = None) -> None:
    """Yesterday's figures, once (claimed for the day, however many processes run this); on
    Mondays then the weekly review to REPORT_EMAIL, once."""
    now = now or utcnow()
    yesterday = now.date() - timedelta(days=1)
    if await claim_period(context, ROLLUP, yesterday.isoformat()):
        await roll_up(context, yesterday)
    week = "{}-W{:02d}".format(*now.isocalendar()[:2])
    if now.weekday() == 0 and context.settings.report_email and await claim_period(context, WEEKLY_REPORT, week):
        async with tasks.unit_of_work(context) as session:
            email = weekly_email(context.settings, await weekly_text(session, now))
            if email is not None:
                defer_email(session, email)


def register(registry: TaskRegistry) -> None:
    registry.add(store_events)
    # The in-process schedule (core/schedule.py) does the same when no worker is configured.
    registry.every("analytics_schedule", roll_up_yesterday, minutes=range(7, 60, 10))
