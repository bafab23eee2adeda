"""The employer dashboard: companies, jobs by status with applicants per stage and the new
ones since the last visit, the latest applicants and the plan, over the API and as pages;
who may see it, and its cost in queries whatever the number of jobs."""

from __future__ import annotations

from typing import Any

import httpx

from hiremebahamas.core.runtime import Runtime
from tests.helpers import counted_queries, page_csrf, sign_in
from tests.jobs.conftest import Person, add_colleague, add_jobs, create_company, person, post_job


async def _apply(client: httpx.AsyncClient, who: Person, job: dict[str, Any]) -> str:
    response = await client.post(f"/api/jobs/{job['id']}/apply", json={"cover_letter": "Hi."}, headers=who.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["application"]["id"])


async def _dashboard(client: httpx.AsyncClient, who: Person) -> dict[str, Any]:
    response = await client.get("/api/employer/dashboard", headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _seen(client: httpx.AsyncClient, who: Person) -> None:
    assert (await client.post("/api/employer/dashboard/seen", headers=who.headers)).status_code == 204


async def test_the_dashboard_shows_jobs_by_status_with_applicants_per_stage_and_new_ones(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    chef = await post_job(client, employer, company["slug"], title="Chef")
    baker = await post_job(client, employer, company["slug"], title="Baker")
    await post_job(client, employer, company["slug"], title="Bartender", status="draft")
    closed = await post_job(client, employer, company["slug"], title="Lifeguard")
    await client.patch(f"/api/jobs/{closed['id']}", json={"status": "closed"}, headers=employer.headers)
    other = await person(runtime, "other@example.com", first_name="Oli")
    sam_at_chef = await _apply(client, seeker, chef)
    await _apply(client, other, chef)
    await _apply(client, seeker, baker)
    await client.patch(f"/api/applications/{sam_at_chef}", json={"status": "interview"}, headers=employer.headers)

    body = await _dashboard(client, employer)
    assert [item["company"]["slug"] for item in body["companies"]] == [company["slug"]]
    assert body["companies"][0]["role"] == "owner"
    jobs = body["jobs"]
    assert [job["title"] for job in jobs["open"]] == ["Baker", "Chef"]  # newest first
    assert [job["title"] for job in jobs["draft"]] == ["Bartender"]
    assert [(job["title"], job["status"]) for job in jobs["closed"]] == [("Lifeguard", "closed")]
    chef_row = next(job for job in jobs["open"] if job["title"] == "Chef")
    assert chef_row["applicants"] == {"total": 2, "new": 2, "by_stage": {"applied": 1, "interview": 1}}
    assert body["new_applicants"] == 3
    assert body["last_visit_at"] is None
    assert [item["applicant"]["username"] for item in body["recent_applicants"]] == [
        seeker.username,
        other.username,
        seeker.username,
    ]
    assert body["plan"]["tier"] == "business"

    # Seen: nothing is new until someone else applies.
    await _seen(client, employer)
    seen = await _dashboard(client, employer)
    assert seen["new_applicants"] == 0
    assert seen["last_visit_at"] is not None
    late = await person(runtime, "late@example.com", first_name="Lee")
    await _apply(client, late, baker)
    after = await _dashboard(client, employer)
    assert after["new_applicants"] == 1
    assert next(job for job in after["jobs"]["open"] if job["title"] == "Baker")["applicants"]["new"] == 1


async def test_new_applicants_are_counted_for_each_team_member(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    colleague = await add_colleague(client, runtime, employer, company["slug"])
    job = await post_job(client, employer, company["slug"])
    await _apply(client, seeker, job)
    await _seen(client, employer)
    assert (await _dashboard(client, employer))["new_applicants"] == 0
    colleagues = await _dashboard(client, colleague)
    assert colleagues["new_applicants"] == 1
    assert colleagues["companies"][0]["role"] == "member"


async def test_who_has_a_dashboard(
    client: httpx.AsyncClient,
    runtime: Runtime,
    employer: Person,
    company: dict[str, Any],
    seeker: Person,
    rival: Person,
) -> None:
    job = await post_job(client, employer, company["slug"])
    await _apply(client, seeker, job)
    refused = await client.get("/api/employer/dashboard", headers=seeker.headers)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert (await client.post("/api/employer/dashboard/seen", headers=seeker.headers)).status_code == 403
    assert (await client.get("/api/employer/dashboard")).status_code == 401
    assert (await client.post("/api/employer/dashboard/seen")).status_code == 401
    # Another company's employer sees only their own company: none of these jobs or applicants.
    theirs = await _dashboard(client, rival)
    assert [item["company"]["name"] for item in theirs["companies"]] == ["Blue Lagoon Tours"]
    assert theirs["jobs"] == {"open": [], "draft": [], "closed": []}
    assert theirs["recent_applicants"] == []
    newcomer = await person(runtime, "new@example.com", first_name="Nia", employer=True, business=False)
    empty = await _dashboard(client, newcomer)
    assert empty["companies"] == []
    assert empty["plan"]["tier"] == "free"
    # The page's beacon with the browser's cookie needs the CSRF token, as every cookie write does.
    sign_in(client, employer)
    assert (await client.post("/api/employer/dashboard/seen")).status_code == 403
    token = await page_csrf(client, "/employer")
    assert (await client.post("/api/employer/dashboard/seen", headers={"X-CSRF-Token": token})).status_code == 204
    client.cookies.clear()


async def test_the_dashboard_costs_the_same_queries_however_many_jobs(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any]
) -> None:
    # A second company whose team the employer is on: jobs of both count in the same queries.
    spa_owner = await person(runtime, "spa@example.com", first_name="Spa", employer=True)
    second = await create_company(client, spa_owner, "Coral Reef Spa")
    added = await client.post(
        f"/api/companies/{second['slug']}/members", json={"username": employer.username}, headers=spa_owner.headers
    )
    assert added.status_code == 201
    counts = []
    for size in (2, 10):
        await add_jobs(runtime, employer, company["slug"], [f"Job {size}-{n}" for n in range(size // 2)])
        await add_jobs(runtime, employer, second["slug"], [f"Spa {size}-{n}" for n in range(size // 2)])
        jobs = (await _dashboard(client, employer))["jobs"]["open"]
        for number, job in enumerate(jobs[: size // 2]):
            applicant = await person(runtime, f"a{size}-{number}@example.com", first_name=f"A{number}")
            await _apply(client, applicant, job)
        await runtime.tasks.drain()
        with counted_queries(runtime) as log:
            body = await _dashboard(client, employer)
        assert len(body["jobs"]["open"]) == (2 if size == 2 else 12)
        counts.append(log.count)
    assert counts[0] == counts[1]


async def test_the_dashboard_page_the_home_page_and_the_nav(
    client: httpx.AsyncClient, runtime: Runtime, employer: Person, company: dict[str, Any], seeker: Person
) -> None:
    job = await post_job(client, employer, company["slug"], title="Chef")
    await post_job(client, employer, company["slug"], title="Bartender", status="draft")
    await _apply(client, seeker, job)
    sign_in(client, employer)
    page = await client.get("/employer")
    assert page.status_code == 200
    text = page.text
    assert "1 new applicant since your last visit." in text
    assert 'data-view-beacon="/api/employer/dashboard/seen"' in text
    assert f'href="/jobs/{job["id"]}/applicants"' in text
    assert "Draft, not published" in text
    assert 'data-new="1"' in text
    assert f'href="/companies/{company["slug"]}"' in text
    assert "Sam Rolle" in text
    assert "Your plan: Business" in text
    assert '<a class="nav-link" href="/employer" aria-current="page">My jobs</a>' in text
    assert '<a class="nav-link" href="/jobs/new">Post a job</a>' in text
    home = await client.get("/")
    assert "Your hiring" in home.text
    assert home.text.index("Your hiring") < home.text.index("Your feed")  # it leads the page
    sign_in(client, seeker)
    seekers_home = await client.get("/")
    assert "Your hiring" not in seekers_home.text
    assert 'href="/employer"' not in seekers_home.text
    assert (await client.get("/employer")).status_code == 403
    client.cookies.clear()
    anonymous = await client.get("/employer")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
