"""The arq worker against a real Redis: tasks leave the web process only after commit, the
worker sends them, failures are retried then logged (argument names only) and counted."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from arq.worker import Worker
from fastapi import FastAPI
from sqlalchemy import select

from hiremebahamas.cli import worker_tasks
from hiremebahamas.config import Settings
from hiremebahamas.core import tasks
from hiremebahamas.core.email import FileOutbox, OutgoingEmail, defer_email, read_outbox_message
from hiremebahamas.core.errors import Conflict
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.tasks import QUEUE_NAME, ArqTaskRunner, TaskCall
from hiremebahamas.core.worker import DONE_PREFIX, RetryPolicy, create_worker
from hiremebahamas.models import AnalyticsEvent
from hiremebahamas.web.deps import DbSession
from tests.helpers import register
from tests.messaging.people import member

# arq's Worker.close() calls redis' deprecated close(); not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")

RUNS: list[str] = []


@tasks.task
async def always_fails(context: tasks.TaskContext, *, secret_link: str) -> None:
    raise RuntimeError("the mail server said no")


@tasks.task
async def counted(context: tasks.TaskContext, *, key: str) -> None:
    RUNS.append(key)


def outbox(settings: Settings) -> list[Any]:
    return [read_outbox_message(path) for path in FileOutbox(settings).list_messages()]


def pool(runtime: Runtime) -> Any:
    assert isinstance(runtime.tasks, ArqTaskRunner)
    return runtime.tasks.pool


async def run_worker(settings: Settings, **options: Any) -> Worker:
    registry = worker_tasks()
    registry.add(always_fails, counted)
    worker = create_worker(
        settings, registry, burst=True, handle_signals=False, with_cron=False, poll_delay=0.01, **options
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()
    return worker


async def test_a_committed_request_s_email_is_sent_by_the_worker(
    client: httpx.AsyncClient, runtime: Runtime, settings: Settings, worker_settings: Settings
) -> None:
    response = await register(client, "ann@example.com")
    assert response.status_code == 201
    await runtime.tasks.drain()
    assert outbox(settings) == []  # the web process sent nothing
    # The verification email, and the sign-up's analytics event (analytics/events.py).
    assert await pool(runtime).zcard(QUEUE_NAME) == 2
    assert "hmb_task_queue_depth 2.0" in (await client.get("/metrics")).text  # what an alert watches

    worker = await run_worker(worker_settings)
    assert worker.jobs_complete == 2
    (message,) = outbox(worker_settings)
    assert message["To"] == "ann@example.com"
    assert message["Subject"] == "Confirm your email for HireMeBahamas"
    assert outbox(settings) == []
    assert await pool(runtime).zcard(QUEUE_NAME) == 0


async def test_the_analytics_events_of_many_requests_are_one_job(
    client: httpx.AsyncClient, runtime: Runtime, worker_settings: Settings
) -> None:
    for name in ("ann", "bob", "cat"):
        assert (await register(client, f"{name}@example.com")).status_code == 201
    await runtime.tasks.drain()
    # Three verification emails and one job with the three sign-ups (a job per request halved
    # the throughput of every write).
    assert await pool(runtime).zcard(QUEUE_NAME) == 4
    worker = await run_worker(worker_settings)
    assert worker.jobs_complete == 4
    async with runtime.database.sessionmaker() as session:
        names = (await session.scalars(select(AnalyticsEvent.name))).all()
    assert names == ["signed_up"] * 3


async def test_a_rolled_back_request_queues_nothing(app: FastAPI, client: httpx.AsyncClient, runtime: Runtime) -> None:
    async def fails_after_deferring(db: DbSession) -> None:
        defer_email(db, OutgoingEmail(to="ann@example.com", subject="Never", text="Never sent."))
        raise Conflict("This request fails after queueing an email.")

    async def succeeds(db: DbSession) -> None:
        defer_email(db, OutgoingEmail(to="ann@example.com", subject="Sent", text="Sent."))

    app.add_api_route("/api/test/fails", fails_after_deferring, methods=["POST"])
    app.add_api_route("/api/test/succeeds", succeeds, methods=["POST"], status_code=204)
    assert (await client.post("/api/test/fails")).status_code == 409
    await runtime.tasks.drain()
    assert await pool(runtime).zcard(QUEUE_NAME) == 0
    assert (await client.post("/api/test/succeeds")).status_code == 204
    assert await pool(runtime).zcard(QUEUE_NAME) == 1


async def test_a_failing_task_is_retried_then_logged_by_argument_name_and_counted(
    client: httpx.AsyncClient, runtime: Runtime, worker_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    def failures() -> float:
        for line in client_metrics:
            if line.startswith('background_task_failures_total{task="always_fails"}'):
                return float(line.split()[-1])
        return 0.0

    client_metrics = (await client.get("/metrics")).text.splitlines()
    before = failures()
    secret = "https://hiremebahamas.com/reset?token=one-time-secret"
    await runtime.tasks.dispatch([TaskCall(always_fails, {"secret_link": secret})])
    caplog.set_level(logging.INFO)
    worker = await run_worker(worker_settings, retry=RetryPolicy(max_tries=3, base_seconds=0.01))
    assert worker.jobs_retried == 2
    assert worker.jobs_failed == 1

    client_metrics = (await client.get("/metrics")).text.splitlines()
    assert failures() == before + 1
    final = [r for r in caplog.records if r.getMessage() == "task failed"]
    assert len(final) == 1
    assert final[0].__dict__["task"] == "always_fails"
    assert final[0].__dict__["task_args"] == ["secret_link"]
    assert len([r for r in caplog.records if r.getMessage() == "task failed; will retry"]) == 2
    for record in caplog.records:
        assert "one-time-secret" not in record.getMessage()
        assert "one-time-secret" not in repr(record.__dict__)


async def test_a_redelivered_job_runs_once(runtime: Runtime, worker_settings: Settings) -> None:
    RUNS.clear()
    call = TaskCall(counted, {"key": "k1"}, id="job-once")
    await runtime.tasks.dispatch([call])
    await runtime.tasks.dispatch([call])  # the same call twice is one job
    await run_worker(worker_settings)
    assert RUNS == ["k1"]
    # As if the worker died after the task but before arq recorded it: the job comes back.
    redis = pool(runtime)
    await redis.delete("arq:result:job-once")
    await runtime.tasks.dispatch([call])
    assert await redis.exists(DONE_PREFIX + "job-once")
    await run_worker(worker_settings)
    assert RUNS == ["k1"]


async def test_the_unread_message_email_waits_15_minutes_in_the_queue(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ann, bob = await member(runtime, "Ann"), await member(runtime, "Bob")
    response = await client.post(
        "/api/conversations", json={"recipient": bob.username, "body": "Hi"}, headers=ann.headers
    )
    assert response.status_code == 201
    await runtime.tasks.drain()
    jobs = await pool(runtime).zrange(QUEUE_NAME, 0, -1, withscores=True)
    assert len(jobs) == 2  # the email, and the message's analytics event (due now)
    due_in = max(score for _job, score in jobs) / 1000 - time.time()
    assert 14 * 60 < due_in <= 15 * 60
    assert await runtime.tasks.run_delayed_now() == 0  # nothing waits in this process


def test_the_worker_knows_every_task_and_the_schedules(worker_settings: Settings) -> None:
    worker = create_worker(worker_settings, worker_tasks(), handle_signals=False)
    names = set(worker.functions)
    assert {"send_email", "send_notification_email", "email_unread_message", "expire_jobs", "jobs_schedule"} <= names
    assert {"send_password_reset", "send_instant_job_alerts", "fan_out_post", "clean_uploads"} <= names
    assert "publish_event" not in names  # live events go out from the committing process


def test_without_redis_the_command_refuses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from hiremebahamas.cli import main

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env
    assert main(["worker"]) == 2
