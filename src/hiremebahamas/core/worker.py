"""The background worker: `hiremebahamas worker` runs the registered tasks from arq's queue.

It runs what a `TaskRegistry` holds: the tasks a web process can queue and the periodic jobs
(cron), which each domain's tasks.py adds and the `worker` command puts together (cli.py).

- Retries: a task that raises is tried again after 15 s, 30 s, 60 s … (at most an hour apart),
  up to `MAX_TRIES` times; then it is logged with its argument names (never their values) and
  counted in `background_task_failures_total`.
- Run twice: a job that finished is marked done in Redis, so a redelivered copy (the worker
  died before arq recorded the finish) is skipped; tasks are idempotent besides.
- Cron: each periodic job runs once per slot however many workers run (arq's unique cron ids).
- Shutdown: on SIGTERM/SIGINT the worker stops taking jobs and gives running ones
  `SHUTDOWN_GRACE_SECONDS` to finish; any it then cancels go back to the queue.
- A worker killed outright (kill -9): the jobs it held stay queued and another worker (or this
  one, restarted) runs them once WORKER_JOB_TIMEOUT_SECONDS + 10 s have passed since they
  started (arq's in-progress marker expires). A job that finished is skipped (above); an email
  the mail server accepted in the instant before the worker died is the one case sent twice.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from arq import Retry, Worker, cron
from arq.connections import RedisSettings
from arq.cron import CronJob
from arq.worker import Function, func

from hiremebahamas.config import Settings
from hiremebahamas.core.cache import RedisStore
from hiremebahamas.core.db import Database
from hiremebahamas.core.email import create_email_sender
from hiremebahamas.core.realtime import RedisBroker
from hiremebahamas.core.tasks import (
    QUEUE_NAME,
    Periodic,
    Task,
    TaskArguments,
    TaskContext,
    TaskRegistry,
    deserialize_job,
    log_task_failure,
    serialize_job,
)

logger = logging.getLogger(__name__)

MAX_TRIES = 8
SHUTDOWN_GRACE_SECONDS = 30
DONE_PREFIX = "hmb:task-done:"
DONE_TTL_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class RetryPolicy:
    max_tries: int = MAX_TRIES
    base_seconds: float = 15.0
    max_seconds: float = 3600.0

    def delay(self, job_try: int) -> float:
        return float(min(self.max_seconds, self.base_seconds * 2 ** (job_try - 1)))


class TaskGaveUp(Exception):
    """Raised after the last try, so arq records the job as failed (without argument values)."""


def _job(task: Task[...], retry: RetryPolicy) -> Function:
    name = task.name

    async def run(ctx: dict[str, Any], arguments: TaskArguments | None = None) -> None:
        kwargs = dict(arguments or {})
        redis = ctx["redis"]
        done_key = DONE_PREFIX + str(ctx["job_id"])
        if await redis.exists(done_key):
            logger.info("task already done; skipped", extra={"task": name})
            return
        job_try = int(ctx["job_try"])
        try:
            await task.function(ctx["task_context"], **kwargs)
        except Exception as error:
            if job_try < retry.max_tries:
                delay = retry.delay(job_try)
                logger.warning(
                    "task failed; will retry",
                    extra={"task": name, "task_args": sorted(kwargs), "try": job_try, "retry_in_seconds": delay},
                )
                raise Retry(defer=delay) from error
            log_task_failure(name, kwargs, tries=job_try)
            raise TaskGaveUp(f"{name} failed {job_try} times") from None
        await redis.set(done_key, b"1", ex=DONE_TTL_SECONDS)

    return func(run, name=name, max_tries=retry.max_tries, keep_result=60)


def _cron_job(periodic: Periodic, timeout: int) -> CronJob:
    async def run(ctx: dict[str, Any]) -> None:
        await periodic.run(ctx["task_context"])

    return cron(run, name=periodic.name, minute=set(periodic.minutes), timeout=timeout)


async def _startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    database = Database(settings)
    broker = RedisBroker(ctx["redis"])  # tasks that notify someone publish live events
    store = RedisStore(ctx["redis"])  # tasks that change what is cached forget it
    ctx["task_context"] = TaskContext(settings, database, create_email_sender(settings), broker, store)
    logger.info("worker started", extra={"tasks": ctx["task_count"]})


async def _shutdown(ctx: dict[str, Any]) -> None:
    context: TaskContext | None = ctx.get("task_context")
    if context is not None:
        if context.broker is not None:
            await context.broker.close()
        await context.database.dispose()
    logger.info("worker stopped")


class _Worker(Worker):
    async def _sleep_until_tasks_complete(self) -> None:
        # arq waits while any task is *listed*, and stops pruning finished ones once shutdown
        # begins: a job that finishes during the grace period would hold shutdown for all of it.
        while any(not running.done() for running in self.tasks.values()):  # noqa: ASYNC110 - arq's own polling
            await asyncio.sleep(0.1)


def create_worker(
    settings: Settings,
    registry: TaskRegistry,
    *,
    burst: bool = False,
    handle_signals: bool = True,
    retry: RetryPolicy | None = None,
    with_cron: bool = True,
    **options: Any,
) -> Worker:
    """The arq worker for `settings` (REDIS_URL required). Tests pass burst=True to run what is
    queued and return."""
    if not settings.redis_url:
        raise ValueError("the worker needs REDIS_URL: without Redis, tasks run inside the web process")
    retry = retry or RetryPolicy()
    return _Worker(
        functions=[_job(registry.tasks[name], retry) for name in sorted(registry.tasks)],
        cron_jobs=[_cron_job(p, settings.worker_job_timeout_seconds) for p in registry.periodic] if with_cron else None,
        queue_name=QUEUE_NAME,
        redis_settings=RedisSettings.from_dsn(settings.redis_url),
        burst=burst,
        handle_signals=handle_signals,
        job_completion_wait=SHUTDOWN_GRACE_SECONDS,
        job_timeout=settings.worker_job_timeout_seconds,
        max_tries=retry.max_tries,
        keep_result=60,
        job_serializer=serialize_job,
        job_deserializer=deserialize_job,
        on_startup=_startup,
        on_shutdown=_shutdown,
        ctx={"settings": settings, "task_count": len(registry.tasks)},
        **options,
    )
