"""A job's statistics for its employer: views counted by the page's beacon (a viewer once a
day, the team never), applications by day, the rate between them; only for the job's team on a
plan that posts jobs."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import update

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Subscription, SubscriptionStatus
from hiremebahamas.models.base import utcnow
from tests.helpers import sign_in
from tests.jobs.conftest import Person, person, post_job

CHROME = {"User-Agent": "Mozilla/5.0 Chrome"}
FIREFOX = {"User-Agent": "Mozilla/5.0 Firefox"}


async def _view(client: httpx.AsyncClient, job: dict[str, Any], headers: dict[str, str]) -> None:
    response = await client.post(f"/api/jobs/{job['id']}/views", headers=headers)
    assert response.status_code == 204, response.text


async def test_views_viewers_and_applications_add_up(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, seeker: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"])
    await _view(client, job, CHROME)
    await _view(client, job, CHROME)  # the same visitor again today: a view, not a viewer
    await _view(client, job, FIREFOX)
    await _view(client, job, {**seeker.headers, **CHROME})
    await _view(client, job, {**employer.headers, **CHROME})  # the team is not counted
    applied = await client.post(
        f"/api/jobs/{job['id']}/apply", json={"cover_letter": "Hire me"}, headers=seeker.headers
    )
    assert applied.status_code == 201
    response = await client.get(f"/api/jobs/{job['id']}/stats?days=7", headers=employer.headers)
    assert response.status_code == 200, response.text
    stats = response.json()
    assert (stats["views"], stats["unique_viewers"], stats["applications"]) == (4, 3, 1)
    assert stats["conversion_rate"] == 0.3333
    assert len(stats["by_day"]) == 7
    assert stats["by_day"][-1] == {
        "date": utcnow().date().isoformat(), "views": 4, "unique_viewers": 3, "applications": 1,
    }  # fmt: skip
    assert all(day["views"] == 0 for day in stats["by_day"][:-1])


async def test_only_the_team_sees_the_statistics(
    client: httpx.AsyncClient, employer: Person, seeker: Person, rival: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"])
    assert (await client.get(f"/api/jobs/{job['id']}/stats")).status_code == 401
    for outsider in (seeker, rival):
        response = await client.get(f"/api/jobs/{job['id']}/stats", headers=outsider.headers)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"


async def test_a_team_whose_plan_lapsed_is_offered_the_plan(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"])
    async with runtime.database.sessionmaker.begin() as session:
        await session.execute(update(Subscription).values(status=SubscriptionStatus.CANCELED, ended_at=utcnow()))
    response = await client.get(f"/api/jobs/{job['id']}/stats", headers=employer.headers)
    assert response.status_code == 402
    assert response.json()["error"]["required_tier"] == "business"


async def test_a_draft_or_unknown_job_is_not_counted(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    draft = await post_job(client, employer, company["slug"], status="draft")
    assert (await client.post(f"/api/jobs/{draft['id']}/views", headers=CHROME)).status_code == 404
    assert (await client.post("/api/jobs/0192f0c2-0000-7000-8000-000000000000/views")).status_code == 404
    assert (await client.post("/api/jobs/not-a-job/views")).status_code in (404, 422)
    stats = (await client.get(f"/api/jobs/{draft['id']}/stats", headers=employer.headers)).json()
    assert stats["views"] == 0


async def test_the_days_asked_for_are_bounded(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"])
    for days in ("0", "91", "x"):
        response = await client.get(f"/api/jobs/{job['id']}/stats?days={days}", headers=employer.headers)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"


async def test_the_statistics_page_and_the_beacon_on_the_job_page(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    job = await post_job(client, employer, company["slug"])
    await _view(client, job, CHROME)
    sign_in(client, None)
    public = await client.get(f"/jobs/{job['id']}", follow_redirects=True)
    assert f'data-view-beacon="/api/jobs/{job["id"]}/views"' in public.text
    sign_in(client, employer)
    own = await client.get(f"/jobs/{job['id']}", follow_redirects=True)
    assert "data-view-beacon" not in own.text  # the team's visits are not views
    assert f'href="/jobs/{job["id"]}/stats"' in own.text
    page = await client.get(f"/jobs/{job['id']}/stats")
    assert page.status_code == 200
    assert '<h2 class="card-title">Views</h2><p><strong>1</strong>' in page.text
    other = await person(runtime, "other@example.com", first_name="Olive")
    sign_in(client, other)
    assert (await client.get(f"/jobs/{job['id']}/stats")).status_code == 403
