"""The visitors' home page: a job search box, the latest and the featured jobs, how many open
jobs on how many islands (counted once and kept), and the employers' call to action."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx

from hiremebahamas.core.cache import MemoryStore
from hiremebahamas.core.remembered import Memory
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.jobs.postings.landing import latest_jobs, open_job_counts
from hiremebahamas.models.base import utcnow
from tests.helpers import counted_queries
from tests.jobs.conftest import Person, add_jobs, post_job, set_job


async def test_the_landing_page_sells_the_jobs_first(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    slug = company["slug"]
    await post_job(client, employer, slug, title="Bookkeeper", island="new_providence")
    await post_job(client, employer, slug, title="Dive Guide", island="exuma")
    await post_job(client, employer, slug, title="Web Developer", island="remote", remote=True)
    pinned = await post_job(client, employer, slug, title="Resort Manager", island="exuma")
    await set_job(runtime, pinned["id"], featured_until=utcnow() + timedelta(days=3))
    home = await client.get("/")
    assert home.status_code == 200
    assert "set-cookie" not in home.headers  # the same page for every visitor: a CDN may share it
    assert "4 open jobs on 2 islands</strong> and remote." in home.text
    assert re.search(r'<form method="get" action="/jobs" class="hero-search" role="search"', home.text)
    latest = home.text.split('id="latest-heading"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', latest) == [
        "Web Developer",
        "Dive Guide",
        "Bookkeeper",
    ]
    assert "Resort Manager" in home.text.split('id="featured-heading"', 1)[1]
    assert 'href="/register?account_type=employer">Post a job</a>' in home.text
    employer_form = await client.get("/register", params={"account_type": "employer"})
    assert re.search(r'id="type-employer" name="account_type" value="employer" checked', employer_form.text)
    odd = await client.get("/register", params={"account_type": "<script>"})
    assert re.search(r'id="type-seeker"[^>]* checked', odd.text)


async def test_the_counts_are_counted_once_and_kept(
    runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    await add_jobs(runtime, employer, company["slug"], ["Cook", "Waiter"])
    memory = Memory(MemoryStore(), ttl=300)
    async with runtime.database.sessionmaker() as session:
        first = await open_job_counts(session, memory)
        assert (first.jobs, first.islands) == (2, 1)
        with counted_queries(runtime) as queries:
            assert await open_job_counts(session, memory) == first
        assert queries.count == 0
        uncached = await open_job_counts(session, Memory(MemoryStore(), ttl=0), now=utcnow() + timedelta(days=400))
        assert (uncached.jobs, uncached.islands) == (0, 0)  # expired jobs are not open


async def test_no_jobs_yet_is_still_a_page(client: httpx.AsyncClient, runtime: Runtime) -> None:
    home = await client.get("/")
    assert "New jobs show up here as employers post them." in home.text
    assert re.search(r"\d+ open jobs? on", home.text) is None
    async with runtime.database.sessionmaker() as session:
        assert await latest_jobs(session) == []
