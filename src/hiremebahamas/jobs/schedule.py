"""The in-process schedule: every few minutes expire jobs past their end, and once a day (after
12:00 UTC, 08:00 in Nassau) send the daily job alerts.

It runs inside every web process (started from the app's lifespan; off in tests, and off when
a worker runs `run_due` as a cron job instead, see tasks.py). Expiring is idempotent; the daily
run is claimed with a `ScheduledRun` row per day, so however many processes or instances run
the schedule, one of them sends the digests, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from hiremebahamas.config import Environment
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.tasks import TaskContext
from hiremebahamas.jobs.tasks import run_due

logger = logging.getLogger(__name__)

INTERVAL_SECONDS = 600.0


class JobSchedule:
    def __init__(self, context: TaskContext, interval: float = INTERVAL_SECONDS) -> None:
        self.context = context
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="job-schedule")

    async def _loop(self) -> None:
        while True:
            try:
                await run_due(self.context)
            except Exception:
                logger.exception("scheduled job tasks failed")
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None


def start_schedule(runtime: Runtime, *, enabled: bool | None = None) -> JobSchedule:
    """Start the schedule, except in tests (enabled=True forces it) and when a worker process
    runs the same `run_due` as a cron job (see tasks.py)."""
    schedule = JobSchedule(runtime.tasks.context)
    if enabled is None:
        enabled = runtime.settings.environment != Environment.TEST and not runtime.tasks.uses_worker
    if enabled:
        schedule.start()
    return schedule
