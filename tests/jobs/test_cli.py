"""The command-line entry points for cron: `expire-jobs` and `send-job-alerts --daily`."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hiremebahamas.cli import main
from hiremebahamas.config import Settings
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Job, JobStatus
from hiremebahamas.models.base import utcnow
from tests.helpers import emails_to
from tests.jobs.conftest import Person, post_job, set_job


async def _run(monkeypatch: pytest.MonkeyPatch, settings: Settings, *arguments: str) -> int:
    """The command as cron runs it (its own settings from the environment, its own event loop),
    in a thread: starting a Python process for it would cost more than the test."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DATABASE_PGBOUNCER", str(settings.database_pgbouncer).lower())
    monkeypatch.setenv("VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("ENVIRONMENT", "test")
    return await asyncio.to_thread(main, list(arguments))


async def test_the_commands_expire_jobs_and_send_the_daily_digest(
    client: httpx.AsyncClient,
    runtime: Runtime,
    settings: Settings,
    employer: Person,
    company: dict[str, Any],
    seeker: Person,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = await post_job(client, employer, company["slug"], title="Old chef job")
    await post_job(client, employer, company["slug"], title="New chef job")
    await set_job(runtime, old["id"], valid_through=utcnow() - timedelta(hours=2))
    saved = await client.post(
        "/api/saved-searches", json={"query": {"q": "chef"}, "frequency": "daily"}, headers=seeker.headers
    )
    assert saved.status_code == 201
    await runtime.tasks.drain()

    assert await _run(monkeypatch, settings, "expire-jobs") == 0
    async with runtime.database.sessionmaker() as session:
        statuses = dict((await session.execute(select(Job.title, Job.status))).all())
    assert statuses == {"Old chef job": JobStatus.EXPIRED, "New chef job": JobStatus.OPEN}

    assert await _run(monkeypatch, settings, "send-job-alerts") == 2  # instant alerts need no command
    assert await _run(monkeypatch, settings, "send-job-alerts", "--daily") == 0
    (digest,) = await emails_to(runtime, seeker.email)
    assert digest["Subject"] == "1 new job: “chef”"
