"""With the key-value store unreachable (Redis down), the pages that remember expensive choices
(the visitors' home page's counts, featured jobs, jobs for you, who to follow) work them out at
each view instead, a change that forgets them still succeeds, a profile is built afresh instead
of read from its cache, and a job's view still counts."""

from __future__ import annotations

import logging
from dataclasses import replace

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from hiremebahamas.core.cache import RedisStore
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import JobViewDay
from tests.helpers import sign_in
from tests.jobs.conftest import create_company, person, post_job
from tests.servers import free_port


def refusing_store() -> RedisStore:
    """A store whose Redis refuses connections (down), made the way the runtime makes its own."""
    return RedisStore(Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", health_check_interval=30))


def _store_down(runtime: Runtime) -> None:
    down = refusing_store()
    runtime.store = down
    runtime.tasks.context = replace(runtime.tasks.context, store=down)  # what tasks after a commit use


async def test_the_home_pages_work_out_what_they_would_remember(
    client: httpx.AsyncClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    assert runtime.memory.ttl > 0  # remembering is on, as deployed
    eve = await person(runtime, "eve@example.com", first_name="Eve", employer=True)
    company = await create_company(client, eve, "Island Bakery")
    await post_job(client, eve, company["slug"], title="Pastry chef", skills=["baking"])
    sam = await person(runtime, "sam@example.com", first_name="Sam")
    _store_down(runtime)
    caplog.set_level(logging.WARNING, logger="hiremebahamas.core.remembered")
    visitors = await client.get("/")
    assert visitors.status_code == 200
    assert "1 open job" in visitors.text
    assert "Pastry chef" in visitors.text
    sign_in(client, sam)
    members = await client.get("/")
    assert members.status_code == 200
    assert "store is unreachable" in caplog.text
    # Editing the profile forgets the person's remembered choices: that the store is down does
    # not undo the edit.
    sign_in(client, None)
    edit = {"headline": "Baker", "skills": ["baking"]}
    saved = await client.patch("/api/users/me", json=edit, headers=sam.headers)
    assert saved.status_code == 200, saved.text
    assert "remembered values not forgotten" in caplog.text
    me = await client.get("/api/users/me", headers=sam.headers)
    assert me.json()["profile"]["headline"] == "Baker"


async def test_profiles_and_job_views_do_without_the_store(client: httpx.AsyncClient, runtime: Runtime) -> None:
    eve = await person(runtime, "eve@example.com", first_name="Eve", employer=True)
    company = await create_company(client, eve, "Island Bakery")
    job = await post_job(client, eve, company["slug"], title="Pastry chef")
    _store_down(runtime)
    for path in (f"/u/{eve.username}", f"/api/users/{eve.username}"):
        answer = await client.get(path)
        assert answer.status_code == 200, path
        assert "Eve" in answer.text
    assert (await client.post(f"/api/jobs/{job['id']}/views")).status_code == 204
    async with runtime.database.sessionmaker() as session:
        views, viewers = (await session.execute(select(JobViewDay.views, JobViewDay.unique_viewers))).one()
    assert (views, viewers) == (1, 0)  # counted; whether the viewer is new cannot be told
