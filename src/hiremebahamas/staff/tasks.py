"""The staff area's periodic run: lift the suspensions whose time is up."""

from __future__ import annotations

import logging

from hiremebahamas.core import tasks
from hiremebahamas.core.tasks import TaskContext, TaskRegistry
from hiremebahamas.staff.service import end_expired_suspensions

logger = logging.getLogger(__name__)


async def end_suspensions(context: TaskContext) -> None:
    async with tasks.unit_of_work(context) as session:
        ended = await end_expired_suspensions(session)
    if ended:
        logger.info("suspensions ended", extra={"count": ended})


def register(registry: TaskRegistry) -> None:
    # The in-process schedule (core/schedule.py) does the same when no worker is configured.
    registry.every("staff_schedule", end_suspensions, minutes=range(5, 60, 10))
