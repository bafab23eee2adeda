"""Posting and managing jobs over the API: who may, what a valid posting is, status moves,
the billing gate, deletion and expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.tasks import TaskContext
from hiremebahamas.jobs.tasks import expire_jobs
from hiremebahamas.models import Job
from hiremebahamas.models.base import utcnow
from tests.jobs.conftest import Person, create_company, job_body, person, post_job, set_job, titles


async def test_an_employer_posts_a_job(client: httpx.AsyncClient, employer: Person, company: dict[str, Any]) -> None:
    body = job_body(
        company["slug"],
        description="We need a *manager*.\n\n<script>alert(1)</script> [click](javascript:alert(1))",
        skills=["  Customer   Service", "customer service", "Scheduling"],
    )
    response = await client.post("/api/jobs", json=body, headers=employer.headers)
    assert response.status_code == 201, response.text
    job = response.json()["job"]
    assert job["status"] == "open"
    assert job["published_at"] is not None
    assert job["url"] == f"/jobs/{job['id']}-front-desk-manager"
    assert job["company"] == {
        "slug": company["slug"],
        "name": "Coral Reef Resort",
        "url": f"/companies/{company['slug']}",
        "logo_url": None,
        "verified": False,
    }
    assert job["skills"] == ["customer service", "scheduling"]
    assert job["currency"] == "BSD"
    assert job["island_label"] == "New Providence"
    # Markdown rendered, raw HTML and javascript: links neutralised.
    assert "<em>manager</em>" in job["description_html"]
    assert "<script>" not in job["description_html"]
    assert 'href="javascript' not in job["description_html"]
    # valid_through defaults to 30 days on.
    fetched = await client.get(f"/api/jobs/{job['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["job"]["description"] == body["description"].strip()


async def test_who_may_post(
    client: httpx.AsyncClient,
    runtime: Runtime,
    employer: Person,
    company: dict[str, Any],
    seeker: Person,
    rival: Person,
) -> None:
    body = job_body(company["slug"])
    assert (await client.post("/api/jobs", json=body)).status_code == 401
    as_seeker = await client.post("/api/jobs", json=body, headers=seeker.headers)
    assert as_seeker.status_code == 403
    as_rival = await client.post("/api/jobs", json=body, headers=rival.headers)
    assert as_rival.status_code == 403
    assert "team of Coral Reef Resort" in as_rival.json()["error"]["message"]
    unverified = await person(runtime, "unverified@example.com", employer=True, verified=False)
    response = await client.post("/api/jobs", json=body, headers=unverified.headers)
    assert response.json()["error"]["code"] == "email_unverified"
    unknown = await client.post("/api/jobs", json=job_body("no-such-company"), headers=employer.headers)
    assert unknown.status_code == 404


INVALID_POSTINGS: list[tuple[dict[str, Any], str]] = [
    ({"salary_min": 60000, "salary_max": 50000}, "salary_max"),
    ({"salary_period": None}, "salary_period"),
    ({"island": None, "remote": False}, "island"),
    ({"valid_through": (utcnow() - timedelta(days=1)).isoformat()}, "valid_through"),
    ({"valid_through": (utcnow() + timedelta(days=400)).isoformat()}, "valid_through"),
    ({"title": "x" * 151}, "title"),
    ({"title": "  "}, "title"),
    ({"description": "x" * 20_001}, "description"),
    ({"employment_type": "gig"}, "employment_type"),
    ({"salary_min": -5}, "salary_min"),
    ({"skills": [f"skill {n}" for n in range(21)]}, "skills"),
    ({"currency": "EUR"}, "currency"),
]


async def test_invalid_postings_are_refused(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any]
) -> None:
    for overrides, field in INVALID_POSTINGS:
        response = await client.post("/api/jobs", json=job_body(company["slug"], **overrides), headers=employer.headers)
        assert response.status_code == 422, (overrides, response.text)
        assert field in response.json()["error"]["fields"], overrides
    assert titles(await client.get("/api/jobs")) == []


async def test_remote_jobs(client: httpx.AsyncClient, employer: Person, company: dict[str, Any]) -> None:
    job = await post_job(client, employer, company["slug"], island="remote")
    assert (job["remote"], job["island"]) == (True, None)
    hybrid = await post_job(client, employer, company["slug"], island="exuma", remote=True)
    assert (hybrid["remote"], hybrid["island"]) == (True, "exuma")
    day = (utcnow() + timedelta(days=20)).date()
    dated = await post_job(client, employer, company["slug"], valid_through=day.isoformat())
    # A closing day means the end of that day in Nassau (04:59:59 or 03:59:59 UTC the day after).
    assert dated["valid_through"].startswith((day + timedelta(days=1)).isoformat())
    assert dated["valid_through"].endswith(":59:59Z")
    hourly = await post_job(client, employer, company["slug"], salary_min=15, salary_max=None, salary_period="hour")
    assert (hourly["salary_min"], hourly["salary_max"], hourly["salary_period"]) == (15, None, "hour")


async def test_posting_needs_the_business_plan_whenever_a_job_opens(
    client: httpx.AsyncClient, runtime: Runtime, company: dict[str, Any]
) -> None:
    free = await person(runtime, "free@example.com", employer=True, business=False)
    await create_company(client, free, "Free Co")
    response = await client.post("/api/jobs", json=job_body("free-co"), headers=free.headers)
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "upgrade_required"
    assert response.json()["error"]["required_tier"] == "business"
    # Drafts do not need the plan; publishing one does.
    draft = await client.post("/api/jobs", json=job_body("free-co", status="draft"), headers=free.headers)
    assert draft.status_code == 201
    publish = await client.patch(
        f"/api/jobs/{draft.json()['job']['id']}", json={"status": "open"}, headers=free.headers
    )
    assert publish.status_code == 402
    assert titles(await client.get("/api/jobs")) == []


async def test_drafts_are_seen_by_the_team_only_until_published(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any], seeker: Person, rival: Person
) -> None:
    draft = await post_job(client, employer, company["slug"], status="draft")
    assert draft["status"] == "draft"
    assert draft["published_at"] is None
    assert titles(await client.get("/api/jobs")) == []
    assert (await client.get(f"/api/jobs/{draft['id']}", headers=seeker.headers)).status_code == 404
    assert (await client.get(f"/api/jobs/{draft['id']}")).status_code == 404
    assert (await client.get(f"/api/jobs/{draft['id']}", headers=employer.headers)).status_code == 200
    hidden = await client.patch(f"/api/jobs/{draft['id']}", json={"status": "open"}, headers=rival.headers)
    assert hidden.status_code == 404
    published = await client.patch(f"/api/jobs/{draft['id']}", json={"status": "open"}, headers=employer.headers)
    assert published.status_code == 200
    assert published.json()["job"]["published_at"] is not None
    assert titles(await client.get("/api/jobs")) == ["Front Desk Manager"]


async def test_editing_closing_and_reopening(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any], rival: Person
) -> None:
    job = await post_job(client, employer, company["slug"])
    path = f"/api/jobs/{job['id']}"
    assert (await client.patch(path, json={"title": "Hacked"}, headers=rival.headers)).status_code == 403
    assert (await client.patch(path, json={"title": "Hacked"})).status_code == 401
    edited = await client.patch(
        path, json={"title": "Guest Services Manager", "skills": ["Leadership"]}, headers=employer.headers
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["job"]["url"].endswith("-guest-services-manager")
    assert edited.json()["job"]["skills"] == ["leadership"]
    assert titles(await client.get("/api/jobs", params={"q": "leadership"})) == ["Guest Services Manager"]
    closed = await client.patch(path, json={"status": "closed"}, headers=employer.headers)
    assert closed.json()["job"]["status"] == "closed"
    assert titles(await client.get("/api/jobs")) == []
    back_to_draft = await client.patch(path, json={"status": "draft"}, headers=employer.headers)
    assert back_to_draft.status_code == 409
    reopened = await client.patch(path, json={"status": "open"}, headers=employer.headers)
    assert reopened.json()["job"]["status"] == "open"
    bad = await client.patch(path, json={"salary_min": 90000}, headers=employer.headers)  # above salary_max
    assert bad.status_code == 422


async def test_deleting_a_job(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any], seeker: Person, rival: Person
) -> None:
    lonely = await post_job(client, employer, company["slug"])
    wanted = await post_job(client, employer, company["slug"], title="Chef")
    applied = await client.post(f"/api/jobs/{wanted['id']}/apply", json={"cover_letter": "Hi"}, headers=seeker.headers)
    assert applied.status_code == 201
    assert (await client.delete(f"/api/jobs/{lonely['id']}", headers=rival.headers)).status_code == 403
    assert (await client.delete(f"/api/jobs/{wanted['id']}", headers=employer.headers)).status_code == 409
    assert (await client.delete(f"/api/jobs/{lonely['id']}", headers=employer.headers)).status_code == 204
    assert (await client.get(f"/api/jobs/{lonely['id']}")).status_code == 404


async def test_an_unknown_or_malformed_job_id(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/jobs/0190e7a4-0000-7000-8000-000000000000")).status_code == 404
    response = await client.get("/api/jobs/not-a-uuid")  # no job has that address
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_jobs_past_their_end_leave_search_at_once_and_are_marked_expired_by_the_task(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    old = await post_job(client, employer, company["slug"], title="Lifeguard")
    await post_job(client, employer, company["slug"], title="Bartender")
    await set_job(runtime, old["id"], valid_through=utcnow() - timedelta(minutes=1))
    # Gone from search before any task ran; its own page says it expired.
    assert titles(await client.get("/api/jobs")) == ["Bartender"]
    assert (await client.get(f"/api/jobs/{old['id']}")).json()["job"]["status"] == "expired"
    context = runtime.tasks.context
    assert isinstance(context, TaskContext)
    await expire_jobs(context)
    async with runtime.database.sessionmaker() as session:
        statuses = dict((await session.execute(select(Job.title, Job.status))).all())
    assert statuses == {"Lifeguard": "expired", "Bartender": "open"}
    # Reopening needs a new closing date in the future.
    path = f"/api/jobs/{old['id']}"
    assert (await client.patch(path, json={"status": "open"}, headers=employer.headers)).status_code == 422
    later = (utcnow() + timedelta(days=10)).isoformat()
    reopened = await client.patch(path, json={"status": "open", "valid_through": later}, headers=employer.headers)
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["job"]["status"] == "open"
