"""Background tasks of the marketplace: expiring jobs and sending job alerts.

They run after the request that queued them commits (instant alerts, `alerts/service.py`),
from the schedule (`run_due`: the in-process loop of `core/schedule.py`, or a worker's cron), or from
the command line (`hiremebahamas expire-jobs`, `hiremebahamas send-job-alerts --daily`). Each
runs in its own unit of work; the emails it queues are sent once it commits, before the task
returns.
"""

from __future__ import annotations

import logging
from datetime import datetime

from hiremebahamas.core import tasks
from hiremebahamas.core.schedule import claim_period
from hiremebahamas.core.tasks import TaskContext, TaskRegistry
from hiremebahamas.jobs.alerts import service as alerts
from hiremebahamas.jobs.postings import service
from hiremebahamas.models.base import utcnow

logger = logging.getLogger(__name__)

DIGEST_HOUR_UTC = 12
DAILY_ALERTS = "job_alerts_daily"


@tasks.task
async def expire_jobs(context: TaskContext) -> None:
    async with tasks.unit_of_work(context) as session:
        count = await service.expire_jobs(session)
    if count:
        logger.info("jobs expired", extra={"count": count})


@tasks.task
async def send_daily_job_alerts(context: TaskContext) -> None:
    async with tasks.unit_of_work(context) as session:
        count = await alerts.send_daily_digests(session, context.settings)
    logger.info("daily job alerts sent", extra={"count": count})


async def run_due(context: TaskContext, now: datetime | None = None) -> None:
    """Expire jobs past their end; after 12:00 UTC (08:00 in Nassau), the day's job alert
    digests, claimed with a `ScheduledRun` row so that one process sends them, once."""
    now = now or utcnow()
    await expire_jobs(context)
    if now.hour >= DIGEST_HOUR_UTC and await claim_period(context, DAILY_ALERTS, now.date().isoformat()):
        await send_daily_job_alerts(context)


def register(registry: TaskRegistry) -> None:
    registry.add(expire_jobs, alerts.send_instant_job_alerts, send_daily_job_alerts)
    # The in-process schedule (core/schedule.py) does the same when no worker is configured.
    registry.every("jobs_schedule", run_due, minutes=range(0, 60, 10))
