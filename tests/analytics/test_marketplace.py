"""The marketplace figures from what members really did through the API: searches (and the
words that found nothing), applications, hires, and how long a job waited for its first
applicant."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
from sqlalchemy import update

from hiremebahamas.analytics import metrics
from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Job, JobApplication
from hiremebahamas.models.base import utcnow
from tests.analytics.test_metrics import _figures
from tests.jobs.conftest import Person, person, post_job


async def _search(client: httpx.AsyncClient, words: str) -> None:
    assert (await client.get("/api/jobs", params={"q": words})).status_code == 200


async def test_searches_applications_hires_and_the_wait_for_a_first_applicant(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, seeker: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"], title="Front desk agent")
    await post_job(client, employer, company["slug"], title="Night auditor")
    await _search(client, "front desk")
    await _search(client, "Underwater  Welder")  # nothing: the words are kept lower-case, single-spaced
    await _search(client, "underwater welder")
    await _search(client, "astronaut")
    assert (await client.get("/api/jobs", params={"q": "astronaut", "cursor": "x"})).status_code in (200, 400, 422)
    second = await person(runtime, "second@example.com", first_name="Sid")
    for who in (seeker, second):
        applied = await client.post(f"/api/jobs/{job['id']}/apply", json={"cover_letter": "Me"}, headers=who.headers)
        assert applied.status_code == 201
    application_id = applied.json()["application"]["id"]
    for status in ("reviewing", "interview", "offer", "hired"):
        moved = await client.patch(
            f"/api/applications/{application_id}", json={"status": status}, headers=employer.headers
        )
        assert moved.status_code == 200, moved.text
    # The job was published three hours before its first application, which came today (UTC)
    # however soon after midnight the test runs: the figure belongs to the first application's day.
    async with runtime.database.sessionmaker.begin() as session:
        first = max(utcnow() - timedelta(hours=1), datetime.combine(utcnow().date(), time(), UTC))
        await session.execute(
            update(Job).where(Job.id == uuid.UUID(job["id"])).values(published_at=first - timedelta(hours=3))
        )
        await session.execute(update(JobApplication).values(created_at=first))
    await runtime.tasks.drain()
    async with runtime.database.sessionmaker() as session:
        market = await metrics.marketplace(session, 7)
    assert market.jobs_posted == 2
    assert market.applications == 2
    assert market.applications_per_job == 1.0  # two applications, two jobs posted in the week
    assert market.median_hours_to_first_applicant == 3  # within 3 hours (1 < 3 <= 3)
    assert market.hires == 1
    assert market.searches == 4
    assert market.search_to_apply_rate == 0.5
    assert market.failed_searches == [("underwater welder", 2), ("astronaut", 1)]
    # Rolled up, the words stay as figures of the day.
    figures = await _figures(runtime, utcnow().date())
    assert figures[("search_no_results", "underwater welder")] == 2
    assert figures[("first_applicant_hours", "3")] == 1  # one job's first applicant, 3 hours on
