"""The in-process schedule: the periodic runs the app hands it (expiring jobs and the daily job
alerts, ending suspensions whose time is up, ...), every few minutes, inside each web process.

It is started from the app's lifespan, except in tests, and except when a worker runs the same
runs as its cron jobs (core/worker.py). Each run is idempotent or claims its slot in the
database, so however many processes or instances run the schedule, what must happen once
happens once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from hiremebahamas.config import Environment
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.sql import insert_ignoring_conflicts
from hiremebahamas.core.tasks import TaskContext
from hiremebahamas.models import ScheduledRun

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 600.0

PeriodicRun = Callable[[TaskContext], Awaitable[None]]


class Schedule:
    def __init__(self, context: TaskContext, runs: Sequence[PeriodicRun], interval: float = INTERVAL_SECONDS) -> None:
        self.context = context
        self.runs = list(runs)
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="schedule")

    async def _loop(self) -> None:
        while True:
            for run in self.runs:
                try:
                    await run(self.context)
                except Exception:
                    logger.exception("scheduled run failed", extra={"run": getattr(run, "__name__", str(run))})
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None


async def claim_period(context: TaskContext, name: str, period: str) -> bool:
    """True for the one caller, of all processes, that records (name, period) first."""
    async with context.database.sessionmaker() as session, session.begin():
        return await insert_ignoring_conflicts(session, ScheduledRun, name=name, period=period)


def start_schedule(runtime: Runtime, runs: Sequence[PeriodicRun], *, enabled: bool | None = None) -> Schedule:
    """Start the schedule, except in tests (enabled=True forces it) and when a worker process
    runs the same runs as cron jobs."""
    schedule = Schedule(runtime.tasks.context, runs)
    if enabled is None:
        enabled = runtime.settings.environment != Environment.TEST and not runtime.tasks.uses_worker
    if enabled:
        schedule.start()
    return schedule
