"""The job pages: search, posting and editing through forms, applying with a CV, the team's
applicants page and pipeline forms, My applications, alerts and "jobs for you"."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import select

from hiremebahamas.core.runtime import Runtime
from hiremebahamas.models import Job
from tests.helpers import page_csrf, sign_in, submit
from tests.jobs.conftest import Person, person, post_job
from tests.uploads.files import pdf


def job_form(**overrides: str) -> dict[str, str]:
    form = {
        "company_slug": "coral-reef-resort",
        "title": "Dive Instructor",
        "description": "Teach **diving** to our guests.",
        "island": "exuma",
        "employment_type": "seasonal",
        "category": "hospitality",
        "salary_min": "2,500",
        "salary_max": "3500",
        "salary_period": "month",
        "currency": "USD",
        "valid_through": "",
        "skills": "scuba, first aid",
        "action": "open",
    }
    return {**form, **overrides}


async def test_the_search_page(
    client: httpx.AsyncClient, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    for number in range(22):
        await post_job(client, employer, company["slug"], title=f"Waiter {number}", skills=[])
    await post_job(client, employer, company["slug"], title="Diver", island="exuma", skills=[])
    page = await client.get("/jobs")
    assert page.status_code == 200
    assert page.text.count('class="card job-card"') == 20
    next_url = re.search(r'href="(/jobs\?cursor=[^"]+)" rel="next"', page.text)
    assert next_url is not None
    second = await client.get(next_url.group(1).replace("&amp;", "&"))
    assert second.text.count('class="card job-card"') == 3
    filtered = await client.get("/jobs", params={"q": "diver", "island": "exuma", "sort": "newest"})
    assert "Diver" in filtered.text
    assert "Waiter 1" not in filtered.text
    assert 'value="diver"' in filtered.text  # the form keeps what was searched
    bad = await client.get("/jobs", params={"island": "atlantis", "cursor": "garbage"})
    assert bad.status_code == 200
    assert "Not a valid choice; it was ignored." in bad.text
    assert "Create job alert" not in page.text  # only for people signed in
    sign_in(client, seeker)
    assert "Create job alert" in (await client.get("/jobs")).text


async def test_an_employer_posts_and_edits_a_job_through_the_forms(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    sign_in(client, None)
    assert (await client.get("/jobs/new")).status_code == 303
    sign_in(client, employer)
    new_page = await client.get("/jobs/new")
    assert '<option value="coral-reef-resort"' in new_page.text
    missing = await submit(client, "/jobs/new", job_form(title="", salary_min="lots"))
    assert missing.status_code == 422
    assert "Enter a whole number" in missing.text
    no_island = await submit(client, "/jobs/new", job_form(island=""))
    assert no_island.status_code == 422
    assert "Choose the island where the job is, or mark it remote." in no_island.text
    created = await submit(client, "/jobs/new", job_form())
    assert created.status_code == 303, created.text
    async with runtime.database.sessionmaker() as session:
        job = (await session.execute(select(Job))).scalar_one()
    assert created.headers["location"] == f"/jobs/{job.id}-dive-instructor"
    assert (job.salary_min, job.salary_max, job.currency, job.salary_annual_max) == (2500, 3500, "USD", 42000)
    page = await client.get(created.headers["location"])
    assert "Your job is live." in page.text
    assert "<strong>diving</strong>" in page.text
    assert "Manage this job" in page.text
    edit = await client.get(f"/jobs/{job.id}/edit")
    assert 'value="Dive Instructor"' in edit.text
    assert "first aid, scuba" in edit.text
    saved = await submit(
        client, f"/jobs/{job.id}/edit", job_form(title="Scuba Instructor", remote="true"), page=f"/jobs/{job.id}/edit"
    )
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("-scuba-instructor")
    closed = await submit(client, f"/jobs/{job.id}/status", {"status": "closed"}, page=saved.headers["location"])
    assert closed.status_code == 303
    assert "This job is closed" in (await client.get(saved.headers["location"])).text
    drafted = await submit(client, "/jobs/new", job_form(title="Draft Job", action="draft"))
    assert "Your draft was saved." in (await client.get(drafted.headers["location"])).text


async def test_who_sees_the_posting_form(client: httpx.AsyncClient, runtime: Runtime, seeker: Person) -> None:
    sign_in(client, seeker)
    assert "Posting jobs is for employers" in (await client.get("/jobs/new")).text
    refused = await submit(client, "/jobs/new", job_form(), page="/jobs")
    assert refused.status_code == 403
    without_company = await person(runtime, "solo@example.com", employer=True)
    sign_in(client, without_company)
    assert "First, your company page" in (await client.get("/jobs/new")).text


async def test_applying_with_an_uploaded_cv_and_the_pipeline_pages(
    client: httpx.AsyncClient,
    runtime: Runtime,
    employer: Person,
    company: dict[str, Any],
    seeker: Person,
    rival: Person,
) -> None:
    job = await post_job(client, employer, company["slug"])
    sign_in(client, seeker)
    page = await client.get(job["url"])
    assert "Send application" in page.text
    token = await page_csrf(client, job["url"])
    files = {"cv": ("Sam Rolle CV.pdf", pdf(), "application/pdf")}
    not_a_cv = await client.post(
        f"/jobs/{job['id']}/apply",
        data={"csrf_token": token, "cover_letter": "Hello", "cv_choice": "upload"},
        files={"cv": ("cv.pdf", b"not a pdf", "application/pdf")},
    )
    assert not_a_cv.status_code == 422
    assert "CVs must be PDF or Word" in not_a_cv.text
    empty = await client.post(
        f"/jobs/{job['id']}/apply", data={"csrf_token": token, "cover_letter": "", "cv_choice": "none"}
    )
    assert empty.status_code == 422
    assert "Add a cover letter or a CV" in empty.text
    applied = await client.post(
        f"/jobs/{job['id']}/apply",
        data={"csrf_token": token, "cover_letter": "I speak three languages.", "cv_choice": "upload"},
        files=files,
    )
    assert applied.status_code == 303, applied.text
    assert applied.headers["location"] == job["url"]  # back on the job, which shows the stage
    assert (
        'You applied</h2>\n      <p class="application-stage">Stage: <span class="badge" data-status="applied">Applied'
    ) in (await client.get(job["url"])).text
    mine = await client.get("/applications")
    assert "Front Desk Manager" in mine.text
    assert 'data-status="applied"' in mine.text

    # The team's applicants page, its CV link and pipeline form.
    sign_in(client, employer)
    applicants_path = f"/jobs/{job['id']}/applicants"
    applicants = await client.get(applicants_path)
    assert "Sam Rolle" in applicants.text
    assert "I speak three languages." in applicants.text
    application_id = re.search(r'action="/applications/([0-9a-f-]+)/status"', applicants.text)
    assert application_id is not None
    cv_link = await client.get(f"/applications/{application_id.group(1)}/cv")
    assert cv_link.status_code == 303
    media = await client.get(cv_link.headers["location"])
    assert media.status_code == 200
    assert media.content == pdf()
    assert media.headers["content-disposition"].startswith("inline")  # opened in the browser's viewer
    moved = await submit(
        client,
        f"/applications/{application_id.group(1)}/status",
        {"status": "reviewing", "next": applicants_path},
        page=applicants_path,
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == applicants_path
    assert 'data-status="reviewing"' in (await client.get(applicants_path)).text
    assert "Sam Rolle" not in (await client.get(applicants_path, params={"status": "hired"})).text
    backwards = await submit(
        client, f"/applications/{application_id.group(1)}/status", {"status": "applied"}, page=applicants_path
    )
    assert backwards.status_code == 409
    assert "can move to interview or offer or hired or not selected" in backwards.text

    # Nobody else sees the applicants or the CV.
    sign_in(client, rival)
    assert (await client.get(applicants_path)).status_code == 403
    assert (await client.get(cv_link.headers["location"])).status_code == 404
    assert (await client.get(f"/applications/{application_id.group(1)}/cv")).status_code == 404

    # The seeker sees the new status, then withdraws.
    sign_in(client, seeker)
    assert 'data-status="reviewing"' in (await client.get("/applications")).text
    assert '<span class="badge" data-status="reviewing">Reviewing</span>' in (await client.get(job["url"])).text
    withdrawn = await submit(client, f"/applications/{application_id.group(1)}/withdraw", {}, page="/applications")
    assert withdrawn.status_code == 303
    assert 'data-status="withdrawn"' in (await client.get("/applications")).text


async def test_a_cv_kept_on_the_profile_is_offered_reused_and_replaced(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    first, second, third = [
        await post_job(client, employer, company["slug"], title=t) for t in ("Chef", "Baker", "Cook")
    ]
    sign_in(client, seeker)
    token = await page_csrf(client, first["url"])

    async def apply(job: dict[str, Any], choice: str, name: str | None = None, save: bool = False) -> httpx.Response:
        data = {"csrf_token": token, "cover_letter": "", "cv_choice": choice, **({"save_cv": "1"} if save else {})}
        files = {"cv": (name, pdf(), "application/pdf")} if name else None
        return await client.post(f"/jobs/{job['id']}/apply", data=data, files=files)

    assert (await apply(first, "upload", "once.pdf")).status_code == 303  # not kept: the box unticked
    page = await client.get(second["url"])
    assert "Use the CV on my profile" not in page.text
    assert "Save it on my profile for next time" in page.text
    assert (await apply(second, "upload", "kept.pdf", save=True)).status_code == 303
    page = await client.get(third["url"])
    assert "Use the CV on my profile (kept.pdf)" in page.text
    assert "Replace the CV on my profile with it" in page.text
    assert (await apply(third, "on_file")).status_code == 303
    mine = await client.get("/api/applications/mine", headers=seeker.headers)
    cvs = {item["job"]["title"]: item["cv"]["name"] for item in mine.json()["items"]}
    assert cvs == {"Chef": "once.pdf", "Baker": "kept.pdf", "Cook": "kept.pdf"}
    me = await client.get("/api/users/me", headers=seeker.headers)
    kept_id = me.json()["profile"]["cv_upload_id"]

    # Applying with another file and the box ticked replaces the profile's CV.
    fourth = await post_job(client, employer, company["slug"], title="Waiter")
    assert (await apply(fourth, "upload", "new.pdf", save=True)).status_code == 303
    me = await client.get("/api/users/me", headers=seeker.headers)
    assert me.json()["profile"]["cv_upload_id"] not in (None, kept_id)
    assert "new.pdf" in (await client.get("/profile/edit")).text


async def test_job_alert_pages(client: httpx.AsyncClient, seeker: Person) -> None:
    sign_in(client, seeker)
    created = await submit(
        client, "/jobs/alerts", {"q": "chef", "island": "exuma", "frequency": "instant"}, page="/jobs?q=chef"
    )
    assert created.status_code == 303
    page = await client.get("/jobs/alerts")
    assert "“chef” · Exuma" in page.text
    assert "As jobs are posted" in page.text
    duplicate = await submit(
        client, "/jobs/alerts", {"q": "chef", "island": "exuma", "frequency": "instant"}, page="/jobs"
    )
    assert duplicate.status_code == 422
    assert "You already have this job alert." in duplicate.text
    saved_id = re.search(r'action="/jobs/alerts/([0-9a-f-]+)/delete"', page.text)
    assert saved_id is not None
    deleted = await submit(client, f"/jobs/alerts/{saved_id.group(1)}/delete", {}, page="/jobs/alerts")
    assert deleted.status_code == 303
    assert "No job alerts yet" in (await client.get("/jobs/alerts")).text
    sign_in(client, None)
    assert (await client.get("/jobs/alerts")).status_code == 303


async def test_jobs_for_you_rank_by_shared_skills_and_island(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    await post_job(client, employer, company["slug"], title="Two skills", island="exuma", skills=["cooking", "baking"])
    await post_job(client, employer, company["slug"], title="One skill", island="exuma", skills=["cooking"])
    await post_job(client, employer, company["slug"], title="Island only", island="new_providence", skills=["typing"])
    await post_job(client, employer, company["slug"], title="Nothing shared", island="exuma", skills=["welding"])
    sign_in(client, seeker)
    assert "No matches yet" in (await client.get("/jobs/for-you")).text
    # The matches are remembered for a while, and chosen again when the profile changes.
    profile = {"skills": ["cooking", "baking"], "island": "new_providence"}
    assert (await client.patch("/api/users/me", json=profile, headers=seeker.headers)).status_code == 200
    response = await client.get("/api/jobs/for-you", headers=seeker.headers)
    assert [item["title"] for item in response.json()["items"]] == ["Two skills", "One skill", "Island only"]
    page = await client.get("/jobs/for-you")
    assert page.text.index("Two skills") < page.text.index("One skill") < page.text.index("Island only")
    assert "Nothing shared" not in page.text
    home = await client.get("/")  # the seeker's home page shows the same matches beside the feed
    assert "Jobs for you" in home.text
    assert home.text.index("Two skills") < home.text.index("One skill")
    assert "Nothing shared" not in home.text
    sign_in(client, employer)
    assert "Jobs for you" not in (await client.get("/")).text  # employers are not job hunting
    first = response.json()["items"][0]
    body = {"cover_letter": "I love cooking."}
    applied = await client.post(f"/api/jobs/{first['id']}/apply", json=body, headers=seeker.headers)
    assert applied.status_code == 201, applied.text
    after = await client.get("/api/jobs/for-you", headers=seeker.headers)  # remembered, but applied to since
    assert [item["title"] for item in after.json()["items"]] == ["One skill", "Island only"]
