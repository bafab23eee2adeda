"""Featuring a job: pinned first in search, counted against the Business plan's monthly five."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import delete

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Subscription
from hiremebahamas.models.base import utcnow
from tests.helpers import sign_in, signed_up, submit
from tests.jobs.conftest import Person, post_job, set_job, titles


async def _feature(client: httpx.AsyncClient, who: Person, job: dict[str, Any]) -> httpx.Response:
    return await client.post(f"/api/jobs/{job['id']}/feature", headers=who.headers)


async def test_a_featured_job_is_pinned_first_in_search(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    await post_job(client, employer, company["slug"], title="Chef wanted")
    late = await post_job(client, employer, company["slug"], title="Chef assistant")
    older_first = await client.get("/api/jobs", params={"q": "chef", "sort": "newest"})
    assert titles(older_first)[0] == "Chef assistant"
    featured = await _feature(client, employer, (await post_job(client, employer, company["slug"], title="Head chef")))
    assert featured.status_code == 200
    assert featured.json()["job"]["featured"] is True
    again = await _feature(client, employer, featured.json()["job"])  # already featured: no second charge
    assert again.status_code == 200
    assert titles(await client.get("/api/jobs", params={"q": "chef", "sort": "newest"}))[0] == "Head chef"
    assert late["featured"] is False


async def test_five_features_a_month_then_409(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    jobs = [await post_job(client, employer, company["slug"], title=f"Job {n}") for n in range(6)]
    codes = [(await _feature(client, employer, job)).status_code for job in jobs]
    assert codes == [200, 200, 200, 200, 200, 409]


async def test_only_the_team_features_open_jobs(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], rival: Person
) -> None:
    job = await post_job(client, employer, company["slug"], title="Barista")
    assert (await _feature(client, rival, job)).status_code == 403
    seeker = await signed_up(client, runtime, "seeker-feature@example.com")
    assert (await client.post(f"/api/jobs/{job['id']}/feature", headers=seeker.headers)).status_code == 403
    assert (await client.post(f"/api/jobs/{job['id']}/feature")).status_code == 401
    await set_job(runtime, job["id"], valid_through=utcnow() - timedelta(minutes=1))
    expired = await _feature(client, employer, job)
    assert expired.status_code == 409
    assert "Only open jobs" in expired.json()["error"]["message"]


async def test_without_business_featuring_asks_for_an_upgrade(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"], title="Dive instructor")
    async with runtime.database.sessionmaker.begin() as session:  # the plan lapsed after posting
        await session.execute(delete(Subscription).where(Subscription.user_id == employer.id))
    refused = await _feature(client, employer, job)
    assert refused.status_code == 402
    assert refused.json()["error"]["required_tier"] == "business"


async def test_the_job_page_offers_featuring_to_its_team(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"], title="Boat captain")
    sign_in(client, employer)
    page = httpx.URL(job["url"]).path
    assert "Feature this job" in (await client.get(page)).text
    done = await submit(client, f"/jobs/{job['id']}/feature", {}, page=page)
    assert done.status_code == 303
    after = (await client.get(page)).text
    assert "Feature this job" not in after
    assert "Featured" in after


async def test_featured_jobs_are_pinned_beside_the_feed(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"], title="Resort manager")
    await post_job(client, employer, company["slug"], title="Pool attendant")
    seeker = await signed_up(client, runtime, "reader@example.com")
    response = await client.post("/api/auth/login", json={"email": seeker.email, "password": seeker.password})
    assert response.status_code == 200
    assert "Featured jobs" not in (await client.get("/")).text
    await _feature(client, employer, job)
    home = (await client.get("/")).text
    assert "Featured jobs" in home
    assert "Resort manager" in home
    assert "Pool attendant" not in home
