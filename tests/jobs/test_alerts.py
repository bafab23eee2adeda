"""Saved searches and job alerts: the API, instant and daily emails (each job once per alert),
the one-click unsubscribe, and the schedule that sends the digests once a day."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from sqlalchemy import func, select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.core.schedule import start_schedule
from hiremebahamas.jobs.alerts.service import send_instant_job_alerts
from hiremebahamas.jobs.tasks import run_due, send_daily_job_alerts
from hiremebahamas.models import JobAlertDelivery, SavedSearch, ScheduledRun
from tests.helpers import emails_to, link_in, text_of
from tests.jobs.conftest import Person, person, post_job


async def _save(client: httpx.AsyncClient, who: Person, frequency: str = "instant", **query: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/saved-searches", json={"query": query, "frequency": frequency}, headers=who.headers
    )
    assert response.status_code == 201, response.text
    saved: dict[str, Any] = response.json()["saved_search"]
    return saved


async def test_saved_searches_over_the_api(client: httpx.AsyncClient, runtime: Runtime, seeker: Person) -> None:
    saved = await _save(client, seeker, "daily", q="chef", island="exuma", remote=False, salary_min=30000)
    assert saved["query"] == {"q": "chef", "island": "exuma", "remote": False, "salary_min": 30000}
    assert saved["description"] == "“chef” · Exuma · 30,000+ a year"
    assert saved["search_url"] == "/jobs?q=chef&island=exuma&remote=false&salary_min=30000"
    listed = await client.get("/api/saved-searches", headers=seeker.headers)
    assert [item["id"] for item in listed.json()["items"]] == [saved["id"]]
    assert listed.json()["next_cursor"] is None
    duplicate = await client.post(
        "/api/saved-searches",
        json={"query": {"q": "chef", "island": "exuma", "remote": False, "salary_min": 30000}, "frequency": "daily"},
        headers=seeker.headers,
    )
    assert duplicate.status_code == 409
    bad = await client.post(
        "/api/saved-searches", json={"query": {"island": "atlantis"}, "frequency": "daily"}, headers=seeker.headers
    )
    assert bad.status_code == 422
    unknown_key = await client.post(
        "/api/saved-searches", json={"query": {"colour": "blue"}, "frequency": "daily"}, headers=seeker.headers
    )
    assert unknown_key.status_code == 422
    weekly = await client.post("/api/saved-searches", json={"query": {}, "frequency": "weekly"}, headers=seeker.headers)
    assert weekly.status_code == 422
    assert (await client.get("/api/saved-searches")).status_code == 401
    other = await person(runtime, "other@example.com")
    assert (await client.delete(f"/api/saved-searches/{saved['id']}", headers=other.headers)).status_code == 404
    assert (await client.delete(f"/api/saved-searches/{uuid.uuid4()}", headers=seeker.headers)).status_code == 404
    assert (await client.delete(f"/api/saved-searches/{saved['id']}", headers=seeker.headers)).status_code == 204
    assert (await client.get("/api/saved-searches", headers=seeker.headers)).json()["items"] == []


async def test_a_seeker_keeps_at_most_twenty_alerts(client: httpx.AsyncClient, seeker: Person) -> None:
    for number in range(20):
        await _save(client, seeker, q=f"word{number}")
    response = await client.post(
        "/api/saved-searches", json={"query": {"q": "one more"}, "frequency": "daily"}, headers=seeker.headers
    )
    assert response.status_code == 409  # the request is fine; the alerts already kept are in the way


async def test_instant_alerts_email_each_matching_job_once(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    await _save(client, seeker, q="managers", island="new_providence")
    await _save(client, seeker, q="diver")  # matches nothing below
    job = await post_job(client, employer, company["slug"], title="Hotel Manager")
    await post_job(client, employer, company["slug"], title="Gardener", description="Grow things.", skills=[])
    await post_job(client, employer, company["slug"], title="Manager in Exuma", island="exuma")
    (email,) = await emails_to(runtime, seeker.email)
    assert email["Subject"] == "New job: Hotel Manager at Coral Reef Resort"
    assert f"/jobs/{job['id']}-hotel-manager" in text_of(email)
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email["List-Unsubscribe"].startswith("<http://testserver/api/saved-searches/unsubscribe?token=")
    # Running the task again (a retry, a second worker) sends nothing new.
    await send_instant_job_alerts(runtime.tasks.context, job_id=job["id"])
    assert len(await emails_to(runtime, seeker.email)) == 1
    # Nor does closing and reopening the job.
    await client.patch(f"/api/jobs/{job['id']}", json={"status": "closed"}, headers=employer.headers)
    await client.patch(f"/api/jobs/{job['id']}", json={"status": "open"}, headers=employer.headers)
    assert len(await emails_to(runtime, seeker.email)) == 1
    # Drafts alert nobody until published.
    draft = await post_job(client, employer, company["slug"], title="Night Manager", status="draft")
    assert len(await emails_to(runtime, seeker.email)) == 1
    await client.patch(f"/api/jobs/{draft['id']}", json={"status": "open"}, headers=employer.headers)
    subjects = [m["Subject"] for m in await emails_to(runtime, seeker.email)]
    assert subjects[-1] == "New job: Night Manager at Coral Reef Resort"


async def test_unverified_accounts_get_no_alerts(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    unverified = await person(runtime, "unverified@example.com", verified=False)
    await _save(client, unverified, q="manager")
    await post_job(client, employer, company["slug"])
    assert await emails_to(runtime, unverified.email) == []


async def test_the_daily_digest_sends_new_jobs_once(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    saved = await _save(client, seeker, "daily", employment_type="full_time")
    await post_job(client, employer, company["slug"], title="Chef")
    await post_job(client, employer, company["slug"], title="Baker")
    await post_job(client, employer, company["slug"], title="Part-timer", employment_type="part_time")
    assert await emails_to(runtime, seeker.email) == []  # daily alerts wait for the digest
    context = runtime.tasks.context
    await send_daily_job_alerts(context)
    await send_daily_job_alerts(context)
    (digest,) = await emails_to(runtime, seeker.email)
    assert digest["Subject"] == "2 new jobs: Full-time"
    body = text_of(digest)
    assert "Chef at Coral Reef Resort" in body
    assert "Baker at Coral Reef Resort" in body
    assert "Part-timer" not in body
    await post_job(client, employer, company["slug"], title="Sommelier")
    await send_daily_job_alerts(context)
    latest = (await emails_to(runtime, seeker.email))[-1]
    assert latest["Subject"] == "1 new job: Full-time"
    assert "Sommelier" in text_of(latest)
    assert "Chef" not in text_of(latest)
    async with runtime.database.sessionmaker() as session:
        count = select(func.count()).where(JobAlertDelivery.saved_search_id == uuid.UUID(saved["id"]))
        assert (await session.execute(count)).scalar_one() == 3


async def test_the_unsubscribe_link_works_without_signing_in(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    await _save(client, seeker, q="manager")
    second = await _save(client, seeker, q="front desk")
    await post_job(client, employer, company["slug"], title="Hotel Manager", description="No front office.", skills=[])
    await post_job(client, employer, company["slug"], title="Front Desk Agent", description="Greet guests.", skills=[])
    first_email, second_email = await emails_to(runtime, seeker.email)
    link = link_in(first_email, "/jobs/alerts/unsubscribe")
    client.cookies.clear()
    page = await client.get(link.replace("http://testserver", ""))
    assert page.status_code == 200
    assert "Job alert stopped" in page.text
    again = await client.get(link.replace("http://testserver", ""))
    assert "Already stopped" in again.text
    # The mail client's one-click POST (RFC 8058), with no cookie and no CSRF token.
    one_click = second_email["List-Unsubscribe"].strip("<>")
    token = parse_qs(urlparse(one_click).query)["token"][0]
    response = await client.post("/api/saved-searches/unsubscribe", params={"token": token})
    assert response.status_code == 200
    assert response.json() == {"unsubscribed": True}
    async with runtime.database.sessionmaker() as session:
        assert (await session.execute(select(SavedSearch.id))).all() == []
    forged = f"{uuid.UUID(second['id']).hex}.{'0' * 32}"
    assert (await client.get("/jobs/alerts/unsubscribe", params={"token": forged})).status_code == 400
    assert (await client.post("/api/saved-searches/unsubscribe", params={"token": "garbage"})).status_code == 400


async def test_the_schedule_expires_jobs_and_claims_the_daily_digest_once(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    await _save(client, seeker, "daily", q="chef")
    await post_job(client, employer, company["slug"], title="Chef")
    context = runtime.tasks.context
    morning = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    noon = datetime(2026, 11, 27, 12, 30, tzinfo=UTC)
    await run_due(context, morning)
    assert await emails_to(runtime, seeker.email) == []  # before 12:00 UTC: not yet
    await run_due(context, noon)
    await run_due(context, noon)
    assert len(await emails_to(runtime, seeker.email)) == 1
    async with runtime.database.sessionmaker() as session:
        runs = (await session.execute(select(ScheduledRun.name, ScheduledRun.period))).all()
    assert [tuple(run) for run in runs] == [("job_alerts_daily", "2026-11-27")]


async def test_the_in_process_schedule_is_off_in_tests_and_stops_cleanly(runtime: Runtime) -> None:
    idle = start_schedule(runtime, [run_due])
    assert not idle.running
    await idle.stop()
    started = start_schedule(runtime, [run_due], enabled=True)
    await asyncio.sleep(0.05)  # its first round (expire jobs) runs at once
    assert started.running
    await started.stop()
    assert not started.running
