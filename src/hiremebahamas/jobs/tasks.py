"""Background tasks of the marketplace: expiring jobs and sending job alerts.

They run after the request that queued them commits (instant alerts), from the in-process
schedule (see `schedule.py`), or from the command line (`hiremebahamas expire-jobs`,
`hiremebahamas send-job-alerts --daily`). Each runs in its own unit of work; the emails it
queues are sent once it commits, before the task returns.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from hiremebahamas.core import tasks
from hiremebahamas.core.tasks import InProcessTaskRunner, TaskContext
from hiremebahamas.jobs import alerts, service

logger = logging.getLogger(__name__)


@asynccontextmanager
async def _unit_of_work(context: TaskContext) -> AsyncIterator[AsyncSession]:
    """A unit of work whose deferred emails are sent, and awaited, when it commits."""
    runner = InProcessTaskRunner(context)
    async with context.database.unit_of_work(runner) as session:
        yield session
    await runner.drain()


@tasks.task
async def expire_jobs(context: TaskContext) -> None:
    async with _unit_of_work(context) as session:
        count = await service.expire_jobs(session)
    if count:
        logger.info("jobs expired", extra={"count": count})


@tasks.task
async def send_instant_job_alerts(context: TaskContext, *, job_id: str) -> None:
    async with _unit_of_work(context) as session:
        count = await alerts.send_instant_alerts(session, context.settings, uuid.UUID(job_id))
    if count:
        logger.info("instant job alerts sent", extra={"count": count})


@tasks.task
async def send_daily_job_alerts(context: TaskContext) -> None:
    async with _unit_of_work(context) as session:
        count = await alerts.send_daily_digests(session, context.settings)
    logger.info("daily job alerts sent", extra={"count": count})
